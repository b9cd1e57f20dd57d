package org.mipfed.node.primitive;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mipfed.core.model.Cde;
import org.mipfed.node.privacy.PrivacyGuard;
import org.mipfed.node.privacy.PrivacyRefusals;
import org.mipfed.node.privacy.PrivacyViolation;
import org.mipfed.node.store.StoreCatalog;
import org.mipfed.proto.v1.CrossProductsQuery;
import org.mipfed.proto.v1.CrossProductsResult;
import org.mipfed.proto.v1.DesignColumn;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;
import org.roaringbitmap.RoaringBitmap;

/**
 * {@code cross_products}: n, column means and the centred co-moment matrix of a design over the
 * rows complete in every variable it uses (and in those of {@code complete_in}), in one pass over
 * them: sums of products of deviations from values near the means (the means of the first rows),
 * corrected by the deviations' own sums (see {@link #centredSums}).
 *
 * <p>A numerical column may be transformed per row ({@code log} or {@code exp}). The pass also
 * finds the smallest value of each logged variable and the largest of each exponentiated one, so a
 * transformation that has no finite value on some row is refused before any sum is returned; the SQL
 * guards the functions, so that no row makes the store fail first.
 */
final class CrossProductsPrimitive implements Primitive<CrossProductsQuery> {
    /** Sums per statement, well below PostgreSQL's 1664 result columns. */
    private static final int SUMS_PER_STATEMENT = 1000;
    /** The rows whose means the columns are centred on. */
    private static final int SHIFT_ROWS = 10_000;
    /** The rule of a refused transformation. */
    static final String TRANSFORM = "transform";

    static final String LOG = "log";
    static final String EXP = "exp";
    /** Exareme2's words, which its clients look for. */
    static final String LOG_NON_POSITIVE = "Log transformation cannot be applied to non-positive values.";
    /**
     * The largest value whose exponential is still usable: e^300 is about 2e130, so the sums of
     * squared deviations of such values over millions of rows stay finite in a double.
     */
    static final double EXP_LIMIT = 300;

    @Override
    public PrimitiveQuery.PrimitiveCase kind() {
        return PrimitiveQuery.PrimitiveCase.CROSS_PRODUCTS;
    }

    @Override
    public CrossProductsQuery query(PrimitiveQuery query) {
        return query.getCrossProducts();
    }

    @Override
    public void variables(CrossProductsQuery query, Set<String> names) {
        query.getColumnsList().stream().map(DesignColumn::getVariable).forEach(names::add);
        names.addAll(query.getCompleteInList());
    }

