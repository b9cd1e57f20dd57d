package org.mipfed.node.primitive;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.mipfed.core.model.Cde;
import org.mipfed.node.privacy.PrivacyGuard;
import org.mipfed.proto.v1.KmeansCluster;
import org.mipfed.proto.v1.KmeansStepQuery;
import org.mipfed.proto.v1.KmeansStepResult;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;

/**
 * {@code kmeans_step}: one Lloyd step over the rows complete in the variables. Each row goes to its
 * nearest centre (the centres travel as bound parameters) and the node returns, per centre, the count,
 * the sums and the sum of squared distances of those rows; a cluster of fewer rows than the node's
 * minimum is withheld. Asked with no centres, it returns only n and each variable's min and max, from
 * which the manager draws initial centres without any row leaving the node.
 */
final class KmeansStepPrimitive implements Primitive<KmeansStepQuery> {
    /** Centres per request; far more than k-means is ever asked for, and it keeps the statement bounded. */
    static final int MAX_CENTRES = 1000;

    private static final String ROWS = "\"rows$\"";
    private static final String DISTANCES = "\"distances$\"";
    private static final String NEAREST = "\"nearest$\"";

    @Override
    public PrimitiveQuery.PrimitiveCase kind() {
        return PrimitiveQuery.PrimitiveCase.KMEANS_STEP;
    }

    @Override
    public KmeansStepQuery query(PrimitiveQuery query) {
        return query.getKmeansStep();
    }

    @Override
    public void variables(KmeansStepQuery query, Set<String> names) {
        names.addAll(query.getVariablesList());
    }

