package org.mipfed.node.primitive;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.node.privacy.FigureRows;
import org.mipfed.node.privacy.PrivacyGuard;
import org.mipfed.node.store.SqlDialect;
import org.mipfed.node.store.StoreCatalog;
import org.mipfed.proto.v1.DescribeQuery;
import org.mipfed.proto.v1.DescribeResult;
import org.mipfed.proto.v1.NumericalSummary;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;
import org.mipfed.proto.v1.VariableSummary;
import org.roaringbitmap.RoaringBitmap;

/**
 * {@code describe}: per dataset and variable, counts and (numerical) mean, sum of squared
 * deviations, min, max and quartiles, or (nominal) level counts, once over all the dataset's rows
 * ("variable based") and once over its rows complete in every requested variable ("model based").
 * One grouped statement per block of numerical variables and one for all level counts.
 */
final class DescribePrimitive implements Primitive<DescribeQuery> {
    /** Numerical variables per statement: 15 columns each stays far below PostgreSQL's 1664. */
    private static final int VARIABLES_PER_STATEMENT = 40;

    private static final double[] QUARTILES = {0.25, 0.5, 0.75};
    private static final String COMPLETE = "\"complete$\"";
    private static final String DATASET = "\"ds$\"";

    @Override
    public PrimitiveQuery.PrimitiveCase kind() {
        return PrimitiveQuery.PrimitiveCase.DESCRIBE;
    }

    @Override
    public DescribeQuery query(PrimitiveQuery query) {
        return query.getDescribe();
    }

    @Override
    public void variables(DescribeQuery query, Set<String> names) {
        names.addAll(query.getNumericalList());
        names.addAll(query.getNominalList());
    }

    @Override
    public PrimitiveResult run(Connection connection, QueryScope scope, DescribeQuery query) throws SQLException {
        PrivacyGuard guard = scope.guard();
        List<Cde> numerical = QueryScope.distinct(
                query.getNumericalList(), v -> scope.numerical(v, "a numerical variable of describe"));
        List<Cde> nominal =
                QueryScope.distinct(query.getNominalList(), v -> scope.nominal(v, "a nominal variable of describe"));
        for (Cde cde : nominal) {
            if (numerical.contains(cde)) {
                throw RefusalException.caller(
                        RefusalException.INVALID_QUERY,
                        "The variable '" + cde.code() + "' is asked for as both "
                                + "numerical and nominal; name it once");
            }
        }
        if (numerical.isEmpty() && nominal.isEmpty()) {
            throw RefusalException.caller(RefusalException.INVALID_QUERY, "describe needs at least one variable");
        }
        List<Cde> all = new ArrayList<>(numerical);
        all.addAll(nominal);
        String complete = scope.complete(all);
        Map<String, DatasetFigures> figures = new HashMap<>();
        int blocks = Math.max(1, (numerical.size() + VARIABLES_PER_STATEMENT - 1) / VARIABLES_PER_STATEMENT);
        for (int block = 0; block < blocks; block++) {
            List<Cde> moments = numerical.subList(
                    block * VARIABLES_PER_STATEMENT, Math.min(numerical.size(), (block + 1) * VARIABLES_PER_STATEMENT));
            moments(connection, scope, complete, moments, block == 0 ? nominal : List.of(), figures);
        }
        if (!nominal.isEmpty()) {
            levels(connection, scope, complete, nominal, figures);
        }
        List<String> datasets = scope.datasets();
        VariableSummary[][] variableBased = new VariableSummary[datasets.size()][all.size()];
        VariableSummary[][] modelBased = new VariableSummary[datasets.size()][all.size()];
        long rows = 0;
        for (int d = 0; d < datasets.size(); d++) {
            String dataset = datasets.get(d);
            DatasetFigures f = figures.get(dataset);
            rows += f == null ? 0 : f.rows;
            for (int v = 0; v < all.size(); v++) {
                Cde cde = all.get(v);
                if (f == null) {
                    variableBased[d][v] = PrivacyGuard.suppressed(cde.code(), dataset);
                    modelBased[d][v] = PrivacyGuard.suppressed(cde.code(), dataset);
                } else {
                    variableBased[d][v] = guard.guard(summary(
                            cde,
                            dataset,
                            f.rows,
                            f.values.get(cde.code()),
                            f.all.get(cde.code()),
                            f.levels.get(cde.code())));
                    modelBased[d][v] = guard.guard(summary(
                            cde,
                            dataset,
                            f.complete,
                            f.complete,
                            f.completeOnly.get(cde.code()),
                            f.completeLevels.get(cde.code())));
                }
            }
        }
        withholdDifferences(connection, scope, all, variableBased, modelBased);
        DescribeResult.Builder result = DescribeResult.newBuilder();
        for (int d = 0; d < datasets.size(); d++) {
            for (int v = 0; v < all.size(); v++) {
                result.addVariableBased(variableBased[d][v]);
                result.addModelBased(modelBased[d][v]);
            }
        }
        return PrimitiveResult.newBuilder()
                .setRowsUsed(rows)
                .setDescribe(result)
                .build();
    }