    @Override
    public PrimitiveResult run(Connection connection, QueryScope scope, CrossProductsQuery query) throws SQLException {
        PrivacyGuard guard = scope.guard();
        if (query.getColumnsCount() == 0) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY, "cross_products needs at least one design column");
        }
        List<BoundSql> columns = new ArrayList<>();
        Set<Cde> used = new LinkedHashSet<>();
        Set<Transformed> transformed = new LinkedHashSet<>();
        for (DesignColumn column : query.getColumnsList()) {
            columns.add(expression(scope, column, used, transformed));
        }
        Set<Cde> described = new LinkedHashSet<>(used);
        used.addAll(QueryScope.distinct(query.getCompleteInList(), scope::variable));
        int p = columns.size();
        String complete = scope.complete(new ArrayList<>(used));
        // One statement, one pass: n, the extreme value each transformation depends on (min for log, max for
        // exp), the shifts, then the sums of deviations from the shifts and of their products.
        List<Transformed> extremes = new ArrayList<>(transformed);
        RoaringBitmap rows = new RoaringBitmap();
        double[] values = centredSums(connection, scope, columns, complete, extremes, rows);
        long n = Math.round(values[0]);
        guard.checkRows(n, QueryScope.names(new ArrayList<>(used))).ifPresent(v -> {
            throw RefusalException.caller(v.rule(), v.message());
        });
        if (n == 0) {
            return PrimitiveResult.newBuilder()
                    .setRowsUsed(0)
                    .setCrossProducts(CrossProductsResult.newBuilder().setN(0))
                    .build();
        }
        double[] shifts = Arrays.copyOfRange(values, 1 + extremes.size(), 1 + extremes.size() + p);
        double[] sums = Arrays.copyOfRange(values, 1 + extremes.size() + p, values.length);
        guard.checkParameters(parameters(query.getColumnsList(), n, shifts, sums), n)
                .ifPresent(v -> {
                    throw RefusalException.caller(v.rule(), v.message());
                });
        checkTransforms(transformed, Arrays.copyOfRange(values, 1, 1 + extremes.size()));
        RowIds.checkModelRows(scope, guard, described, rows);
        CrossProductsResult.Builder result = CrossProductsResult.newBuilder().setN(n);
        for (int i = 0; i < p; i++) {
            result.addMeans(shifts[i] + sums[i] / n);
        }
        double[] comoments = new double[p * p];
        int k = p;
        for (int i = 0; i < p; i++) {
            for (int j = i; j < p; j++) {
                double c = sums[k++] - sums[i] * sums[j] / n;
                comoments[i * p + j] = c;
                comoments[j * p + i] = c;
            }
        }
        checkIndicatorCounts(guard, query.getColumnsList(), n, result.getMeansList(), comoments);
        for (double c : comoments) {
            result.addComoments(c);
        }
        return PrimitiveResult.newBuilder()
                .setRowsUsed(n)
                .setCrossProducts(result)
                .build();
    }

    /**
     * A column as a double expression: the variable, possibly transformed, or the 0/1 indicator of
     * one of its levels (bound). Records each transformed variable in {@code transformed}.
     */
    private static BoundSql expression(
            QueryScope scope, DesignColumn column, Set<Cde> used, Set<Transformed> transformed) {
        String transform = column.getTransform();
        if (!transform.isEmpty() && !LOG.equals(transform) && !EXP.equals(transform)) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY,
                    "Unknown transformation '" + SqlFilterCompiler.shorten(transform) + "' of '"
                            + SqlFilterCompiler.shorten(column.getVariable()) + "'; this node applies log and exp");
        }
        if (column.getLevel().isEmpty()) {
            Cde cde = scope.numerical(column.getVariable(), "a design column without a level");
            used.add(cde);
            String value = scope.dialect().toDouble(scope.quote(cde));
            if (transform.isEmpty()) {
                return BoundSql.builder().sql(value).build();
            }
            transformed.add(new Transformed(cde, transform));
            // Guarded, so that no row makes the store fail before checkTransforms refuses cleanly.
            return BoundSql.builder()
                    .sql(
                            LOG.equals(transform)
                                    ? "ln(CASE WHEN " + value + " > 0 THEN " + value + " END)"
                                    : "exp(CASE WHEN " + value + " <= " + (long) EXP_LIMIT + " THEN " + value + " END)")
                    .build();
        }
        if (!transform.isEmpty()) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY,
                    "The indicator of a level of '" + SqlFilterCompiler.shorten(column.getVariable())
                            + "' cannot be transformed; only numerical columns can");
        }
        Cde cde = scope.nominal(column.getVariable(), "a design column with a level");
        BoundSql indicator = LevelIndicator.of(scope, cde, column.getLevel());
        used.add(cde);
        return indicator;
    }

    /**
     * The parameters {@code max_parameter_ratio} counts: the design columns with at least one row on this node (an
     * indicator that is zero on every selected row carries no information, and the manager asks for every level the
     * data model enumerates), less one for each variable whose indicators cover every selected row (a full coding:
     * together they are the intercept's column, so a model fitted on them has one parameter fewer). A design that
     * leaves out a reference level with rows counts as before: its indicators with rows, nothing less.
     */
    static int parameters(List<DesignColumn> columns, long n, double[] shifts, double[] sums) {
        int parameters = 0;
        Map<String, Long> covered = new HashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            DesignColumn column = columns.get(i);
            if (column.getLevel().isEmpty()) {
                parameters++;
                continue;
            }
            // The indicator's ones: n times its mean, the shift plus the deviations' mean.
            long ones = Math.round(n * shifts[i] + sums[i]);
            if (ones > 0) {
                parameters++;
                covered.merge(column.getVariable(), ones, Long::sum);
            }
        }
        for (long ones : covered.values()) {
            if (ones == n) {
                parameters--;
            }
        }
        return parameters;
    }

    /**
     * Refuses an answer that would reveal a small count through its level indicators (see
     * {@link LevelIndicator#checkCounts}): each indicator's ones are n × its mean, and two indicators' rows at both
     * levels are their co-moment plus n × the product of their means.
     */
    static void checkIndicatorCounts(
            PrivacyGuard guard, List<DesignColumn> columns, long n, List<Double> means, double[] comoments) {
        int p = columns.size();
        List<String> indicated = columns.stream()
                .map(c -> c.getLevel().isEmpty() ? "" : c.getVariable())
                .toList();
        long[] ones = new long[p];
        long[][] both = new long[p][p];
        for (int i = 0; i < p; i++) {
            if (!indicated.get(i).isEmpty()) {
                ones[i] = Math.round(n * means.get(i));
            }
            for (int j = i + 1; j < p; j++) {
                if (LevelIndicator.crossed(indicated, i, j)) {
                    both[i][j] = Math.round(comoments[i * p + j] + n * means.get(i) * means.get(j));
                    both[j][i] = both[i][j];
                }
            }
        }
        LevelIndicator.checkCounts(guard, indicated, n, ones, both);
    }

    /** Refuses a transformation that some selected row has no finite value for. */
    private static void checkTransforms(Set<Transformed> transformed, double[] extremes) {
        int i = 0;
        for (Transformed entry : transformed) {
            double extreme = extremes[i++];
            String variable = entry.cde().code();
            // Data-dependent (whether some selected row is non-positive, or too large): a fixed text, counted by the
            // budget.
            if (LOG.equals(entry.transform()) && !(extreme > 0)) {
                PrivacyViolation v = PrivacyRefusals.transform(TRANSFORM, LOG_NON_POSITIVE, variable, LOG);
                throw RefusalException.caller(v.rule(), v.message());
            }
            if (EXP.equals(entry.transform()) && extreme > EXP_LIMIT) {
                PrivacyViolation v = PrivacyRefusals.transform(
                        TRANSFORM,
                        "Exp transformation cannot be applied to values whose exponential " + "overflows.",
                        variable,
                        EXP);
                throw RefusalException.caller(v.rule(), v.message());
            }
        }
    }

    /**
     * count(*) and the extreme value of each transformed variable (min for log, max for exp) over the selected rows;
     * then the shifts, what the columns are centred on; then Σ(x_i - s_i) for each column and Σ(x_i - s_i)(x_j - s_j)
     * for i ≤ j in row-major order. One statement (two, or more, only past {@value #SUMS_PER_STATEMENT} sums), so a
     * small selection pays for one query, not two.
     *
     * <p>The shifts are the columns' means over the first {@link #SHIFT_ROWS} selected rows, which cost a fraction
     * of a pass. Sums of deviations from a value near the mean, corrected by the deviations' own sums, are as precise
     * as from the mean itself (the "corrected two-pass" algorithm), so large offsets such as brain volumes in mm³
     * lose no precision. A column with no finite mean among those rows (a log of non-positive values, say) is
     * centred on 0. The selected rows are a common table expression that both the shifts and the sums read, NOT
     * MATERIALIZED: each reads it as it scans (the shifts stop after their rows), where a materialized one would hold
     * every selected row in memory. The first statement also gathers the selected rows' ids into {@code rows}, for
     * the differencing of the model's rows ({@link RowIds#checkModelRows}) without a statement of its own.
     */
    private static double[] centredSums(
            Connection connection,
            QueryScope scope,
            List<BoundSql> columns,
            String complete,
            List<Transformed> transformed,
            RoaringBitmap rows)
            throws SQLException {
        int p = columns.size();
        BoundSql.Builder with = BoundSql.builder().sql("WITH \"selected$\" AS NOT MATERIALIZED (SELECT ");
        for (int i = 0; i < p; i++) {
            with.sql(i == 0 ? "" : ", ").append(columns.get(i)).sql(" AS " + value(i));
        }
        List<String> sums = new ArrayList<>();
        sums.add("count(*)");
        for (int k = 0; k < transformed.size(); k++) {
            Transformed t = transformed.get(k);
            with.sql(", " + scope.dialect().toDouble(scope.quote(t.cde())) + " AS \"e$" + k + "\"");
            sums.add((LOG.equals(t.transform()) ? "min(" : "max(") + "\"e$" + k + "\")");
        }
        with.sql(", " + scope.dialect().quote(StoreCatalog.ROW_ID) + " AS \"id$\"");
        with.sql(" FROM " + scope.table() + " WHERE ")
                .append(scope.where())
                .sql(" AND " + complete + "), \"shift$\" AS (SELECT ");
        for (int i = 0; i < p; i++) {
            String mean = "avg(" + value(i) + ")";
            // NULL (no row), infinite or NaN: centred on 0 instead.
            with.sql((i == 0 ? "" : ", ") + "CASE WHEN abs(" + mean + ") < 1e308 THEN " + mean + " ELSE 0 END AS "
                    + shift(i));
        }
        with.sql(" FROM (SELECT * FROM \"selected$\" LIMIT " + SHIFT_ROWS + ") \"sample$\") ");
        BoundSql prefix = with.build();
        for (int i = 0; i < p; i++) {
            sums.add("max(" + shift(i) + ")");
        }
        for (int i = 0; i < p; i++) {
            sums.add("sum(" + deviation(i) + ")");
        }
        for (int i = 0; i < p; i++) {
            for (int j = i; j < p; j++) {
                sums.add("sum(" + deviation(i) + " * " + deviation(j) + ")");
            }
        }
        double[] values = new double[sums.size()];
        for (int start = 0; start < sums.size(); start += SUMS_PER_STATEMENT) {
            List<String> block = sums.subList(start, Math.min(sums.size(), start + SUMS_PER_STATEMENT));
            String ids = start == 0 ? ", " + scope.dialect().idsOf("\"id$\"") : "";
            BoundSql sql = BoundSql.builder()
                    .append(prefix)
                    .sql("SELECT " + String.join(", ", block) + ids + " FROM \"selected$\" CROSS JOIN \"shift$\"")
                    .build();
            try (PreparedStatement statement = sql.prepare(connection);
                    ResultSet result = statement.executeQuery()) {
                result.next();
                for (int k = 0; k < block.size(); k++) {
                    values[start + k] = result.getDouble(k + 1);
                }
                if (start == 0) {
                    rows.or(RowIds.bitmap(result, block.size() + 1));
                }
            }
        }
        return values;
    }

    /** A column's value in the selected rows. */
    private static String value(int column) {
        return "\"v$" + column + "\"";
    }

    /** What a column is centred on. */
    private static String shift(int column) {
        return "\"s$" + column + "\"";
    }

    /** A column's deviation from its shift. */
    private static String deviation(int column) {
        return "(" + value(column) + " - " + shift(column) + ")";
    }

    /** A variable that a column transforms, and how. */
    private record Transformed(Cde cde, String transform) {}
}
