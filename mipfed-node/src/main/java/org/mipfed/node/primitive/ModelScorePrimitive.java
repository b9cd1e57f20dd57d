package org.mipfed.node.primitive;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.mipfed.core.model.Cde;
import org.mipfed.node.privacy.PrivacyGuard;
import org.mipfed.proto.v1.GlmColumn;
import org.mipfed.proto.v1.LinearScore;
import org.mipfed.proto.v1.LogisticScore;
import org.mipfed.proto.v1.ModelScoreQuery;
import org.mipfed.proto.v1.ModelScoreResult;
import org.mipfed.proto.v1.NaiveBayesScore;
import org.mipfed.proto.v1.NominalFeature;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;

/**
 * {@code model_score}: how well a model fitted elsewhere (on the training folds) predicts the
 * selected rows (a test fold), as sums that add up over nodes: for a linear model the squared and
 * absolute errors and the response's moments; for a logistic model, per probability threshold, the
 * rows predicted positive among the positive and the negative rows (so a ROC curve over all nodes is
 * exact); for naive Bayes the confusion matrix. Computed in the store; the model's numbers travel as
 * bound parameters. The privacy guard's minimum-rows rule applies to the rows scored.
 */
final class ModelScorePrimitive implements Primitive<ModelScoreQuery> {
    /** Keeps PostgreSQL from inlining a layer's expressions into every reference to them (see GlmStepPrimitive). */
    private static final String FENCE = " OFFSET 0";
    /** Sums per statement, well below PostgreSQL's 1664 result columns. */
    private static final int SUMS_PER_STATEMENT = 1000;

    private static final double LOG_2PI = Math.log(2 * Math.PI);

    @Override
    public PrimitiveQuery.PrimitiveCase kind() {
        return PrimitiveQuery.PrimitiveCase.MODEL_SCORE;
    }

    @Override
    public ModelScoreQuery query(PrimitiveQuery query) {
        return query.getModelScore();
    }

    @Override
    public PrimitiveResult run(Connection connection, QueryScope scope, ModelScoreQuery query) throws SQLException {
        return switch (query.getModelCase()) {
            case LINEAR -> linear(connection, scope, query, query.getLinear());
            case LOGISTIC -> logistic(connection, scope, query, query.getLogistic());
            case NAIVE_BAYES -> naiveBayes(connection, scope, query, query.getNaiveBayes());
            default ->
                throw RefusalException.caller(
                        RefusalException.INVALID_QUERY,
                        "model_score names no model; this node scores " + "linear, logistic and naive_bayes models");
        };
    }

    /** For the audit log. */
    @Override
    public void variables(ModelScoreQuery query, Set<String> names) {
        switch (query.getModelCase()) {
            case LINEAR -> {
                query.getLinear().getColumnsList().forEach(c -> names.add(c.getVariable()));
                names.add(query.getLinear().getResponse().getVariable());
            }
            case LOGISTIC -> {
                query.getLogistic().getColumnsList().forEach(c -> names.add(c.getVariable()));
                names.add(query.getLogistic().getResponse().getVariable());
            }
            case NAIVE_BAYES -> {
                names.add(query.getNaiveBayes().getResponse());
                names.addAll(query.getNaiveBayes().getNumericalList());
                query.getNaiveBayes().getNominalList().forEach(f -> names.add(f.getVariable()));
            }
            default -> {}
        }
        names.addAll(query.getCompleteInList());
    }

