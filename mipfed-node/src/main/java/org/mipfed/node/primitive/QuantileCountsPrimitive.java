package org.mipfed.node.primitive;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.mipfed.core.model.Cde;
import org.mipfed.node.privacy.FigureRows;
import org.mipfed.node.privacy.PrivacyGuard;
import org.mipfed.node.privacy.PrivacyViolation;
import org.mipfed.node.store.StoreCatalog;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;
import org.mipfed.proto.v1.QuantileCountsQuery;
import org.mipfed.proto.v1.QuantileCountsResult;
import org.mipfed.proto.v1.ThresholdCount;
import org.roaringbitmap.RoaringBitmap;

/**
 * {@code quantile_counts}: over the selected rows complete in a numerical variable, their count, smallest and largest
 * value, and for each threshold t the count of rows at or below t with the data values on either side of t. The
 * manager's {@code quantiles} flow moves the thresholds, round after round, until a pooled count equals the rank it
 * seeks.
 *
 * <p>The rows behind the figures: n, min and max are over all the rows S; a threshold's count and its largest value at
 * or below are over S≤t, and its smallest value above over S>t. A count, or its complement n − count, between 1 and
 * the minimum cell count refuses the answer (rule {@code min_cell_count}); and since two thresholds whose S≤t differ
 * by a few rows would count those rows by subtraction (and bound their values by the values beside the thresholds),
 * every S≤t and S>t is compared with the others of the answer and with the rows behind earlier figures of the same
 * variable, whichever primitive released them, and must differ from each by 0 or at least the minimum cell count: a
 * clash refuses the answer (rule {@code differencing}). Every figure is a count of rows or a data value, so a node
 * without {@code release_extremes} refuses the primitive outright.
 */
final class QuantileCountsPrimitive implements Primitive<QuantileCountsQuery> {
    /** At most this many thresholds per answer: a flow needs a few per rank it seeks. */
    static final int MAX_THRESHOLDS = 64;

    @Override
    public PrimitiveQuery.PrimitiveCase kind() {
        return PrimitiveQuery.PrimitiveCase.QUANTILE_COUNTS;
    }

    @Override
    public QuantileCountsQuery query(PrimitiveQuery query) {
        return query.getQuantileCounts();
    }

    @Override
    public void variables(QuantileCountsQuery query, Set<String> names) {
        names.add(query.getVariable());
        names.addAll(query.getCompleteInList());
    }