    /**
     * Differencing between the figures of this answer and earlier ones: per dataset, each variable's
     * summary over its own rows (variable based) and over the complete rows (model based) are
     * summaries of the same variable over two row sets; where those differ by a few rows, n × mean of
     * one minus n × mean of the other is those rows' sum (their levels, for level counts). The guard
     * keeps the variable-based summaries first, then the model-based ones, then the totals over all
     * datasets that the manager adds up from them; a summary whose rows clash is suppressed (a total's
     * clash suppresses that variable's summaries in every dataset).
     */
    private void withholdDifferences(
            Connection connection,
            QueryScope scope,
            List<Cde> all,
            VariableSummary[][] variableBased,
            VariableSummary[][] modelBased)
            throws SQLException {
        PrivacyGuard guard = scope.guard();
        List<String> datasets = scope.datasets();
        RoaringBitmap[][] own = new RoaringBitmap[datasets.size()][all.size()];
        RoaringBitmap[] complete = new RoaringBitmap[datasets.size()];
        for (int d = 0; d < datasets.size(); d++) {
            complete[d] = new RoaringBitmap();
            for (int v = 0; v < all.size(); v++) {
                own[d][v] = new RoaringBitmap();
            }
        }
        Map<String, Integer> index = new HashMap<>();
        for (int d = 0; d < datasets.size(); d++) {
            index.put(datasets.get(d), d);
        }
        StringBuilder select = new StringBuilder("SELECT " + scope.dialect().quote(StoreCatalog.ROW_ID) + ", "
                + scope.dialect().quote(DataModel.DATASET));
        for (Cde cde : all) {
            select.append(", CASE WHEN ").append(scope.quote(cde)).append(" IS NULL THEN 0 ELSE 1 END");
        }
        BoundSql sql = BoundSql.builder()
                .sql(select + " FROM " + scope.table() + " WHERE ")
                .append(scope.where())
                .build();
        RowIds.read(connection, sql, (id, row) -> {
            Integer d = index.get(row.getString(2));
            if (d == null) {
                return;
            }
            boolean whole = true;
            for (int v = 0; v < all.size(); v++) {
                if (row.getInt(v + 3) == 1) {
                    own[d][v].add(id);
                } else {
                    whole = false;
                }
            }
            if (whole) {
                complete[d].add(id);
            }
        });
        String model = scope.model().id();
        List<FigureRows> sets = new ArrayList<>();
        List<VariableSummary[]> blocks = new ArrayList<>();
        List<int[]> at = new ArrayList<>();
        for (VariableSummary[][] block : List.of(variableBased, modelBased)) {
            for (int d = 0; d < datasets.size(); d++) {
                for (int v = 0; v < all.size(); v++) {
                    if (!block[d][v].getSuppressed()) {
                        sets.add(
                                FigureRows.values(all.get(v).code(), block == variableBased ? own[d][v] : complete[d]));
                        blocks.add(block[d]);
                        at.add(new int[] {d, v});
                    }
                }
            }
        }
        BitSet withheld = guard.checkFigureRows(model, sets);
        for (int i = withheld.nextSetBit(0); i >= 0; i = withheld.nextSetBit(i + 1)) {
            int[] where = at.get(i);
            blocks.get(i)[where[1]] = PrivacyGuard.suppressed(all.get(where[1]).code(), datasets.get(where[0]));
        }
        if (datasets.size() < 2) {
            return;
        }
        // The manager adds the released summaries of the datasets up: those totals are figures over the union of their
        // rows.
        List<FigureRows> totals = new ArrayList<>();
        List<VariableSummary[][]> totalBlocks = new ArrayList<>();
        List<Integer> totalVariables = new ArrayList<>();
        for (VariableSummary[][] block : List.of(variableBased, modelBased)) {
            for (int v = 0; v < all.size(); v++) {
                RoaringBitmap union = new RoaringBitmap();
                int released = 0;
                for (int d = 0; d < datasets.size(); d++) {
                    if (!block[d][v].getSuppressed()) {
                        union.or(block == variableBased ? own[d][v] : complete[d]);
                        released++;
                    }
                }
                if (released > 1) {
                    totals.add(FigureRows.values(all.get(v).code(), union));
                    totalBlocks.add(block);
                    totalVariables.add(v);
                }
            }
        }
        BitSet clashing = guard.checkFigureRows(model, totals);
        for (int i = clashing.nextSetBit(0); i >= 0; i = clashing.nextSetBit(i + 1)) {
            int v = totalVariables.get(i);
            for (int d = 0; d < datasets.size(); d++) {
                totalBlocks.get(i)[d][v] = PrivacyGuard.suppressed(all.get(v).code(), datasets.get(d));
            }
        }
    }

