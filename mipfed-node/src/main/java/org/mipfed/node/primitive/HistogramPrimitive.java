package org.mipfed.node.primitive;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mipfed.core.model.Cde;
import org.mipfed.node.privacy.PrivacyGuard;
import org.mipfed.node.store.SqlDialect;
import org.mipfed.proto.v1.HistogramCounts;
import org.mipfed.proto.v1.HistogramQuery;
import org.mipfed.proto.v1.HistogramResult;
import org.mipfed.proto.v1.PrimitiveResult;

/**
 * {@code histogram}: counts of a variable's values per bin, over all the complete rows and per level
 * of grouping variables, in one statement. A numerical variable's bins are given by their edges
 * (asked for without edges, the node returns only n, min and max, from which the manager draws the
 * edges every node then uses, unless the node keeps its extremes); a nominal variable's bins are its
 * levels. A count between 1 and the node's minimum cell count is withheld: it would single out that
 * many people.
 */
final class HistogramPrimitive {
    /** More bins than anyone can read; the bound keeps the statement small. */
    static final int MAX_BINS = 1000;
    private static final String BIN = "\"bin$\"";
    private static final String SCOPE = "\"histogram$\"";

    private final PrivacyGuard guard;

    HistogramPrimitive(PrivacyGuard guard) {
        this.guard = requireNonNull(guard, "guard is null");
    }

    PrimitiveResult run(Connection connection, QueryScope scope, HistogramQuery query) throws SQLException {
        if (query.getVariable().isEmpty()) {
            throw RefusalException.caller(RefusalException.INVALID_QUERY, "histogram needs a variable");
        }
        Cde variable = scope.variable(query.getVariable());
        if (!variable.numerical() && !variable.categorical()) {
            throw RefusalException.caller(RefusalException.VARIABLE_TYPE, "The variable '" + variable.code() + "' is free text; "
                    + "a histogram needs a numerical or nominal variable");
        }
        List<Cde> groups = QueryScope.distinct(query.getGroupByList(), v -> scope.nominal(v, "a grouping variable of histogram"));
        double[] edges = query.getEdgesList().stream().mapToDouble(Double::doubleValue).toArray();
        checkEdges(variable, edges);
        Set<Cde> used = new LinkedHashSet<>();
        used.add(variable);
        used.addAll(groups);
        used.addAll(QueryScope.distinct(query.getCompleteInList(), scope::variable));
        List<Cde> complete = new ArrayList<>(used);
        String where = scope.complete(complete);
        boolean rangeOnly = variable.numerical() && edges.length == 0;
        if (rangeOnly) {
            guard.checkExtremes("a histogram asked without edges (for the range of '" + variable.code() + "')").ifPresent(v -> {
                throw RefusalException.caller(v.rule(), v.message());
            });
        }
        HistogramResult.Builder result = HistogramResult.newBuilder();
        long n = rangeOnly ? range(connection, scope, variable, where, result) : LevelsPrimitive.count(connection, scope, where);
        guard.checkRows(n, QueryScope.names(complete)).ifPresent(v -> {
            throw RefusalException.caller(v.rule(), v.message());
        });
        result.setN(n);
        if (n == 0) {
            return PrimitiveResult.newBuilder().setRowsUsed(0).setHistogram(result.clearMin().clearMax()).build();
        }
        if (!rangeOnly) {
            counts(connection, scope, variable, groups, edges, where, result);
        }
        return PrimitiveResult.newBuilder().setRowsUsed(n).setHistogram(result).build();
    }

    private static void checkEdges(Cde variable, double[] edges) {
        if (variable.categorical()) {
            if (edges.length > 0) {
                throw RefusalException.caller(RefusalException.INVALID_QUERY, "The variable '" + variable.code() + "' is nominal: its "
                        + "bins are its levels, so a histogram of it takes no edges");
            }
            return;
        }
        if (edges.length == 1 || edges.length > MAX_BINS + 1) {
            throw RefusalException.caller(RefusalException.INVALID_QUERY, "A histogram needs between 1 and " + MAX_BINS
                    + " bins, that is 2 to " + (MAX_BINS + 1) + " edges, not " + edges.length);
        }
        for (int i = 0; i < edges.length; i++) {
            if (!Double.isFinite(edges[i]) || (i > 0 && !(edges[i] > edges[i - 1]))) {
                throw RefusalException.caller(RefusalException.INVALID_QUERY, "The edges of a histogram must be finite and "
                        + "strictly increasing; edge " + i + " is " + edges[i]);
            }
        }
    }