    @Override
    public PrimitiveResult run(Connection connection, QueryScope scope, QuantileCountsQuery query) throws SQLException {
        PrivacyGuard guard = scope.guard();
        Cde variable = scope.numerical(query.getVariable(), "the variable of quantile counts");
        guard.checkExtremes("quantile counts of '" + variable.code() + "' (a quantile is a data value)")
                .ifPresent(v -> {
                    throw RefusalException.caller(v.rule(), v.message());
                });
        List<Double> thresholds = query.getThresholdsList();
        if (thresholds.size() > MAX_THRESHOLDS) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY,
                    "quantile_counts takes at most " + MAX_THRESHOLDS + " thresholds per request, not "
                            + thresholds.size());
        }
        for (double t : thresholds) {
            if (!Double.isFinite(t)) {
                throw RefusalException.caller(
                        RefusalException.INVALID_QUERY, "quantile_counts takes finite thresholds only, not " + t);
            }
        }
        List<Cde> complete = new ArrayList<>();
        complete.add(variable);
        for (Cde cde : QueryScope.distinct(query.getCompleteInList(), scope::variable)) {
            if (!cde.equals(variable)) {
                complete.add(cde);
            }
        }
        String value = scope.dialect().toDouble(scope.quote(variable));

        BoundSql.Builder sql = BoundSql.builder().sql("SELECT count(*), min(" + value + "), max(" + value + ")");
        for (double t : thresholds) {
            sql.sql(", sum(CASE WHEN " + value + " <= ")
                    .parameter(t)
                    .sql(" THEN 1 ELSE 0 END), max(CASE WHEN " + value + " <= ")
                    .parameter(t)
                    .sql(" THEN " + value + " END), min(CASE WHEN " + value + " > ")
                    .parameter(t)
                    .sql(" THEN " + value + " END)");
        }
        sql.sql(" FROM " + scope.table() + " WHERE ").append(scope.where()).sql(" AND " + scope.complete(complete));

        QuantileCountsResult.Builder result = QuantileCountsResult.newBuilder();
        long n;
        try (PreparedStatement statement = sql.build().prepare(connection);
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            n = rows.getLong(1);
            result.setN(n).setMin(orNaN(rows, 2)).setMax(orNaN(rows, 3));
            int column = 4;
            for (int i = 0; i < thresholds.size(); i++) {
                long atOrBelow = rows.getLong(column++);
                result.addCounts(ThresholdCount.newBuilder()
                        .setAtOrBelow(atOrBelow)
                        .setLargestAtOrBelow(orNaN(rows, column++))
                        .setSmallestAbove(orNaN(rows, column++)));
            }
        }
        String names = QueryScope.names(complete);
        guard.checkRows(n, names).ifPresent(v -> {
            throw RefusalException.caller(v.rule(), v.message());
        });
        for (ThresholdCount count : result.getCountsList()) {
            long below = count.getAtOrBelow();
            guard.checkCount(below, variable.code())
                    .or(() -> guard.checkCount(n - below, variable.code()))
                    .ifPresent(v -> {
                        throw RefusalException.caller(v.rule(), v.message());
                    });
        }
        if (n > 0) {
            checkDifferences(connection, scope, variable, complete, value, thresholds);
        }
        return PrimitiveResult.newBuilder()
                .setRowsUsed(n)
                .setQuantileCounts(result)
                .build();
    }

    private static double orNaN(ResultSet rows, int column) throws SQLException {
        double value = rows.getDouble(column);
        return rows.wasNull() ? Double.NaN : value;
    }

    /**
     * The rows behind each figure, S, S≤t and S>t for every threshold, against each other and the rows behind earlier
     * figures of the variable; a clash refuses the whole answer, since a flow cannot find a rank from withheld counts.
     * Two thresholds' counts make a histogram bin (the rows between them) by subtraction, so S≤t and S>t are compared as
     * cells: they must differ by no fewer rows than the minimum cell count, as every count released must hold; S (n,
     * the minimum and the maximum) as values, by no fewer than the minimum of rows.
     */
    private static void checkDifferences(
            Connection connection,
            QueryScope scope,
            Cde variable,
            List<Cde> complete,
            String value,
            List<Double> thresholds)
            throws SQLException {
        RoaringBitmap all = new RoaringBitmap();
        List<RoaringBitmap> below = new ArrayList<>();
        List<RoaringBitmap> above = new ArrayList<>();
        for (int i = 0; i < thresholds.size(); i++) {
            below.add(new RoaringBitmap());
            above.add(new RoaringBitmap());
        }
        BoundSql sql = BoundSql.builder()
                .sql("SELECT " + scope.dialect().quote(StoreCatalog.ROW_ID) + ", " + value + " FROM " + scope.table()
                        + " WHERE ")
                .append(scope.where())
                .sql(" AND " + scope.complete(complete))
                .build();
        RowIds.read(connection, sql, (id, row) -> {
            double v = row.getDouble(2);
            all.add(id);
            for (int i = 0; i < thresholds.size(); i++) {
                (v <= thresholds.get(i) ? below : above).get(i).add(id);
            }
        });
        List<FigureRows> sets = new ArrayList<>();
        sets.add(FigureRows.values(variable.code(), all));
        for (int i = 0; i < thresholds.size(); i++) {
            sets.add(FigureRows.cell(variable.code(), below.get(i)));
            sets.add(FigureRows.cell(variable.code(), above.get(i)));
        }
        if (!scope.guard().checkFigureRows(scope.model().id(), sets).isEmpty()) {
            PrivacyViolation violation = scope.guard().figureDifferencing();
            throw RefusalException.caller(violation.rule(), violation.message());
        }
    }
}
