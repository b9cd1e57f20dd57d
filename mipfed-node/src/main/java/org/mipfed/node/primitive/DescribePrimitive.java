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
import java.util.TreeMap;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.node.privacy.PrivacyGuard;
import org.mipfed.node.store.SqlDialect;
import org.mipfed.proto.v1.DescribeQuery;
import org.mipfed.proto.v1.DescribeResult;
import org.mipfed.proto.v1.NumericalSummary;
import org.mipfed.proto.v1.PrimitiveResult;
import org.mipfed.proto.v1.VariableSummary;

/**
 * {@code describe}: per dataset and variable, counts and (numerical) mean, sum of squared
 * deviations, min, max and quartiles, or (nominal) level counts, once over all the dataset's rows
 * ("variable based") and once over its rows complete in every requested variable ("model based").
 * One grouped statement per block of numerical variables and one for all level counts.
 */
final class DescribePrimitive {
    /** Numerical variables per statement: 15 columns each stays far below PostgreSQL's 1664. */
    private static final int VARIABLES_PER_STATEMENT = 40;
    private static final double[] QUARTILES = {0.25, 0.5, 0.75};
    private static final String COMPLETE = "\"complete$\"";
    private static final String DATASET = "\"ds$\"";

    private final PrivacyGuard guard;

    DescribePrimitive(PrivacyGuard guard) {
        this.guard = requireNonNull(guard, "guard is null");
    }

    PrimitiveResult run(Connection connection, QueryScope scope, DescribeQuery query) throws SQLException {
        List<Cde> numerical = QueryScope.distinct(query.getNumericalList(), v -> scope.numerical(v, "a numerical variable of describe"));
        List<Cde> nominal = QueryScope.distinct(query.getNominalList(), v -> scope.nominal(v, "a nominal variable of describe"));
        for (Cde cde : nominal) {
            if (numerical.contains(cde)) {
                throw RefusalException.caller(RefusalException.INVALID_QUERY, "The variable '" + cde.code() + "' is asked for as both "
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
            List<Cde> moments = numerical.subList(block * VARIABLES_PER_STATEMENT,
                    Math.min(numerical.size(), (block + 1) * VARIABLES_PER_STATEMENT));
            moments(connection, scope, complete, moments, block == 0 ? nominal : List.of(), figures);
        }
        if (!nominal.isEmpty()) {
            levels(connection, scope, complete, nominal, figures);
        }
        DescribeResult.Builder result = DescribeResult.newBuilder();
        long rows = 0;
        for (String dataset : scope.datasets()) {
            DatasetFigures f = figures.get(dataset);
            rows += f == null ? 0 : f.rows;
            for (Cde cde : all) {
                if (f == null) {
                    result.addVariableBased(PrivacyGuard.suppressed(cde.code(), dataset));
                    result.addModelBased(PrivacyGuard.suppressed(cde.code(), dataset));
                }
                else {
                    result.addVariableBased(guard.guard(summary(cde, dataset, f.rows, f.values.get(cde.code()),
                            f.all.get(cde.code()), f.levels.get(cde.code()))));
                    result.addModelBased(guard.guard(summary(cde, dataset, f.complete, f.complete,
                            f.completeOnly.get(cde.code()), f.completeLevels.get(cde.code()))));
                }
            }
        }
        return PrimitiveResult.newBuilder().setRowsUsed(rows).setDescribe(result).build();
    }

    /** The result with every summary of the {@code withheld} datasets suppressed. */
    static PrimitiveResult withhold(PrimitiveResult result, Set<String> withheld) {
        if (withheld.isEmpty()) {
            return result;
        }
        DescribeResult.Builder describe = DescribeResult.newBuilder();
        for (VariableSummary s : result.getDescribe().getVariableBasedList()) {
            describe.addVariableBased(withheld.contains(s.getDataset()) ? PrivacyGuard.suppressed(s.getVariable(), s.getDataset()) : s);
        }
        for (VariableSummary s : result.getDescribe().getModelBasedList()) {
            describe.addModelBased(withheld.contains(s.getDataset()) ? PrivacyGuard.suppressed(s.getVariable(), s.getDataset()) : s);
        }
        return result.toBuilder().setDescribe(describe).build();
    }

    private static VariableSummary summary(Cde cde, String dataset, long rows, Long values, NumericalSummary moments,
            Map<String, Long> levels) {
        long present = values == null ? 0 : values;
        VariableSummary.Builder summary = VariableSummary.newBuilder().setVariable(cde.code()).setDataset(dataset)
                .setNumTotal(rows).setNumDtps(present).setNumNa(rows - present);
        if (moments != null && present > 0) {
            summary.setNumerical(moments);
        }
        if (levels != null) {
            summary.putAllCounts(levels);
        }
        return summary.build();
    }

    private void moments(Connection connection, QueryScope scope, String complete, List<Cde> numerical, List<Cde> nominal,
            Map<String, DatasetFigures> figures) throws SQLException {
        SqlDialect dialect = scope.dialect();
        String dataset = dialect.quote(DataModel.DATASET);
        StringBuilder select = new StringBuilder("SELECT ").append(dataset).append(", count(*), ")
                .append(dialect.filtered("count(*)", complete));
        for (Cde cde : numerical) {
            String x = dialect.toDouble(scope.quote(cde));
            select.append(", count(").append(scope.quote(cde)).append(')');
            for (String condition : new String[] {null, complete}) {
                select.append(", ").append(dialect.filtered("avg(" + x + ")", condition))
                        .append(", ").append(dialect.filtered("var_pop(" + x + ")", condition))
                        .append(", ").append(dialect.filtered("min(" + x + ")", condition))
                        .append(", ").append(dialect.filtered("max(" + x + ")", condition));
                for (double quartile : QUARTILES) {
                    select.append(", ").append(dialect.filtered(dialect.quantile(x, quartile), condition));
                }
            }
        }
        for (Cde cde : nominal) {
            select.append(", count(").append(scope.quote(cde)).append(')');
        }
        BoundSql sql = BoundSql.builder().sql(select + " FROM " + scope.table() + " WHERE ").append(scope.where())
                .sql(" GROUP BY " + dataset).build();
        try (PreparedStatement statement = sql.prepare(connection); ResultSet rows = statement.executeQuery()) {
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

    private static void levels(Connection connection, QueryScope scope, String complete, List<Cde> nominal,
            Map<String, DatasetFigures> figures) throws SQLException {
        SqlDialect dialect = scope.dialect();
        Set<String> columns = new LinkedHashSet<>();
        nominal.forEach(cde -> columns.add(scope.quote(cde)));
        BoundSql.Builder sql = BoundSql.builder().sql("WITH \"scope$\" AS (SELECT " + dialect.quote(DataModel.DATASET)
                + " AS " + DATASET + ", (" + complete + ") AS " + COMPLETE + ", " + String.join(", ", columns) + " FROM " + scope.table()
                + " WHERE ").append(scope.where()).sql(") ");
        for (int i = 0; i < nominal.size(); i++) {
            String column = scope.quote(nominal.get(i));
            sql.sql((i == 0 ? "" : " UNION ALL ") + "SELECT " + i + ", " + DATASET + ", " + dialect.toText(column) + ", count(*), "
                    + dialect.filtered("count(*)", COMPLETE) + " FROM \"scope$\" WHERE " + column + " IS NOT NULL GROUP BY "
                    + DATASET + ", " + column);
        }
        try (PreparedStatement statement = sql.build().prepare(connection); ResultSet rows = statement.executeQuery()) {
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
