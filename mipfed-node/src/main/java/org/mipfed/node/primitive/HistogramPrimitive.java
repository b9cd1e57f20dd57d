package org.mipfed.node.primitive;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mipfed.core.model.Cde;
import org.mipfed.node.privacy.FigureRows;
import org.mipfed.node.privacy.PrivacyGuard;
import org.mipfed.node.store.SqlDialect;
import org.mipfed.node.store.StoreCatalog;
import org.mipfed.proto.v1.HistogramCounts;
import org.mipfed.proto.v1.HistogramQuery;
import org.mipfed.proto.v1.HistogramResult;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;
import org.roaringbitmap.RoaringBitmap;

/**
 * {@code histogram}: counts of a variable's values per bin, over all the complete rows and per level
 * of grouping variables, in one statement. A numerical variable's bins are given by their edges
 * (asked for without edges, the node returns only n, min and max, from which the manager draws the
 * edges every node then uses, unless the node keeps its extremes); a nominal variable's bins are its
 * levels. A count between 1 and the node's minimum cell count is withheld: it would single out that
 * many people; so are counts that a known sum or an earlier answer would give it back from (see
 * {@code withhold}). The statement reads each counted row's id, bin and levels: the guard compares
 * the rows behind every count.
 */
final class HistogramPrimitive implements Primitive<HistogramQuery> {
    /** More bins than anyone can read; the bound keeps the statement small. */
    static final int MAX_BINS = 1000;

    private static final String BIN = "\"bin$\"";
    private static final String SCOPE = "\"histogram$\"";
    private static final String ID = "\"id$\"";

    @Override
    public PrimitiveQuery.PrimitiveCase kind() {
        return PrimitiveQuery.PrimitiveCase.HISTOGRAM;
    }

    @Override
    public HistogramQuery query(PrimitiveQuery query) {
        return query.getHistogram();
    }

    @Override
    public void variables(HistogramQuery query, Set<String> names) {
        names.add(query.getVariable());
        names.addAll(query.getGroupByList());
        names.addAll(query.getCompleteInList());
    }

    @Override
    public PrimitiveResult run(Connection connection, QueryScope scope, HistogramQuery query) throws SQLException {
        PrivacyGuard guard = scope.guard();
        if (query.getVariable().isEmpty()) {
            throw RefusalException.caller(RefusalException.INVALID_QUERY, "histogram needs a variable");
        }
        Cde variable = scope.variable(query.getVariable());
        if (!variable.numerical() && !variable.categorical()) {
            throw RefusalException.caller(
                    RefusalException.VARIABLE_TYPE,
                    "The variable '" + variable.code() + "' is free text; "
                            + "a histogram needs a numerical or nominal variable");
        }
        List<Cde> groups =
                QueryScope.distinct(query.getGroupByList(), v -> scope.nominal(v, "a grouping variable of histogram"));
        double[] edges =
                query.getEdgesList().stream().mapToDouble(Double::doubleValue).toArray();
        checkEdges(variable, edges);
        Set<Cde> used = new LinkedHashSet<>();
        used.add(variable);
        used.addAll(groups);
        used.addAll(QueryScope.distinct(query.getCompleteInList(), scope::variable));
        List<Cde> complete = new ArrayList<>(used);
        String where = scope.complete(complete);
        boolean rangeOnly = variable.numerical() && edges.length == 0;
        if (rangeOnly) {
            guard.checkExtremes("a histogram asked without edges (for the range of '" + variable.code() + "')")
                    .ifPresent(v -> {
                        throw RefusalException.caller(v.rule(), v.message());
                    });
        }
        HistogramResult.Builder result = HistogramResult.newBuilder();
        long n = rangeOnly
                ? range(connection, scope, variable, where, result)
                : LevelsPrimitive.count(connection, scope, where);
        guard.checkRows(n, QueryScope.names(complete)).ifPresent(v -> {
            throw RefusalException.caller(v.rule(), v.message());
        });
        result.setN(n);
        if (n == 0) {
            return PrimitiveResult.newBuilder()
                    .setRowsUsed(0)
                    .setHistogram(result.clearMin().clearMax())
                    .build();
        }
        if (rangeOnly) {
            // The range is a figure of the variable over these rows: a minimum over one row more can be that row's
            // value.
            RowIds.checkModelRows(connection, scope, guard, List.of(variable), complete);
        } else {
            counts(connection, scope, variable, groups, edges, where, result);
        }
        return PrimitiveResult.newBuilder().setRowsUsed(n).setHistogram(result).build();
    }

