package org.mipfed.node.primitive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mipfed.node.primitive.FilterTrees.rule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.special.Gamma;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mipfed.proto.v1.CrossProductsQuery;
import org.mipfed.proto.v1.DesignColumn;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.GlmColumn;
import org.mipfed.proto.v1.GlmStepQuery;
import org.mipfed.proto.v1.GlmStepResult;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;

/**
 * {@code glm_step} on the dementia data, for every family and link, checked against the same sums
 * computed here in plain Java from the CSV rows with R's formulas (Commons Math for the normal
 * distribution and log-gamma), the same on every kind of store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractGlmStepTest extends DementiaStoreTest {
    private static final double EPS = Math.ulp(1.0);
    private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

    /** family, link, response, its level, covariates (variable or variable=level), β (empty: start). */
    static Stream<Arguments> models() {
        List<String> x = List.of("leftamygdala", "gender=F", "subjectageyears");
        List<String> one = List.of("subjectageyears");
        List<String> many = List.of(
                "leftacgganteriorcingulategyrus",
                "leftainsanteriorinsula",
                "leftamygdala",
                "leftangangulargyrus",
                "leftaorganteriororbitalgyrus",
                "leftbasalforebrain",
                "leftcalccalcarinecortex",
                "leftcaudate",
                "leftcerebellumexterior",
                "leftcerebellumwhitematter",
                "leftcerebralwhitematter",
                "leftcocentraloperculum",
                "leftcuncuneus",
                "leftententorhinalarea",
                "leftfofrontaloperculum",
                "gender=F",
                "agegroup=60-69y",
                "agegroup=70-79y",
                "subjectageyears");
        double[] small = new double[many.size() + 1];
        small[0] = -0.5;
        small[3] = 0.1;
        return Stream.of(
                // Twenty coefficients: the layered query must stay small and fast on every store.
                Arguments.of("binomial", "probit", "alzheimerbroadcategory", "AD", many, small),
                Arguments.of(
                        "binomial", "logit", "alzheimerbroadcategory", "AD", x, new double[] {-1.5, 0.8, 0.3, 0.01}),
                Arguments.of("binomial", "logit", "alzheimerbroadcategory", "AD", x, new double[] {40, 1, 1, 0}),
                Arguments.of("binomial", "logit", "alzheimerbroadcategory", "AD", x, new double[0]),
                Arguments.of(
                        "binomial", "probit", "alzheimerbroadcategory", "CN", x, new double[] {-1, 0.5, 0.2, 0.005}),
                Arguments.of(
                        "binomial", "probit", "alzheimerbroadcategory", "CN", x, new double[] {-12, 0.5, 0.2, 0.1}),
                Arguments.of("binomial", "probit", "alzheimerbroadcategory", "CN", x, new double[0]),
                Arguments.of("binomial", "cauchit", "gender", "M", x.subList(0, 1), new double[] {-2, 1.1}),
                Arguments.of("binomial", "cloglog", "gender", "M", x.subList(0, 1), new double[] {-2, 1.1}),
                Arguments.of("binomial", "cloglog", "gender", "M", x.subList(0, 1), new double[] {-30, 1.1}),
                Arguments.of("binomial", "cloglog", "gender", "M", x.subList(0, 1), new double[0]),
                Arguments.of("binomial", "log", "alzheimerbroadcategory", "AD", one, new double[] {-3, 0.02}),
                Arguments.of("binomial", "log", "alzheimerbroadcategory", "AD", one, new double[0]),
                Arguments.of("poisson", "log", "minimentalstate", "", x, new double[] {2.5, 0.2, 0.05, 0.001}),
                Arguments.of("poisson", "log", "minimentalstate", "", x, new double[0]),
                Arguments.of("poisson", "identity", "minimentalstate", "", one, new double[] {20, 0.05}),
                Arguments.of("poisson", "sqrt", "minimentalstate", "", one, new double[] {4, 0.01}),
                Arguments.of("poisson", "sqrt", "minimentalstate", "", one, new double[0]),
                Arguments.of(
                        "gaussian",
                        "identity",
                        "leftamygdala",
                        "",
                        List.of("subjectageyears", "gender=F"),
                        new double[] {1.5, -0.01, 0.1}),
                Arguments.of(
                        "gaussian",
                        "identity",
                        "leftamygdala",
                        "",
                        List.of("subjectageyears", "gender=F"),
                        new double[0]),
                Arguments.of("gaussian", "log", "leftamygdala", "", one, new double[] {0.5, -0.003}),
                Arguments.of("gaussian", "inverse", "leftamygdala", "", one, new double[] {0.5, 0.003}),
                Arguments.of("gaussian", "inverse", "leftamygdala", "", one, new double[] {0.5, -0.01}),
                Arguments.of("gaussian", "inverse", "leftamygdala", "", one, new double[0]));
    }

    @ParameterizedTest(name = "{0}({1}) of {2} at {5}")
    @MethodSource("models")
    void matchesTheSumsComputedFromTheRows(
            String family, String link, String y, String level, List<String> x, double[] beta) {
        GlmStepQuery query = query(family, link, y, level, x, beta);
        PrimitiveResult result = guarded.execute(
                PrimitiveQuery.newBuilder()
                        .setDataModel("dementia:0.1")
                        .addAllDatasets(DATASETS)
                        .setGlmStep(query)
                        .build(),
                "tester");
        GlmStepResult expected = reference(query, rows.select(DATASETS, r -> true));
        GlmStepResult actual = result.getGlmStep();
        assertThat(result.getRowsUsed()).isEqualTo(expected.getN()).isGreaterThan(50);
        assertThat(actual.getN()).isEqualTo(expected.getN());
        assertThat(actual.getInvalid()).as("invalid").isEqualTo(expected.getInvalid());
        assertThat(actual.getBoundary()).as("boundary").isEqualTo(expected.getBoundary());
        close("deviance", actual.getDeviance(), expected.getDeviance());
        close("log-likelihood", actual.getLogLikelihood(), expected.getLogLikelihood());
        close("sum y", actual.getSumY(), expected.getSumY());
        closeAll("information", actual.getInformationList(), expected.getInformationList());
        closeAll("score", actual.getScoreList(), expected.getScoreList());
        closeAll("working", actual.getWorkingList(), expected.getWorkingList());
    }

    /**
     * A starting round at R's means is written into the statement (StartingMeans); one at other values, which the
     * node cannot vouch for, goes through the coefficients' table or parameters: the sums are the rows' in both, and
     * a round at R's start right after one at another start (the same connection, the same statement's shape) is not
     * answered from the other's values.
     */
    @Test
    void aStartingRoundAtOtherValuesThanRsIsComputedAtThoseValues() {
        List<String> x = List.of("leftamygdala", "subjectageyears");
        GlmStepQuery rs = query("binomial", "logit", "alzheimerbroadcategory", "AD", x, new double[0]);
        GlmStepQuery other = rs.toBuilder().setStartEta1(0.9).setStartEta0(-0.4).build();
        assertThat(StartingMeans.areRs("logit", rs.getStartEta1(), rs.getStartEta0()))
                .isTrue();
        assertThat(StartingMeans.areRs("logit", other.getStartEta1(), other.getStartEta0()))
                .isFalse();
        for (GlmStepQuery query : List.of(other, rs, other, rs)) {
            GlmStepResult actual = onAllDatasets(query);
            GlmStepResult expected = reference(query, rows.select(DATASETS, r -> true));
            close("log-likelihood", actual.getLogLikelihood(), expected.getLogLikelihood());
            closeAll("information", actual.getInformationList(), expected.getInformationList());
            closeAll("score", actual.getScoreList(), expected.getScoreList());
            closeAll("working", actual.getWorkingList(), expected.getWorkingList());
        }
    }

    @Test
    void someRowsOutsideTheLinksDomainAreCountedNotFatal() {
        GlmStepQuery query =
                query("gaussian", "inverse", "leftamygdala", "", List.of("subjectageyears"), new double[] {0.5, -0.01});
        GlmStepResult result = onAllDatasets(query);
        assertThat(result.getInvalid()).isPositive().isLessThan(result.getN());
    }

    /** {@code query} answered by the guarded executor over every dataset of the dementia rows. */
    private GlmStepResult onAllDatasets(GlmStepQuery query) {
        return guarded.execute(
                        PrimitiveQuery.newBuilder()
                                .setDataModel("dementia:0.1")
                                .addAllDatasets(DATASETS)
                                .setGlmStep(query)
                                .build(),
                        "tester")
                .getGlmStep();
    }

    @Test
    void refusesFewerRowsThanTheMinimum() {
        List<Map<String, String>> complete = rows.select(
                List.of("edsd0"), r -> r.containsKey("subjectageyears") && r.containsKey("alzheimerbroadcategory"));
        double[] ages = DementiaRows.values(complete, "subjectageyears");
        Arrays.sort(ages);
        Filter few = rule("subjectageyears", "greater", ages[ages.length - 6]);
        long n = complete.stream()
                .filter(r -> DementiaRows.number(r, "subjectageyears") > ages[ages.length - 6])
                .count();
        assertThat(n).isBetween(1L, 9L);
        PrimitiveQuery query = PrimitiveQuery.newBuilder()
                .setDataModel("dementia:0.1")
                .addDatasets("edsd0")
                .setFilter(few)
                .setGlmStep(query(
                        "binomial", "logit", "alzheimerbroadcategory", "AD", List.of("subjectageyears"), new double[] {
                            0, 0
                        }))
                .build();
        assertThatThrownBy(() -> guarded.execute(query, "t"))
                .isInstanceOf(RefusalException.class)
                .extracting(e -> ((RefusalException) e).rule())
                .isEqualTo("min_rows");
        assertThat(open.execute(query, "t").getGlmStep().getN()).isEqualTo(n);
    }

    @Test
    void refusesAModelWhoseLevelsLeaveOutTooFewRows() {
        // ppmi0 has one row of agegroup -50y among 46 with an amygdala volume: every indicated level has enough rows
        // and enough without, but the rows at none of them are n minus their ones.
        List<Map<String, String>> complete =
                rows.select(List.of("ppmi0"), r -> r.containsKey("leftamygdala") && r.containsKey("agegroup"));
        assertThat(complete.stream()
                        .filter(r -> r.get("agegroup").equals("-50y"))
                        .count())
                .isEqualTo(1);
        List<String> indicated = List.of("agegroup=+80y", "agegroup=50-59y", "agegroup=60-69y", "agegroup=70-79y");
        for (String level : indicated) {
            assertThat(complete.stream()
                            .filter(r -> r.get("agegroup").equals(level.substring(9)))
                            .count())
                    .isGreaterThanOrEqualTo(3);
        }
        PrimitiveQuery query = PrimitiveQuery.newBuilder()
                .setDataModel("dementia:0.1")
                .addDatasets("ppmi0")
                .setGlmStep(query("gaussian", "identity", "leftamygdala", "", indicated, new double[0]))
                .build();
        assertThatThrownBy(() -> guarded.execute(query, "t"))
                .isInstanceOf(RefusalException.class)
                .hasMessageContaining("among the counts of agegroup")
                .hasMessageNotContaining("+80y")
                .extracting(e -> ((RefusalException) e).rule())
                .isEqualTo("min_cell_count");
        assertThat(open.execute(query, "t").getGlmStep().getN()).isEqualTo(complete.size());
    }

    @Test
    void refusesASmallCellOfTwoLevelsAsCrossProductsDoes() {
        // edsd0 has one row of gender M in agegroup 60-69y among 15 with an amygdala volume; each level alone has
        // enough rows with and without it. With W constant (gaussian identity) XᵀWX holds that cell's count.
        List<Map<String, String>> complete = rows.select(
                List.of("edsd0"),
                r -> r.containsKey("leftamygdala") && r.containsKey("agegroup") && r.containsKey("gender"));
        assertThat(complete.stream()
                        .filter(r ->
                                r.get("gender").equals("M") && r.get("agegroup").equals("60-69y"))
                        .count())
                .isEqualTo(1);
        PrimitiveQuery glm = PrimitiveQuery.newBuilder()
                .setDataModel("dementia:0.1")
                .addDatasets("edsd0")
                .setGlmStep(query(
                        "gaussian",
                        "identity",
                        "leftamygdala",
                        "",
                        List.of("gender=M", "agegroup=60-69y"),
                        new double[0]))
                .build();
        assertThat(open.execute(glm, "t").getGlmStep().getInformation(1 * 3 + 2))
                .isEqualTo(1.0);
        assertThatThrownBy(() -> guarded.execute(glm, "t"))
                .isInstanceOf(RefusalException.class)
                .hasMessageContaining("among the counts of gender, agegroup")
                .hasMessageNotContaining("60-69y")
                .hasMessageNotContaining("1 rows")
                .extracting(e -> ((RefusalException) e).rule())
                .isEqualTo("min_cell_count");
        PrimitiveQuery crossProducts = PrimitiveQuery.newBuilder()
                .setDataModel("dementia:0.1")
                .addDatasets("edsd0")
                .setCrossProducts(CrossProductsQuery.newBuilder()
                        .addColumns(DesignColumn.newBuilder().setVariable("leftamygdala"))
                        .addColumns(
                                DesignColumn.newBuilder().setVariable("gender").setLevel("M"))
                        .addColumns(DesignColumn.newBuilder()
                                .setVariable("agegroup")
                                .setLevel("60-69y")))
                .build();
        assertThatThrownBy(() -> guarded.execute(crossProducts, "t"))
                .isInstanceOf(RefusalException.class)
                .extracting(e -> ((RefusalException) e).rule())
                .isEqualTo("min_cell_count");
    }

    @Test
    void refusesASmallCellOfABinomialResponseAndALevel() {
        // desd-synthdata0: two rows of alzheimerbroadcategory Other aged +80y among 31 with an amygdala volume; the
        // score of the first step (W constant) holds that cell's count.
        List<Map<String, String>> complete = rows.select(
                List.of("desd-synthdata0"),
                r -> r.containsKey("leftamygdala")
                        && r.containsKey("agegroup")
                        && r.containsKey("alzheimerbroadcategory"));
        assertThat(complete.stream()
                        .filter(r -> r.get("alzheimerbroadcategory").equals("Other")
                                && r.get("agegroup").equals("+80y"))
                        .count())
                .isEqualTo(2);
        PrimitiveQuery query = PrimitiveQuery.newBuilder()
                .setDataModel("dementia:0.1")
                .addDatasets("desd-synthdata0")
                .setGlmStep(query(
                                "binomial",
                                "logit",
                                "alzheimerbroadcategory",
                                "Other",
                                List.of("agegroup=+80y"),
                                new double[0])
                        .toBuilder()
                        .addCompleteIn("leftamygdala"))
                .build();
        assertThat(open.execute(query, "t").getGlmStep().getN()).isEqualTo(complete.size());
        assertThatThrownBy(() -> guarded.execute(query, "t"))
                .isInstanceOf(RefusalException.class)
                .hasMessageContaining("among the counts of agegroup, alzheimerbroadcategory")
                .hasMessageNotContaining("Other")
                .extracting(e -> ((RefusalException) e).rule())
                .isEqualTo("min_cell_count");
    }

    @Test
    void refusesAResponseOutsideTheFamilysSupportAndUnknownLinks() {
        PrimitiveQuery.Builder query =
                PrimitiveQuery.newBuilder().setDataModel("dementia:0.1").addAllDatasets(DATASETS);
        assertThatThrownBy(() -> guarded.execute(
                        query.setGlmStep(query(
                                        "binomial",
                                        "logit",
                                        "minimentalstate",
                                        "",
                                        List.of("subjectageyears"),
                                        new double[] {0, 0}))
                                .build(),
                        "t"))
                .isInstanceOf(RefusalException.class)
                .hasMessageContaining("'minimentalstate' of a binomial model must be zero or one");
        assertThatThrownBy(() -> guarded.execute(
                        query.setGlmStep(query(
                                        "poisson",
                                        "logit",
                                        "minimentalstate",
                                        "",
                                        List.of("subjectageyears"),
                                        new double[] {0, 0}))
                                .build(),
                        "t"))
                .isInstanceOf(RefusalException.class)
                .hasMessageContaining("no family 'poisson' with link 'logit'");
    }

    private static GlmStepQuery query(
            String family, String link, String y, String level, List<String> x, double[] beta) {
        GlmStepQuery.Builder query = GlmStepQuery.newBuilder()
                .setFamily(family)
                .setLink(link)
                .setIntercept(true)
                .setResponse(GlmColumn.newBuilder().setVariable(y).setLevel(level));
        for (String column : x) {
            String[] parts = column.split("=");
            query.addColumns(GlmColumn.newBuilder().setVariable(parts[0]).setLevel(parts.length > 1 ? parts[1] : ""));
        }
        for (double b : beta) {
            query.addBeta(b);
        }
        if (family.equals("binomial") && beta.length == 0) {
            query.setStartEta0(linkfun(link, 0.25)).setStartEta1(linkfun(link, 0.75));
        }
        return query.build();
    }

    private static double linkfun(String link, double mu) {
        return switch (link) {
            case "logit" -> Math.log(mu / (1 - mu));
            case "probit" -> NORMAL.inverseCumulativeProbability(mu);
            case "cauchit" -> Math.tan(Math.PI * (mu - 0.5));
            case "cloglog" -> Math.log(-Math.log(1 - mu));
            default -> Math.log(mu);
        };
    }

    /** R's glm.fit arithmetic, row by row. */
    private static GlmStepResult reference(GlmStepQuery query, List<Map<String, String>> selected) {
        List<String> used = new ArrayList<>();
        query.getColumnsList().forEach(c -> used.add(c.getVariable()));
        used.add(query.getResponse().getVariable());
        String family = query.getFamily();
        String link = query.getLink();
        int p = query.getColumnsCount() + 1;
        double[] info = new double[p * p];
        double[] score = new double[p];
        double[] working = new double[p];
        long n = 0;
        long invalid = 0;
        long boundary = 0;
        double ll = 0;
        double dev = 0;
        double sumY = 0;
        for (Map<String, String> row : selected) {
            if (!DementiaRows.complete(row, used)) {
                continue;
            }
            n++;
            double[] x = new double[p];
            x[0] = 1;
            for (int i = 1; i < p; i++) {
                x[i] = value(query.getColumns(i - 1), row);
            }
            double y = value(query.getResponse(), row);
            sumY += y;
            double eta = 0;
            if (query.getBetaCount() > 0) {
                for (int i = 0; i < p; i++) {
                    eta += query.getBeta(i) * x[i];
                }
            } else {
                double m = switch (family) {
                    case "binomial" -> (y + 0.5) / 2;
                    case "poisson" -> y + 0.1;
                    default -> y;
                };
                eta = family.equals("binomial")
                        ? (y == 1 ? query.getStartEta1() : query.getStartEta0())
                        : switch (link) {
                            case "log" -> Math.log(m);
                            case "sqrt" -> Math.sqrt(m);
                            case "inverse" -> 1 / m;
                            default -> m;
                        };
            }
            double[] muCmuMe = mean(link, eta);
            double mu = muCmuMe[0];
            double cmu = muCmuMe[1];
            double me = muCmuMe[2];
            boolean ok = !Double.isNaN(mu)
                    && switch (family) {
                        case "binomial" -> mu > 0 && mu < 1 && cmu > 0;
                        case "poisson" -> mu > 0;
                        default -> true;
                    };
            if (!ok) {
                invalid++;
                continue;
            }
            double v = switch (family) {
                case "binomial" -> mu * cmu;
                case "poisson" -> mu;
                default -> 1;
            };
            double resid = family.equals("binomial") ? (y == 1 ? cmu : -mu) : y - mu;
            double w = me * me / v;
            double r = resid * me / v;
            for (int i = 0; i < p; i++) {
                score[i] += r * x[i];
                working[i] += (w * eta + r) * x[i];
                for (int j = 0; j < p; j++) {
                    info[i * p + j] += w * x[i] * x[j];
                }
            }
            switch (family) {
                case "binomial" -> {
                    double l = y == 1 ? Math.log(mu) : Math.log(cmu);
                    ll += l;
                    dev += -2 * l;
                    boundary += mu < 10 * EPS || cmu < 10 * EPS ? 1 : 0;
                }
                case "poisson" -> {
                    ll += y * Math.log(mu) - mu - Gamma.logGamma(y + 1);
                    dev += 2 * ((y > 0 ? y * Math.log(y / mu) : 0) - (y - mu));
                    boundary += mu < 10 * EPS ? 1 : 0;
                }
                default -> dev += (y - mu) * (y - mu);
            }
        }
        GlmStepResult.Builder out = GlmStepResult.newBuilder()
                .setN(n)
                .setInvalid(invalid)
                .setBoundary(boundary)
                .setLogLikelihood(ll)
                .setDeviance(dev)
                .setSumY(sumY);
        for (double value : info) {
            out.addInformation(value);
        }
        for (int i = 0; i < p; i++) {
            out.addScore(score[i]).addWorking(working[i]);
        }
        return out.build();
    }

    /** μ, 1 − μ and dμ/dη as R's link objects compute them (NaN μ outside the link's domain). */
    private static double[] mean(String link, double eta) {
        switch (link) {
            case "logit" -> {
                double t = eta < -30 ? EPS : eta > 30 ? 1 / EPS : Math.exp(eta);
                double me = eta < -30 || eta > 30 ? EPS : t / ((1 + t) * (1 + t));
                return new double[] {t / (1 + t), 1 / (1 + t), me};
            }
            case "probit" -> {
                double thresh = -NORMAL.inverseCumulativeProbability(EPS);
                double a = Math.min(Math.max(eta, -thresh), thresh);
                return new double[] {
                    NORMAL.cumulativeProbability(a),
                    NORMAL.cumulativeProbability(-a),
                    Math.max(NORMAL.density(eta), EPS)
                };
            }
            case "cauchit" -> {
                double mu = 0.5 + Math.atan(eta) / Math.PI;
                return new double[] {mu, 0.5 - Math.atan(eta) / Math.PI, Math.max(1 / (Math.PI * (1 + eta * eta)), EPS)
                };
            }
            case "cloglog" -> {
                double mu = Math.max(Math.min(-Math.expm1(-Math.exp(eta)), 1 - EPS), EPS);
                double cmu = Math.max(Math.min(Math.exp(-Math.exp(eta)), 1 - EPS), EPS);
                return new double[] {mu, cmu, Math.max(Math.exp(eta) * Math.exp(-Math.exp(eta)), EPS)};
            }
            case "log" -> {
                double mu = Math.max(Math.exp(eta), EPS);
                return new double[] {mu, 1 - mu, mu};
            }
            case "identity" -> {
                return new double[] {eta, 1 - eta, 1};
            }
            case "sqrt" -> {
                return new double[] {eta > 0 ? eta * eta : Double.NaN, Double.NaN, 2 * eta};
            }
            case "inverse" -> {
                return new double[] {eta != 0 ? 1 / eta : Double.NaN, Double.NaN, -1 / (eta * eta)};
            }
            default -> throw new IllegalArgumentException(link);
        }
    }

    private static double value(GlmColumn column, Map<String, String> row) {
        String text = row.get(column.getVariable());
        return column.getLevel().isEmpty()
                ? Double.parseDouble(text)
                : column.getLevel().equals(text) ? 1 : 0;
    }

    private static void close(String what, double actual, double expected) {
        assertThat(Math.abs(actual - expected))
                .as("%s: %s vs %s", what, actual, expected)
                .isLessThanOrEqualTo(1e-9 * Math.abs(expected) + 1e-10);
    }

    private static void closeAll(String what, List<Double> actual, List<Double> expected) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            close(what + "[" + i + "]", actual.get(i), expected.get(i));
        }
    }
}