    /** Describe's figures are per dataset: a dataset with too few rows is withheld, the others answered. */
    @Override
    public boolean perDataset() {
        return true;
    }

    /** The result with every summary of the {@code withheld} datasets suppressed. */
    @Override
    public PrimitiveResult withhold(PrimitiveResult result, Set<String> withheld) {
        if (withheld.isEmpty()) {
            return result;
        }
        DescribeResult.Builder describe = DescribeResult.newBuilder();
        for (VariableSummary s : result.getDescribe().getVariableBasedList()) {
            describe.addVariableBased(
                    withheld.contains(s.getDataset()) ? PrivacyGuard.suppressed(s.getVariable(), s.getDataset()) : s);
        }
        for (VariableSummary s : result.getDescribe().getModelBasedList()) {
            describe.addModelBased(
                    withheld.contains(s.getDataset()) ? PrivacyGuard.suppressed(s.getVariable(), s.getDataset()) : s);
        }
        return result.toBuilder().setDescribe(describe).build();
    }

    private static VariableSummary summary(
            Cde cde, String dataset, long rows, Long values, NumericalSummary moments, Map<String, Long> levels) {
        long present = values == null ? 0 : values;
        VariableSummary.Builder summary = VariableSummary.newBuilder()
                .setVariable(cde.code())
                .setDataset(dataset)
                .setNumTotal(rows)
                .setNumDtps(present)
                .setNumNa(rows - present);
        if (moments != null && present > 0) {
            summary.setNumerical(moments);
        }
        if (levels != null) {
            summary.putAllCounts(levels);
        }
        return summary.build();
    }