    private static void checkEdges(Cde variable, double[] edges) {
        if (variable.categorical()) {
            if (edges.length > 0) {
                throw RefusalException.caller(
                        RefusalException.INVALID_QUERY,
                        "The variable '" + variable.code() + "' is nominal: its "
                                + "bins are its levels, so a histogram of it takes no edges");
            }
            return;
        }
        if (edges.length == 1 || edges.length > MAX_BINS + 1) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY,
                    "A histogram needs between 1 and " + MAX_BINS + " bins, that is 2 to " + (MAX_BINS + 1)
                            + " edges, not " + edges.length);
        }
        for (int i = 0; i < edges.length; i++) {
            if (!Double.isFinite(edges[i]) || (i > 0 && !(edges[i] > edges[i - 1]))) {
                throw RefusalException.caller(
                        RefusalException.INVALID_QUERY,
                        "The edges of a histogram must be finite and " + "strictly increasing; edge " + i + " is "
                                + edges[i]);
            }
        }
    }

    /** n, min and max of the variable over the complete rows; min and max are set only when n > 0. */
    private static long range(
            Connection connection, QueryScope scope, Cde variable, String where, HistogramResult.Builder result)
            throws SQLException {
        String x = scope.dialect().toDouble(scope.quote(variable));
        BoundSql sql = BoundSql.builder()
                .sql("SELECT count(*), min(" + x + "), max(" + x + ") FROM " + scope.table() + " WHERE ")
                .append(scope.where())
                .sql(" AND " + where)
                .build();
        try (PreparedStatement statement = sql.prepare(connection);
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            long n = rows.getLong(1);
            if (n > 0) {
                result.setMin(rows.getDouble(2)).setMax(rows.getDouble(3));
            }
            return n;
        }
    }

    /**
     * One statement: the bin of every complete row (for a numerical variable, the number of inner
     * edges at or below its value, so each bin is closed below and open above, the last closed),
     * then its counts over all rows and per level of each grouping variable.
     */
    private void counts(
            Connection connection,
            QueryScope scope,
            Cde variable,
            List<Cde> groups,
            double[] edges,
            String where,
            HistogramResult.Builder result)
            throws SQLException {
        SqlDialect dialect = scope.dialect();
        List<String> bins = new ArrayList<>();
        BoundSql.Builder bin = BoundSql.builder();
        BoundSql.Builder inRange = BoundSql.builder();
        if (variable.categorical()) {
            bins.addAll(variable.enumerations().keySet());
            bin.sql(dialect.toText(scope.quote(variable)));
        } else {
            String x = dialect.toDouble(scope.quote(variable));
            for (int i = 0; i + 1 < edges.length; i++) {
                bins.add(Integer.toString(i));
            }
            if (edges.length == 2) {
                bin.sql("0");
            }
            for (int i = 1; i + 1 < edges.length; i++) {
                bin.sql(i == 1 ? "(" : " + ")
                        .sql("CASE WHEN " + x + " >= ")
                        .parameter(edges[i])
                        .sql(" THEN 1 ELSE 0 END");
            }
            if (edges.length > 2) {
                bin.sql(")");
            }
            inRange.sql(" AND " + x + " >= ")
                    .parameter(edges[0])
                    .sql(" AND " + x + " <= ")
                    .parameter(edges[edges.length - 1]);
        }
        BoundSql.Builder sql = BoundSql.builder()
                .sql("WITH " + SCOPE + " AS (SELECT " + dialect.quote(StoreCatalog.ROW_ID) + " AS " + ID + ", ")
                .append(bin.build())
                .sql(" AS " + BIN);
        for (Cde group : groups) {
            sql.sql(", " + scope.quote(group));
        }
        sql.sql(" FROM " + scope.table() + " WHERE ")
                .append(scope.where())
                .sql(" AND " + where)
                .append(inRange.build())
                .sql(") SELECT " + ID + ", " + dialect.toText(BIN));
        for (Cde group : groups) {
            sql.sql(", " + dialect.toText(scope.quote(group)));
        }
        sql.sql(" FROM " + SCOPE);
        // The histograms in the order of the result: all rows, then each level of each grouping variable.
        List<HistogramCounts.Builder> histograms = new ArrayList<>();
        histograms.add(HistogramCounts.newBuilder());
        List<Map<String, Integer>> byLevel = new ArrayList<>();
        for (Cde group : groups) {
            Map<String, Integer> levels = new HashMap<>();
            for (String level : group.enumerations().keySet()) {
                levels.put(level, histograms.size());
                histograms.add(HistogramCounts.newBuilder()
                        .setGroupVariable(group.code())
                        .setGroupLevel(level));
            }
            byLevel.add(levels);
        }
        int width = bins.size();
        RoaringBitmap[] cells = new RoaringBitmap[histograms.size() * width];
        for (int c = 0; c < cells.length; c++) {
            cells[c] = new RoaringBitmap();
        }
        Map<String, Integer> binIndex = index(bins);
        RowIds.read(connection, sql.build(), (id, row) -> {
            Integer b = binIndex.get(row.getString(2));
            if (b == null) {
                // A stored value outside the data model's levels: the importer refuses those, so none is counted.
                return;
            }
            cells[b].add(id);
            for (int g = 0; g < groups.size(); g++) {
                Integer h = byLevel.get(g).get(row.getString(g + 3));
                if (h != null) {
                    cells[h * width + b].add(id);
                }
            }
        });
        boolean[] withheld = withhold(
                scope.guard(),
                variable,
                groups,
                histograms.size(),
                width,
                cells,
                scope.model().id());
        if (variable.categorical()) {
            result.addAllLevels(bins);
        }
        for (int h = 0; h < histograms.size(); h++) {
            HistogramCounts.Builder histogram = histograms.get(h);
            for (int b = 0; b < width; b++) {
                int c = h * width + b;
                histogram
                        .addCounts(withheld[c] ? 0 : cells[c].getLongCardinality())
                        .addSuppressed(withheld[c]);
            }
            result.addHistograms(histogram);
        }
    }

    /**
     * Which counts to withhold (histogram h's bin b at {@code h * width + b}; h = 0 is all rows):
     * <ol>
     * <li>each count between 1 and the minimum cell count;
     * <li>the counts whose rows differ by a few from the rows of other figures of this answer or of
     * earlier ones ({@link PrivacyGuard#checkFigureRows}): the rows of all histograms together, each
     * group's rows, each cell. A clash of all rows withholds every count, of a group's rows its
     * histogram;
     * <li>secondary suppression ({@link PrivacyGuard#suppressSecondary}) over the sums a reader knows:
     * each histogram's counts (its rows), and each bin's count over all rows with that bin's counts in
     * the levels of one grouping variable, so that no withheld count is a subtraction away.
     * </ol>
     */
    private static boolean[] withhold(
            PrivacyGuard guard,
            Cde variable,
            List<Cde> groups,
            int histograms,
            int width,
            RoaringBitmap[] cells,
            String model) {
        long[] counts = new long[cells.length];
        boolean[] withheld = new boolean[cells.length];
        for (int c = 0; c < cells.length; c++) {
            counts[c] = cells[c].getLongCardinality();
            withheld[c] = !guard.releasableCount(counts[c]);
        }
        List<FigureRows> sets = new ArrayList<>();
        List<int[]> covers = new ArrayList<>();
        RoaringBitmap all = RoaringBitmap.or(Arrays.copyOfRange(cells, 0, width));
        sets.add(FigureRows.cell(variable.code(), all));
        covers.add(range(0, cells.length));
        for (Cde group : groups) {
            sets.add(FigureRows.cell(group.code(), all));
            covers.add(range(0, cells.length));
        }
        for (int h = 1; h < histograms; h++) {
            sets.add(FigureRows.cell(
                    variable.code(), RoaringBitmap.or(Arrays.copyOfRange(cells, h * width, (h + 1) * width))));
            covers.add(range(h * width, (h + 1) * width));
        }
        for (int c = 0; c < cells.length; c++) {
            if (!withheld[c] && counts[c] > 0) {
                sets.add(FigureRows.cell(variable.code(), cells[c]));
                covers.add(new int[] {c});
            }
        }
        BitSet clashing = guard.checkFigureRows(model, sets);
        for (int i = clashing.nextSetBit(0); i >= 0; i = clashing.nextSetBit(i + 1)) {
            for (int c : covers.get(i)) {
                withheld[c] = true;
            }
        }
        List<int[]> constraints = new ArrayList<>();
        for (int h = 0; h < histograms; h++) {
            constraints.add(range(h * width, (h + 1) * width));
        }
        int first = 1;
        for (Cde group : groups) {
            int levels = group.enumerations().size();
            for (int b = 0; b < width; b++) {
                int[] column = new int[levels + 1];
                column[0] = b;
                for (int l = 0; l < levels; l++) {
                    column[l + 1] = (first + l) * width + b;
                }
                constraints.add(column);
            }
            first += levels;
        }
        guard.suppressSecondary(counts, withheld, constraints);
        return withheld;
    }

    private static int[] range(int from, int to) {
        int[] out = new int[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = i;
        }
        return out;
    }

    private static Map<String, Integer> index(List<String> bins) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < bins.size(); i++) {
            index.put(bins.get(i), i);
        }
        return index;
    }
}
