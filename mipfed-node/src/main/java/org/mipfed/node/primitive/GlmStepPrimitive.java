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
import org.mipfed.node.privacy.PrivacyRefusals;
import org.mipfed.node.privacy.PrivacyViolation;
import org.mipfed.node.store.StoreCatalog;
import org.mipfed.proto.v1.GlmColumn;
import org.mipfed.proto.v1.GlmStepQuery;
import org.mipfed.proto.v1.GlmStepResult;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;
import org.roaringbitmap.RoaringBitmap;

/**
 * {@code glm_step}: one Fisher-scoring step of a generalised linear model at the coefficients the
 * manager sends: n, XᵀWX, the score, XᵀWz, the log-likelihood and the deviance, over the rows
 * complete in every variable used. Everything is computed in the store by one layered query: the
 * design row, then η = Xβ (β bound as parameters, or on DuckDB read from {@link Coefficients}; a binomial start at R's
 * starting means written as literals, {@link StartingMeans}), then μ and dμ/dη through the link (as
 * {@link GlmSql} writes them), then the weighted sums; no row reaches the Java heap.
 *
 * <p>The privacy guard's minimum-rows rule applies to the rows used. A rule on the ratio of rows to
 * coefficients (a node with few rows per coefficient gives away more about each row) is not enforced
 * yet.
 */
final class GlmStepPrimitive implements Primitive<GlmStepQuery> {
    /** Sums per statement, well below PostgreSQL's 1664 result columns. */
    private static final int SUMS_PER_STATEMENT = 1000;

    private static final int SCALARS = 8;

    @Override
    public PrimitiveQuery.PrimitiveCase kind() {
        return PrimitiveQuery.PrimitiveCase.GLM_STEP;
    }

    @Override
    public GlmStepQuery query(PrimitiveQuery query) {
        return query.getGlmStep();
    }