    private void moments(
            Connection connection,
            QueryScope scope,
            String complete,
            List<Cde> numerical,
            List<Cde> nominal,
            Map<String, DatasetFigures> figures)
            throws SQLException {
        SqlDialect dialect = scope.dialect();
        String dataset = dialect.quote(DataModel.DATASET);
        StringBuilder select = new StringBuilder("SELECT ")
                .append(dataset)
                .append(", count(*), ")
                .append(dialect.filtered("count(*)", complete));
        for (Cde cde : numerical) {
            String x = dialect.toDouble(scope.quote(cde));
            select.append(", count(").append(scope.quote(cde)).append(')');
            for (String condition : new String[] {null, complete}) {
                select.append(", ")
                        .append(dialect.filtered("avg(" + x + ")", condition))
                        .append(", ")
                        .append(dialect.filtered("var_pop(" + x + ")", condition))
                        .append(", ")
                        .append(dialect.filtered("min(" + x + ")", condition))
                        .append(", ")
                        .append(dialect.filtered("max(" + x + ")", condition));
                for (double quartile : QUARTILES) {
                    select.append(", ").append(dialect.filtered(dialect.quantile(x, quartile), condition));
                }
            }
        }
        for (Cde cde : nominal) {
            select.append(", count(").append(scope.quote(cde)).append(')');
        }
        BoundSql sql = BoundSql.builder()
                .sql(select + " FROM " + scope.table() + " WHERE ")
                .append(scope.where())
                .sql(" GROUP BY " + dataset)
                .build();
        try (PreparedStatement statement = sql.prepare(connection);
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                DatasetFigures f = figures.computeIfAbsent(rows.getString(1), k -> new DatasetFigures());
                f.rows = rows.getLong(2);
                f.complete = rows.getLong(3);
                int column = 4;
                for (Cde cde : numerical) {
                    long values = rows.getLong(column++);
                    f.values.put(cde.code(), values);
                    f.all.put(cde.code(), numericalSummary(rows, column, values));
                    column += 7;
                    f.completeOnly.put(cde.code(), numericalSummary(rows, column, f.complete));
                    column += 7;
                }
                for (Cde cde : nominal) {
                    f.values.put(cde.code(), rows.getLong(column++));
                }
            }
        }
    }

    /** Reads mean, population variance, min, max and quartiles; m2 = variance × n, as var_pop is computed stably. */
    private static NumericalSummary numericalSummary(ResultSet rows, int column, long values) throws SQLException {
        if (values == 0) {
            return null;
        }
        return NumericalSummary.newBuilder()
                .setMean(rows.getDouble(column))
                .setM2(rows.getDouble(column + 1) * values)
                .setMin(rows.getDouble(column + 2))
                .setMax(rows.getDouble(column + 3))
                .setQ1(rows.getDouble(column + 4))
                .setQ2(rows.getDouble(column + 5))
                .setQ3(rows.getDouble(column + 6))
                .build();
    }

    private static void levels(
            Connection connection,
            QueryScope scope,
            String complete,
            List<Cde> nominal,
            Map<String, DatasetFigures> figures)
            throws SQLException {
        SqlDialect dialect = scope.dialect();
        Set<String> columns = new LinkedHashSet<>();
        nominal.forEach(cde -> columns.add(scope.quote(cde)));
        BoundSql.Builder sql = BoundSql.builder()
                .sql("WITH \"scope$\" AS (SELECT " + dialect.quote(DataModel.DATASET)
                        + " AS " + DATASET + ", (" + complete + ") AS " + COMPLETE + ", " + String.join(", ", columns)
                        + " FROM " + scope.table()
                        + " WHERE ")
                .append(scope.where())
                .sql(") ");
        for (int i = 0; i < nominal.size(); i++) {
            String column = scope.quote(nominal.get(i));
            sql.sql((i == 0 ? "" : " UNION ALL ") + "SELECT " + i + ", " + DATASET + ", " + dialect.toText(column)
                    + ", count(*), "
                    + dialect.filtered("count(*)", COMPLETE) + " FROM \"scope$\" WHERE " + column
                    + " IS NOT NULL GROUP BY "
                    + DATASET + ", " + column);
        }
        try (PreparedStatement statement = sql.build().prepare(connection);
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                String variable = nominal.get(rows.getInt(1)).code();
                DatasetFigures f = figures.computeIfAbsent(rows.getString(2), k -> new DatasetFigures());
                String level = rows.getString(3);
                f.levels.computeIfAbsent(variable, k -> new TreeMap<>()).put(level, rows.getLong(4));
                long inComplete = rows.getLong(5);
                Map<String, Long> completeLevels = f.completeLevels.computeIfAbsent(variable, k -> new TreeMap<>());
                if (inComplete > 0) {
                    completeLevels.put(level, inComplete);
                }
            }
        }
    }

    /** What the statements found for one dataset. */
    private static final class DatasetFigures {
        long rows;
        long complete;
        final Map<String, Long> values = new HashMap<>();
        final Map<String, NumericalSummary> all = new HashMap<>();
        final Map<String, NumericalSummary> completeOnly = new HashMap<>();
        final Map<String, Map<String, Long>> levels = new HashMap<>();
        final Map<String, Map<String, Long>> completeLevels = new HashMap<>();
    }
}