    /** n, min and max of the variable over the complete rows; min and max are set only when n > 0. */
    private static long range(Connection connection, QueryScope scope, Cde variable, String where, HistogramResult.Builder result)
            throws SQLException {
        String x = scope.dialect().toDouble(scope.quote(variable));
        BoundSql sql = BoundSql.builder().sql("SELECT count(*), min(" + x + "), max(" + x + ") FROM " + scope.table() + " WHERE ")
                .append(scope.where()).sql(" AND " + where).build();
        try (PreparedStatement statement = sql.prepare(connection); ResultSet rows = statement.executeQuery()) {
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
    private void counts(Connection connection, QueryScope scope, Cde variable, List<Cde> groups, double[] edges, String where,
            HistogramResult.Builder result) throws SQLException {
        SqlDialect dialect = scope.dialect();
        List<String> bins = new ArrayList<>();
        BoundSql.Builder bin = BoundSql.builder();
        BoundSql.Builder inRange = BoundSql.builder();
        if (variable.categorical()) {
            bins.addAll(variable.enumerations().keySet());
            bin.sql(dialect.toText(scope.quote(variable)));
        }
        else {
            String x = dialect.toDouble(scope.quote(variable));
            for (int i = 0; i + 1 < edges.length; i++) {
                bins.add(Integer.toString(i));
            }
            if (edges.length == 2) {
                bin.sql("0");
            }
            for (int i = 1; i + 1 < edges.length; i++) {
                bin.sql(i == 1 ? "(" : " + ").sql("CASE WHEN " + x + " >= ").parameter(edges[i]).sql(" THEN 1 ELSE 0 END");
            }
            if (edges.length > 2) {
                bin.sql(")");
            }
            inRange.sql(" AND " + x + " >= ").parameter(edges[0]).sql(" AND " + x + " <= ").parameter(edges[edges.length - 1]);
        }
        BoundSql.Builder sql = BoundSql.builder().sql("WITH " + SCOPE + " AS (SELECT ").append(bin.build()).sql(" AS " + BIN);
        for (Cde group : groups) {
            sql.sql(", " + scope.quote(group));
        }
        sql.sql(" FROM " + scope.table() + " WHERE ").append(scope.where()).sql(" AND " + where).append(inRange.build())
                .sql(") SELECT -1, " + dialect.toText("NULL") + ", " + dialect.toText(BIN) + ", count(*) FROM " + SCOPE
                        + " GROUP BY " + BIN);
        for (int g = 0; g < groups.size(); g++) {
            String column = scope.quote(groups.get(g));
            sql.sql(" UNION ALL SELECT " + g + ", " + dialect.toText(column) + ", " + dialect.toText(BIN) + ", count(*) FROM " + SCOPE
                    + " GROUP BY " + column + ", " + BIN);
        }
        Map<String, Integer> binIndex = index(bins);
        long[] all = new long[bins.size()];
        List<Map<String, long[]>> byGroup = new ArrayList<>();
        for (Cde group : groups) {
            Map<String, long[]> levels = new HashMap<>();
            group.enumerations().keySet().forEach(level -> levels.put(level, new long[bins.size()]));
            byGroup.add(levels);
        }
        try (PreparedStatement statement = sql.build().prepare(connection); ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                int group = rows.getInt(1);
                Integer b = binIndex.get(rows.getString(3));
                if (b == null) {
                    // A stored value outside the data model's levels: the importer refuses those, so none is counted.
                    continue;
                }
                long[] target = group < 0 ? all : byGroup.get(group).get(rows.getString(2));
                if (target != null) {
                    target[b] += rows.getLong(4);
                }
            }
        }
        if (variable.categorical()) {
            result.addAllLevels(bins);
        }
        result.addHistograms(guarded(HistogramCounts.newBuilder(), all));
        for (int g = 0; g < groups.size(); g++) {
            Cde group = groups.get(g);
            for (String level : group.enumerations().keySet()) {
                result.addHistograms(guarded(HistogramCounts.newBuilder().setGroupVariable(group.code()).setGroupLevel(level),
                        byGroup.get(g).get(level)));
            }
        }
    }

    /**
     * The counts, each one between 1 and the node's minimum cell count withheld. When that withholds
     * a single count, the smallest other non-zero count is withheld too: the total and the others
     * would otherwise give the one back.
     */
    private HistogramCounts guarded(HistogramCounts.Builder histogram, long[] counts) {
        boolean[] withheld = new boolean[counts.length];
        int many = 0;
        int smallest = -1;
        for (int i = 0; i < counts.length; i++) {
            withheld[i] = !guard.releasableCount(counts[i]);
            if (withheld[i]) {
                many++;
            }
            else if (counts[i] > 0 && (smallest < 0 || counts[i] < counts[smallest])) {
                smallest = i;
            }
        }
        if (many == 1 && smallest >= 0) {
            withheld[smallest] = true;
        }
        for (int i = 0; i < counts.length; i++) {
            histogram.addCounts(withheld[i] ? 0 : counts[i]).addSuppressed(withheld[i]);
        }
        return histogram.build();
    }

    private static Map<String, Integer> index(List<String> bins) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < bins.size(); i++) {
            index.put(bins.get(i), i);
        }
        return index;
    }
}