    @Override
    public PrimitiveResult run(Connection connection, QueryScope scope, KmeansStepQuery query) throws SQLException {
        PrivacyGuard guard = scope.guard();
        List<Cde> variables =
                QueryScope.distinct(query.getVariablesList(), v -> scope.numerical(v, "a variable of kmeans_step"));
        if (variables.isEmpty()) {
            throw RefusalException.caller(RefusalException.INVALID_QUERY, "kmeans_step needs at least one variable");
        }
        if (variables.size() != query.getVariablesCount()) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY, "kmeans_step names a variable twice; name each once");
        }
        int d = variables.size();
        double[] centres =
                query.getCentresList().stream().mapToDouble(Double::doubleValue).toArray();
        if (centres.length % d != 0 || centres.length / d > MAX_CENTRES) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY,
                    "kmeans_step takes up to " + MAX_CENTRES + " centres of " + d + " coordinates each, not "
                            + centres.length + " numbers");
        }
        for (double centre : centres) {
            if (!Double.isFinite(centre)) {
                throw RefusalException.caller(
                        RefusalException.INVALID_QUERY, "The centres of kmeans_step must be finite, not " + centre);
            }
        }
        if (centres.length == 0) {
            guard.checkExtremes("kmeans_step asked without centres (for the variables' ranges)")
                    .ifPresent(v -> {
                        throw RefusalException.caller(v.rule(), v.message());
                    });
        }
        String complete = scope.complete(variables);
        KmeansStepResult.Builder result = KmeansStepResult.newBuilder();
        long n = centres.length == 0
                ? range(connection, scope, variables, complete, result)
                : LevelsPrimitive.count(connection, scope, complete);
        guard.checkRows(n, QueryScope.names(variables)).ifPresent(v -> {
            throw RefusalException.caller(v.rule(), v.message());
        });
        result.setN(n);
        if (n == 0) {
            return PrimitiveResult.newBuilder()
                    .setRowsUsed(0)
                    .setKmeansStep(result.clearMin().clearMax())
                    .build();
        }
        RowIds.checkModelRows(connection, scope, guard, variables, variables);
        if (centres.length > 0) {
            step(connection, scope, variables, centres, complete, result);
        }
        return PrimitiveResult.newBuilder().setRowsUsed(n).setKmeansStep(result).build();
    }

    /** n, and min and max of each variable when n > 0. */
    private static long range(
            Connection connection,
            QueryScope scope,
            List<Cde> variables,
            String complete,
            KmeansStepResult.Builder result)
            throws SQLException {
        StringBuilder select = new StringBuilder("SELECT count(*)");
        for (Cde variable : variables) {
            String x = scope.dialect().toDouble(scope.quote(variable));
            select.append(", min(").append(x).append("), max(").append(x).append(')');
        }
        BoundSql sql = BoundSql.builder()
                .sql(select + " FROM " + scope.table() + " WHERE ")
                .append(scope.where())
                .sql(" AND " + complete)
                .build();
        try (PreparedStatement statement = sql.prepare(connection);
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            long n = rows.getLong(1);
            if (n > 0) {
                for (int j = 0; j < variables.size(); j++) {
                    result.addMin(rows.getDouble(2 + 2 * j)).addMax(rows.getDouble(3 + 2 * j));
                }
            }
            return n;
        }
    }

    /**
     * The rows' squared distances to every centre, the smallest of them, the first centre at that
     * distance, then per centre: count, sums and the sum of the smallest distances.
     */
    private void step(
            Connection connection,
            QueryScope scope,
            List<Cde> variables,
            double[] centres,
            String complete,
            KmeansStepResult.Builder result)
            throws SQLException {
        PrivacyGuard guard = scope.guard();
        int d = variables.size();
        int k = centres.length / d;
        List<String> values = new ArrayList<>();
        StringBuilder rows = new StringBuilder("SELECT ");
        for (int j = 0; j < d; j++) {
            values.add("\"v$" + j + "\"");
            rows.append(j == 0 ? "" : ", ")
                    .append(scope.dialect().toDouble(scope.quote(variables.get(j))))
                    .append(" AS ")
                    .append(values.get(j));
        }
        BoundSql.Builder sql = BoundSql.builder()
                .sql("WITH " + ROWS + " AS (" + rows + " FROM " + scope.table() + " WHERE ")
                .append(scope.where())
                .sql(" AND " + complete + "), " + DISTANCES + " AS (SELECT " + String.join(", ", values));
        List<String> distances = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            distances.add("\"d$" + c + "\"");
            sql.sql(", ");
            for (int j = 0; j < d; j++) {
                double centre = centres[c * d + j];
                sql.sql(j == 0 ? "(" : " + ")
                        .sql("(" + values.get(j) + " - ")
                        .parameter(centre)
                        .sql(") * (" + values.get(j) + " - ")
                        .parameter(centre)
                        .sql(")");
            }
            sql.sql(") AS " + distances.get(c));
        }
        String least = k == 1 ? distances.get(0) : "LEAST(" + String.join(", ", distances) + ")";
        sql.sql(" FROM " + ROWS + "), " + NEAREST + " AS (SELECT " + String.join(", ", values) + ", "
                + String.join(", ", distances) + ", " + least + " AS \"m$\" FROM " + DISTANCES + ") SELECT ");
        StringBuilder label = new StringBuilder(k == 1 ? "0" : "CASE");
        for (int c = 0; c + 1 < k; c++) {
            label.append(" WHEN ")
                    .append(distances.get(c))
                    .append(" = \"m$\" THEN ")
                    .append(c);
        }
        if (k > 1) {
            label.append(" ELSE ").append(k - 1).append(" END");
        }
        sql.sql(label + " AS \"c$\", count(*)");
        for (String value : values) {
            sql.sql(", sum(" + value + ")");
        }
        sql.sql(", sum(\"m$\") FROM " + NEAREST + " GROUP BY 1");
        long[] counts = new long[k];
        double[][] sums = new double[k][d];
        double[] withinSs = new double[k];
        try (PreparedStatement statement = sql.build().prepare(connection);
                ResultSet answer = statement.executeQuery()) {
            while (answer.next()) {
                int c = answer.getInt(1);
                counts[c] = answer.getLong(2);
                for (int j = 0; j < d; j++) {
                    sums[c][j] = answer.getDouble(3 + j);
                }
                withinSs[c] = answer.getDouble(3 + d);
            }
        }
        for (int c = 0; c < k; c++) {
            KmeansCluster.Builder cluster = KmeansCluster.newBuilder();
            if (counts[c] > 0 && !guard.releasable(counts[c], counts[c])) {
                cluster.setSuppressed(true);
                for (int j = 0; j < d; j++) {
                    cluster.addSums(0);
                }
            } else {
                cluster.setCount(counts[c]).setWithinSs(withinSs[c]);
                for (int j = 0; j < d; j++) {
                    cluster.addSums(sums[c][j]);
                }
            }
            result.addClusters(cluster);
        }
    }
}