    @Override
    public PrimitiveResult run(Connection connection, QueryScope scope, GlmStepQuery query) throws SQLException {
        PrivacyGuard guard = scope.guard();
        String family = query.getFamily();
        String link = query.getLink();
        if (!GlmSql.supported(family, link)) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY,
                    "glm_step has no family '" + SqlFilterCompiler.shorten(family) + "' with link '"
                            + SqlFilterCompiler.shorten(link) + "'; the families and their links are " + GlmSql.LINKS);
        }
        Set<Cde> used = new LinkedHashSet<>();
        List<BoundSql> columns = new ArrayList<>();
        String doubleType = scope.dialect().doubleType();
        if (query.getIntercept()) {
            columns.add(BoundSql.builder().sql("CAST(1 AS " + doubleType + ")").build());
        }
        for (GlmColumn column : query.getColumnsList()) {
            columns.add(expression(scope, column, used, "a covariate"));
        }
        int p = columns.size();
        if (p == 0) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY, "glm_step needs an intercept or at least one covariate");
        }
        if (!query.hasResponse()) {
            throw RefusalException.caller(RefusalException.INVALID_QUERY, "glm_step needs a response");
        }
        BoundSql response = expression(scope, query.getResponse(), used, "the response");
        if (query.getBetaCount() != 0 && query.getBetaCount() != p) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY,
                    "glm_step got " + query.getBetaCount() + " coefficients for " + p + " design columns");
        }
        Set<Cde> described = new LinkedHashSet<>(used);
        used.addAll(QueryScope.distinct(query.getCompleteInList(), scope::variable));
        List<Cde> complete = new ArrayList<>(used);
        // On DuckDB, β travels in a table of the connection's own (see Coefficients), so that the statement has no
        // parameter and DuckDB reuses its plan from round to round; so do a binomial start's two linear predictors
        // (y = 1, then y = 0), so that the starting round's plan is reused from fit to fit too.
        // A binomial start at R's own starting means needs neither: the node computes those two values itself, so
        // on DuckDB they are literals of the statement, whose plan is then reused from fit to fit without an UPDATE.
        boolean knownStart = query.getBetaCount() == 0
                && family.equals("binomial")
                && scope.dialect().inlinesKnownValues()
                && StartingMeans.areRs(link, query.getStartEta1(), query.getStartEta0());
        List<Double> coefficients = query.getBetaCount() > 0
                ? query.getBetaList()
                : family.equals("binomial") && !knownStart
                        ? List.of(query.getStartEta1(), query.getStartEta0())
                        : List.of();
        boolean stored = Coefficients.usable(scope.dialect(), connection, coefficients);
        if (stored) {
            Coefficients.store(connection, coefficients);
        }
        BoundSql from = layers(scope, query, columns, response, complete, stored, knownStart);

        // The intercept's column (all ones) is not multiplied at all, and for binomial models the
        // deviance is −2 × the log-likelihood, summed once. Given β, XᵀWz = Iβ + score, so the
        // working sums are only computed at the start, where η is not Xβ.
        boolean intercept = query.getIntercept();
        boolean withBeta = query.getBetaCount() > 0;
        boolean devianceFromLikelihood = family.equals("binomial");
        List<String> sums = new ArrayList<>();
        sums.add("count(*)");
        sums.add("sum(\"ok$\")");
        sums.add("sum(\"ll$\")");
        sums.add(devianceFromLikelihood ? "0" : "sum(\"dev$\")");
        sums.add("sum(\"y$\")");
        sums.add("sum(\"bd$\")");
        sums.add("sum(\"bad$\")");
        sums.add(
                family.equals("poisson")
                        ? "sum(CASE WHEN \"ok$\" = 1 AND \"y$\" >= 0 THEN " + GlmSql.logFactorial() + " END)"
                        : "0");
        for (int i = 0; i < p; i++) {
            for (int j = i; j < p; j++) {
                boolean one = intercept && i == 0;
                sums.add(
                        one && j == 0
                                ? "sum(\"w$\")"
                                : one ? "sum(\"w$\" * " + x(j) + ")" : "sum(\"w$\" * " + x(i) + " * " + x(j) + ")");
            }
        }
        for (int i = 0; i < p; i++) {
            sums.add(intercept && i == 0 ? "sum(\"r$\")" : "sum(\"r$\" * " + x(i) + ")");
        }
        if (!withBeta) {
            for (int i = 0; i < p; i++) {
                sums.add(
                        intercept && i == 0
                                ? "sum(\"w$\" * \"eta$\" + \"r$\")"
                                : "sum((\"w$\" * \"eta$\" + \"r$\") * " + x(i) + ")");
            }
        }
        double[] values = new double[sums.size()];
        RoaringBitmap rows = new RoaringBitmap();
        for (int start = 0; start < sums.size(); start += SUMS_PER_STATEMENT) {
            List<String> block = sums.subList(start, Math.min(sums.size(), start + SUMS_PER_STATEMENT));
            // The first statement also gathers the rows' ids, for the differencing of the model's rows.
            String ids = start == 0 ? ", " + scope.dialect().idsOf("\"id$\"") : "";
            BoundSql sql = BoundSql.builder()
                    .sql("SELECT " + String.join(", ", block) + ids + " FROM (")
                    .append(from)
                    .sql(") \"g8$\"")
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
            if (start == 0) {
                check(guard, (long) values[0], (long) values[6], complete, query, family);
                if (values[0] == 0) {
                    return PrimitiveResult.newBuilder()
                            .setRowsUsed(0)
                            .setGlmStep(GlmStepResult.newBuilder().setN(0))
                            .build();
                }
                checkDisclosure(connection, scope, query, columns, response, complete, (long) values[0], values[4]);
                RowIds.checkModelRows(scope, guard, described, rows);
            }
        }
        long n = (long) values[0];
        double deviance = devianceFromLikelihood ? -2 * values[2] : values[3];
        GlmStepResult.Builder result = GlmStepResult.newBuilder()
                .setN(n)
                .setInvalid(n - (long) values[1])
                .setLogLikelihood(values[2] - values[7])
                .setDeviance(deviance)
                .setSumY(values[4])
                .setBoundary((long) values[5]);
        double[] information = new double[p * p];
        int k = SCALARS;
        for (int i = 0; i < p; i++) {
            for (int j = i; j < p; j++) {
                information[i * p + j] = values[k];
                information[j * p + i] = values[k++];
            }
        }
        for (double value : information) {
            result.addInformation(value);
        }
        double[] score = new double[p];
        for (int i = 0; i < p; i++) {
            score[i] = values[k++];
            result.addScore(score[i]);
        }
        for (int i = 0; i < p; i++) {
            if (withBeta) {
                double working = score[i];
                for (int j = 0; j < p; j++) {
                    working += information[i * p + j] * query.getBeta(j);
                }
                result.addWorking(working);
            } else {
                result.addWorking(values[k++]);
            }
        }
        return PrimitiveResult.newBuilder().setRowsUsed(n).setGlmStep(result).build();
    }

    private static void check(
            PrivacyGuard guard, long n, long bad, List<Cde> complete, GlmStepQuery query, String family) {
        guard.checkRows(n, QueryScope.names(complete)).ifPresent(v -> {
            throw RefusalException.caller(v.rule(), v.message());
        });
        if (bad > 0) {
            // Whether some selected row has such a value is about the rows: a privacy refusal, counted by the budget.
            PrivacyViolation v = PrivacyRefusals.responseValues(
                    PrivacyGuard.RESPONSE_VALUES,
                    query.getResponse().getVariable(),
                    family,
                    family.equals("binomial") ? "zero or one" : "non-negative");
            throw RefusalException.caller(v.rule(), v.message());
        }
    }

    /**
     * The node's privacy policy on a model: at most {@code max_parameter_ratio} parameters per row,
     * and, as DataSHIELD's glm, no level indicator among the covariates (nor a binomial response)
     * with fewer ones or zeros than the minimum cell count, nor two of different variables whose cross
     * table has a small cell ({@link LevelIndicator#checkCounts}), since the answer reveals those counts.
     */
    private void checkDisclosure(
            Connection connection,
            QueryScope scope,
            GlmStepQuery query,
            List<BoundSql> columns,
            BoundSql response,
            List<Cde> complete,
            long n,
            double sumY)
            throws SQLException {
        PrivacyGuard guard = scope.guard();
        guard.checkParameters(columns.size(), n).ifPresent(v -> {
            throw RefusalException.caller(v.rule(), v.message());
        });
        if (query.getFamily().equals("binomial")) {
            long ones = Math.round(sumY);
            String y = query.getResponse().getVariable()
                    + (query.getResponse().getLevel().isEmpty()
                            ? ""
                            : " = " + query.getResponse().getLevel());
            count(guard, ones, query.getResponse().getVariable());
            count(guard, n - ones, query.getResponse().getVariable());
        }
        // Level indicators reveal their counts and their cross tables through XᵀWX (exactly where W is constant),
        // and a binomial response's through the score: the same counts cross_products refuses, refused the same way.
        int offset = query.getIntercept() ? 1 : 0;
        List<String> indicated = new ArrayList<>();
        List<BoundSql> indicators = new ArrayList<>();
        for (int i = 0; i < query.getColumnsCount(); i++) {
            if (!query.getColumns(i).getLevel().isEmpty()) {
                indicated.add(query.getColumns(i).getVariable());
                indicators.add(columns.get(offset + i));
            }
        }
        if (indicators.isEmpty()) {
            return;
        }
        if (query.getFamily().equals("binomial")) {
            indicated.add(query.getResponse().getVariable());
            indicators.add(response);
        }
        int p = indicators.size();
        BoundSql.Builder sql = BoundSql.builder().sql("SELECT ");
        for (int k = 0; k < p; k++) {
            sql.sql(k == 0 ? "sum(" : ", sum(").append(indicators.get(k)).sql(")");
        }
        for (int i = 0; i < p; i++) {
            for (int j = i + 1; j < p; j++) {
                if (LevelIndicator.crossed(indicated, i, j)) {
                    sql.sql(", sum(")
                            .append(indicators.get(i))
                            .sql(" * ")
                            .append(indicators.get(j))
                            .sql(")");
                }
            }
        }
        sql.sql(" FROM " + scope.table() + " WHERE ").append(scope.where()).sql(" AND " + scope.complete(complete));
        long[] ones = new long[p];
        long[][] both = new long[p][p];
        try (PreparedStatement statement = sql.build().prepare(connection);
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            int k = 1;
            for (int i = 0; i < p; i++) {
                ones[i] = Math.round(rows.getDouble(k++));
            }
            for (int i = 0; i < p; i++) {
                for (int j = i + 1; j < p; j++) {
                    if (LevelIndicator.crossed(indicated, i, j)) {
                        both[i][j] = Math.round(rows.getDouble(k++));
                        both[j][i] = both[i][j];
                    }
                }
            }
        }
        LevelIndicator.checkCounts(guard, indicated, n, ones, both);
    }

    /** @param variable the variable whose count it is (its name only: naming the level would say which is rare) */
    private static void count(PrivacyGuard guard, long count, String variable) {
        guard.checkCount(count, variable).ifPresent(v -> {
            throw RefusalException.caller(v.rule(), v.message());
        });
    }

    /** design → η → the link's helpers → μ → 1 − μ, dμ/dη → validity → weights and per-row terms. */
    private static BoundSql layers(
            QueryScope scope,
            GlmStepQuery query,
            List<BoundSql> columns,
            BoundSql response,
            List<Cde> complete,
            boolean stored,
            boolean knownStart) {
        String family = query.getFamily();
        String link = query.getLink();
        // Each layer's columns are referred to many times by the next: see SqlDialect.fence.
        String fence = scope.dialect().fence();
        BoundSql.Builder design = BoundSql.builder().sql("SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            design.append(columns.get(i)).sql(" AS " + x(i) + ", ");
        }
        design.append(response)
                .sql(" AS \"y$\", " + scope.dialect().quote(StoreCatalog.ROW_ID) + " AS \"id$\" FROM " + scope.table()
                        + " WHERE ")
                .append(scope.where())
                .sql(" AND " + scope.complete(complete) + fence);
        BoundSql.Builder eta = BoundSql.builder().sql("SELECT *, ");
        if (query.getBetaCount() > 0) {
            for (int i = 0; i < columns.size(); i++) {
                eta.sql(i == 0 ? "" : " + ");
                if (stored) {
                    eta.sql(Coefficients.column(i));
                } else {
                    eta.parameter(query.getBeta(i));
                }
                eta.sql(" * " + x(i));
            }
        } else if (family.equals("binomial") && knownStart) {
            eta.sql("CASE WHEN \"y$\" = 1 THEN ")
                    .known(scope.dialect(), query.getStartEta1())
                    .sql(" ELSE ")
                    .known(scope.dialect(), query.getStartEta0())
                    .sql(" END");
        } else if (family.equals("binomial") && stored) {
            eta.sql("CASE WHEN \"y$\" = 1 THEN " + Coefficients.column(0) + " ELSE " + Coefficients.column(1) + " END");
        } else if (family.equals("binomial")) {
            eta.sql("CASE WHEN \"y$\" = 1 THEN ")
                    .parameter(query.getStartEta1())
                    .sql(" ELSE ")
                    .parameter(query.getStartEta0())
                    .sql(" END");
        } else {
            eta.sql(GlmSql.startEta(family, link));
        }
        eta.sql(" AS \"eta$\" FROM (").append(design.build()).sql(") \"g1$\"");
        if (stored) {
            eta.sql(" CROSS JOIN " + Coefficients.relation(query.getBetaCount() > 0 ? columns.size() : 2));
        }
        eta.sql(fence);
        String ok = "\"ok$\" = 1";
        String v = GlmSql.variance(family);
        String me = "\"me$\"";
        String rows = "SELECT *, CASE WHEN " + ok + " THEN " + me + " * " + me + " / " + v
                + " END AS \"w$\", CASE WHEN " + ok + " THEN "
                + GlmSql.residual(family) + " * " + me + " / " + v + " END AS \"r$\", CASE WHEN " + ok + " THEN "
                + GlmSql.logLikelihood(family) + " END AS \"ll$\", CASE WHEN " + ok + " THEN " + GlmSql.deviance(family)
                + " END AS \"dev$\", CASE WHEN " + ok + " AND (" + GlmSql.boundary(family)
                + ") THEN 1 ELSE 0 END AS \"bd$\", CASE WHEN "
                + GlmSql.badResponse(family) + " THEN 1 ELSE 0 END AS \"bad$\" FROM (";
        return BoundSql.builder()
                .sql(rows
                        + "SELECT *, CASE WHEN \"mu$\" IS NOT NULL AND \"me$\" IS NOT NULL AND "
                        + GlmSql.validMean(family)
                        + " THEN 1 ELSE 0 END AS \"ok$\" FROM ("
                        + "SELECT *, " + GlmSql.complement(link) + " AS \"cmu$\", " + GlmSql.derivative(link)
                        + " AS \"me$\" FROM ("
                        + "SELECT *, " + GlmSql.mu(link) + " AS \"mu$\" FROM ("
                        + "SELECT *, " + GlmSql.helperB(link, scope.dialect().doubleType()) + " AS \"b$\" FROM ("
                        + "SELECT *, " + GlmSql.helperA(link) + " AS \"a$\" FROM (")
                .append(eta.build())
                .sql(") \"g2$\"" + fence + ") \"g3$\"" + fence + ") \"g4$\"" + fence + ") \"g5$\"" + fence + ") \"g6$\""
                        + fence + ") \"g7$\"" + fence)
                .build();
    }

    /** A column as a double expression: the variable, or the 0/1 indicator of one of its levels (bound). */
    static BoundSql expression(QueryScope scope, GlmColumn column, Set<Cde> used, String role) {
        if (column.getLevel().isEmpty()) {
            Cde cde = scope.numerical(column.getVariable(), role + " without a level");
            used.add(cde);
            return BoundSql.builder()
                    .sql(scope.dialect().toDouble(scope.quote(cde)))
                    .build();
        }
        Cde cde = scope.nominal(column.getVariable(), role + " with a level");
        BoundSql indicator = LevelIndicator.of(scope, cde, column.getLevel());
        used.add(cde);
        return indicator;
    }

    /** For the audit log: the covariates, the response and the variables rows must be complete in. */
    @Override
    public void variables(GlmStepQuery query, Set<String> names) {
        query.getColumnsList().forEach(column -> names.add(column.getVariable()));
        names.add(query.getResponse().getVariable());
        names.addAll(query.getCompleteInList());
    }

    private static String x(int column) {
        return "\"x$" + column + "\"";
    }
}