    private PrimitiveResult linear(Connection connection, QueryScope scope, ModelScoreQuery query, LinearScore model)
            throws SQLException {
        if (!model.hasResponse() || !model.getResponse().getLevel().isEmpty()) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY, "A linear model_score needs a numerical response");
        }
        Set<Cde> used = new LinkedHashSet<>();
        Predictor predicted =
                Predictor.of(scope, model.getColumnsList(), model.getBetaList(), model.getResponse(), used);
        used.addAll(QueryScope.distinct(query.getCompleteInList(), scope::variable));
        BoundSql rows = BoundSql.builder()
                .sql("SELECT \"y$\", \"y$\" - \"eta$\" AS \"r$\" FROM (")
                .append(predicted.rows(scope, used))
                .sql(") \"s1$\"" + FENCE)
                .build();
        long n;
        double sse;
        double sae;
        double mean;
        BoundSql first = BoundSql.builder()
                .sql("SELECT count(*), sum(\"r$\" * \"r$\"), sum(abs(\"r$\")), avg(\"y$\") FROM (")
                .append(rows)
                .sql(") \"s2$\"")
                .build();
        try (PreparedStatement statement = first.prepare(connection);
                ResultSet result = statement.executeQuery()) {
            result.next();
            n = result.getLong(1);
            sse = result.getDouble(2);
            sae = result.getDouble(3);
            mean = result.getDouble(4);
        }
        check(connection, scope, n, used);
        if (n == 0) {
            return empty();
        }
        BoundSql second = BoundSql.builder()
                .sql("SELECT sum(\"y$\" - ")
                .parameter(mean)
                .sql("), sum((\"y$\" - ")
                .parameter(mean)
                .sql(") * (\"y$\" - ")
                .parameter(mean)
                .sql(")) FROM (")
                .append(rows)
                .sql(") \"s2$\"")
                .build();
        double sum;
        double squares;
        try (PreparedStatement statement = second.prepare(connection);
                ResultSet result = statement.executeQuery()) {
            result.next();
            sum = result.getDouble(1);
            squares = result.getDouble(2);
        }
        return PrimitiveResult.newBuilder()
                .setRowsUsed(n)
                .setModelScore(ModelScoreResult.newBuilder()
                        .setN(n)
                        .setSse(sse)
                        .setSae(sae)
                        .setMeanY(mean + sum / n)
                        .setM2Y(Math.max(0, squares - sum * sum / n)))
                .build();
    }

    private PrimitiveResult logistic(
            Connection connection, QueryScope scope, ModelScoreQuery query, LogisticScore model) throws SQLException {
        if (!model.hasResponse() || model.getResponse().getLevel().isEmpty()) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY,
                    "A logistic model_score needs a level of a nominal variable " + "as its response");
        }
        Set<Cde> used = new LinkedHashSet<>();
        Predictor predicted =
                Predictor.of(scope, model.getColumnsList(), model.getBetaList(), model.getResponse(), used);
        used.addAll(QueryScope.distinct(query.getCompleteInList(), scope::variable));
        // Clamped so that exp never overflows (PostgreSQL raises on that); p is then within 1e-304 of 0 or 1.
        BoundSql rows = BoundSql.builder()
                .sql("SELECT \"y$\", 1.0 / (1.0 + exp(-LEAST(GREATEST(\"eta$\", -700.0), 700.0))) AS \"p$\" FROM (")
                .append(predicted.rows(scope, used))
                .sql(") \"s1$\"" + FENCE)
                .build();
        List<BoundSql> sums = new ArrayList<>();
        sums.add(BoundSql.builder().sql("count(*)").build());
        sums.add(BoundSql.builder().sql("sum(\"y$\")").build());
        for (double threshold : model.getThresholdsList()) {
            sums.add(BoundSql.builder()
                    .sql("sum(CASE WHEN \"y$\" = 1 AND \"p$\" > ")
                    .parameter(threshold)
                    .sql(" THEN 1 ELSE 0 END)")
                    .build());
            sums.add(BoundSql.builder()
                    .sql("sum(CASE WHEN \"y$\" = 0 AND \"p$\" > ")
                    .parameter(threshold)
                    .sql(" THEN 1 ELSE 0 END)")
                    .build());
        }
        long[] values = new long[sums.size()];
        for (int start = 0; start < sums.size(); start += SUMS_PER_STATEMENT) {
            List<BoundSql> block = sums.subList(start, Math.min(sums.size(), start + SUMS_PER_STATEMENT));
            BoundSql.Builder sql = BoundSql.builder().sql("SELECT ");
            for (int k = 0; k < block.size(); k++) {
                sql.sql(k == 0 ? "" : ", ").append(block.get(k));
            }
            sql.sql(" FROM (").append(rows).sql(") \"s2$\"");
            try (PreparedStatement statement = sql.build().prepare(connection);
                    ResultSet result = statement.executeQuery()) {
                result.next();
                for (int k = 0; k < block.size(); k++) {
                    values[start + k] = result.getLong(k + 1);
                }
            }
            if (start == 0) {
                check(connection, scope, values[0], used);
                if (values[0] == 0) {
                    return empty();
                }
            }
        }
        ModelScoreResult.Builder result =
                ModelScoreResult.newBuilder().setN(values[0]).setPositives(values[1]);
        for (int t = 0; t < model.getThresholdsCount(); t++) {
            result.addTruePositives(values[2 + 2 * t]).addFalsePositives(values[3 + 2 * t]);
        }
        return PrimitiveResult.newBuilder()
                .setRowsUsed(values[0])
                .setModelScore(result)
                .build();
    }

    private PrimitiveResult naiveBayes(
            Connection connection, QueryScope scope, ModelScoreQuery query, NaiveBayesScore model) throws SQLException {
        int k = model.getClassesCount();
        int d = model.getNumericalCount();
        if (k == 0 || model.getLogPriorCount() != k || model.getThetaCount() != k * d || model.getVarCount() != k * d) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY,
                    "A naive Bayes model_score needs, for its " + k + " classes and " + d + " numerical features, " + k
                            + " log priors and " + k * d + " means and variances");
        }
        Set<Cde> used = new LinkedHashSet<>();
        Cde response = scope.nominal(model.getResponse(), "the class variable of naive Bayes");
        used.add(response);
        BoundSql.Builder select = BoundSql.builder().sql("SELECT CASE " + scope.quote(response));
        for (int c = 0; c < k; c++) {
            select.sql(" WHEN ")
                    .parameter(LevelIndicator.level(response, model.getClasses(c)))
                    .sql(" THEN " + c);
        }
        select.sql(" ELSE -1 END AS \"a$\"");
        List<Cde> numerical = new ArrayList<>();
        for (int j = 0; j < d; j++) {
            Cde cde = scope.numerical(model.getNumerical(j), "a gaussian feature of naive Bayes");
            numerical.add(cde);
            used.add(cde);
            select.sql(", " + scope.dialect().toDouble(scope.quote(cde)) + " AS \"x$" + j + "\"");
        }
        List<Cde> nominal = new ArrayList<>();
        for (NominalFeature feature : model.getNominalList()) {
            Cde cde = scope.nominal(feature.getVariable(), "a categorical feature of naive Bayes");
            if (feature.getLogProbabilityCount() != k * feature.getLevelsCount()) {
                throw RefusalException.caller(
                        RefusalException.INVALID_QUERY,
                        "The feature '" + cde.code() + "' has "
                                + feature.getLevelsCount() + " levels, so it needs " + k * feature.getLevelsCount()
                                + " log probabilities, not "
                                + feature.getLogProbabilityCount());
            }
            nominal.add(cde);
            used.add(cde);
        }
        used.addAll(QueryScope.distinct(query.getCompleteInList(), scope::variable));
        for (int f = 0; f < nominal.size(); f++) {
            select.sql(", " + scope.quote(nominal.get(f)) + " AS \"c$" + f + "\"");
        }
        select.sql(" FROM " + scope.table() + " WHERE ")
                .append(scope.where())
                .sql(" AND " + scope.complete(new ArrayList<>(used)) + FENCE);
        BoundSql.Builder scores = BoundSql.builder().sql("SELECT \"a$\"");
        for (int c = 0; c < k; c++) {
            double constant = model.getLogPrior(c);
            for (int j = 0; j < d; j++) {
                double var = model.getVar(c * d + j);
                if (!(var > 0) || !Double.isFinite(var)) {
                    throw RefusalException.caller(
                            RefusalException.INVALID_QUERY,
                            "A naive Bayes variance must be positive and finite, " + "not " + var);
                }
                constant -= 0.5 * (LOG_2PI + Math.log(var));
            }
            scores.sql(", ").parameter(constant);
            for (int j = 0; j < d; j++) {
                double theta = model.getTheta(c * d + j);
                String x = "\"x$" + j + "\"";
                scores.sql(" - (" + x + " - ")
                        .parameter(theta)
                        .sql(") * (" + x + " - ")
                        .parameter(theta)
                        .sql(") * ")
                        .parameter(1 / (2 * model.getVar(c * d + j)));
            }
            for (int f = 0; f < nominal.size(); f++) {
                NominalFeature feature = model.getNominal(f);
                int levels = feature.getLevelsCount();
                scores.sql(" + CASE \"c$" + f + "\"");
                for (int t = 0; t < levels; t++) {
                    scores.sql(" WHEN ")
                            .parameter(LevelIndicator.level(nominal.get(f), feature.getLevels(t)))
                            .sql(" THEN ")
                            .parameter(feature.getLogProbability(c * levels + t));
                }
                scores.sql(" ELSE 0.0 END");
            }
            scores.sql(" AS \"s$" + c + "\"");
        }
        BoundSql scoreSql = scores.build();
        StringBuilder argmax = new StringBuilder("CASE");
        for (int c = 0; c < k - 1; c++) {
            argmax.append(" WHEN ");
            for (int other = c + 1; other < k; other++) {
                argmax.append(other == c + 1 ? "" : " AND ")
                        .append("\"s$")
                        .append(c)
                        .append("\" >= \"s$")
                        .append(other)
                        .append('"');
            }
            argmax.append(" THEN ").append(c);
        }
        argmax.append(" ELSE ").append(k - 1).append(" END");
        BoundSql sql = BoundSql.builder()
                .sql("SELECT \"a$\", " + argmax + " AS \"p$\", count(*) FROM (")
                .append(scoreSql)
                .sql(" FROM (")
                .append(select.build())
                .sql(") \"s1$\"" + FENCE + ") \"s2$\" GROUP BY 1, 2")
                .build();
        long n = 0;
        long[] confusion = new long[k * k];
        try (PreparedStatement statement = sql.prepare(connection);
                ResultSet result = statement.executeQuery()) {
            while (result.next()) {
                int actual = result.getInt(1);
                int predictedClass = result.getInt(2);
                long count = result.getLong(3);
                n += count;
                if (actual >= 0) {
                    confusion[actual * k + predictedClass] += count;
                }
            }
        }
        check(connection, scope, n, used);
        if (n == 0) {
            return empty();
        }
        ModelScoreResult.Builder out = ModelScoreResult.newBuilder().setN(n);
        for (long count : confusion) {
            out.addConfusion(count);
        }
        return PrimitiveResult.newBuilder().setRowsUsed(n).setModelScore(out).build();
    }

    /** The design columns of a linear predictor, the response and β, as the rows' expressions. */
    private record Predictor(List<BoundSql> columns, List<Double> beta, BoundSql response) {
        static Predictor of(
                QueryScope scope, List<GlmColumn> columns, List<Double> beta, GlmColumn response, Set<Cde> used) {
            if (beta.size() != columns.size() + 1) {
                throw RefusalException.caller(
                        RefusalException.INVALID_QUERY,
                        "model_score got " + beta.size() + " coefficients for an " + "intercept and " + columns.size()
                                + " columns");
            }
            List<BoundSql> expressions = new ArrayList<>();
            for (GlmColumn column : columns) {
                expressions.add(GlmStepPrimitive.expression(scope, column, used, "a covariate"));
            }
            return new Predictor(expressions, beta, GlmStepPrimitive.expression(scope, response, used, "the response"));
        }

        /** {@code "y$"} and {@code "eta$"} = β₀ + Σ βᵢ xᵢ of each selected row complete in {@code complete}. */
        BoundSql rows(QueryScope scope, Set<Cde> complete) {
            BoundSql.Builder sql = BoundSql.builder()
                    .sql("SELECT ")
                    .append(response)
                    .sql(" AS \"y$\", ")
                    .parameter(beta.get(0));
            for (int i = 0; i < columns.size(); i++) {
                sql.sql(" + ").parameter(beta.get(i + 1)).sql(" * ").append(columns.get(i));
            }
            return sql.sql(" AS \"eta$\" FROM " + scope.table() + " WHERE ")
                    .append(scope.where())
                    .sql(" AND " + scope.complete(new ArrayList<>(complete)) + FENCE)
                    .build();
        }
    }

    /** The rows are enough, and (when there are any) not a few apart from those of an earlier answer's figures. */
    private void check(Connection connection, QueryScope scope, long n, Set<Cde> used) throws SQLException {
        PrivacyGuard guard = scope.guard();
        guard.checkRows(n, QueryScope.names(new ArrayList<>(used))).ifPresent(v -> {
            throw RefusalException.caller(v.rule(), v.message());
        });
        if (n > 0) {
            RowIds.checkModelRows(connection, scope, guard, used, new ArrayList<>(used));
        }
    }

    private static PrimitiveResult empty() {
        return PrimitiveResult.newBuilder()
                .setRowsUsed(0)
                .setModelScore(ModelScoreResult.newBuilder().setN(0))
                .build();
    }
}
