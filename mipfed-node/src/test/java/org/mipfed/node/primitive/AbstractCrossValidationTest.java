package org.mipfed.node.primitive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mipfed.node.primitive.FilterTrees.rule;
import static org.mipfed.node.primitive.PrimitiveQueries.close;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mipfed.core.request.Folds;
import org.mipfed.proto.v1.ClassSummary;
import org.mipfed.proto.v1.ClassSummaryQuery;
import org.mipfed.proto.v1.ClassSummaryResult;
import org.mipfed.proto.v1.CrossProductsResult;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.FoldRestriction;
import org.mipfed.proto.v1.GlmColumn;
import org.mipfed.proto.v1.LinearScore;
import org.mipfed.proto.v1.LogisticScore;
import org.mipfed.proto.v1.ModelScoreQuery;
import org.mipfed.proto.v1.ModelScoreResult;
import org.mipfed.proto.v1.NaiveBayesScore;
import org.mipfed.proto.v1.NominalFeature;
import org.mipfed.proto.v1.PrimitiveQuery;

/**
 * Folds and the cross-validation primitives on the dementia data. Each row's fold is recomputed
 * here in Java ({@link Folds}, from the CSV order), so the store's SQL hash is checked row by row
 * through sums that single out the rows, and the fold properties Exareme2's kfold cases state hold:
 * a fold's training and test rows are disjoint and make up all rows, the test folds are disjoint and
 * cover all rows, and every variable's rows stay aligned.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractCrossValidationTest extends DementiaStoreTest {
    private static final List<String> X = List.of("leftamygdala", "subjectageyears");

    /** The selected rows of the datasets, each with its fold among {@code nSplits} (position within its dataset, CSV order). */
    private List<Map<String, String>> rowsOfFold(
            List<String> datasets, int nSplits, int fold, boolean test, Filter filter) {
        Map<String, Integer> positions = new HashMap<>();
        List<Map<String, String>> out = new ArrayList<>();
        for (Map<String, String> row : rows.select(datasets, r -> true)) {
            String dataset = row.get("dataset");
            int position = positions.merge(dataset, 1, Integer::sum) - 1;
            boolean inFold = Folds.fold(dataset, position, nSplits) == fold;
            if (inFold == test && (filter == null || "F".equals(row.get("gender")))) {
                out.add(row);
            }
        }
        return out;
    }

    private static PrimitiveQuery.Builder query(FoldRestriction fold) {
        PrimitiveQuery.Builder query =
                PrimitiveQuery.newBuilder().setDataModel("dementia:0.1").addAllDatasets(DATASETS);
        if (fold != null) {
            query.setFold(fold);
        }
        return query;
    }

    private CrossProductsResult crossProducts(FoldRestriction fold, Filter filter) {
        PrimitiveQuery query = PrimitiveQueries.crossProducts(
                DATASETS,
                filter,
                X.stream().map(v -> PrimitiveQueries.column(v, "")).toList());
        return open.execute(
                        fold == null ? query : query.toBuilder().setFold(fold).build(), "tester")
                .getCrossProducts();
    }

    private static FoldRestriction fold(int nSplits, int fold, boolean test) {
        return FoldRestriction.newBuilder()
                .setNSplits(nSplits)
                .setFold(fold)
                .setTest(test)
                .build();
    }

    @ParameterizedTest(name = "{0} folds")
    @ValueSource(ints = {2, 3, 5, 10})
    void foldsSelectTheRowsTheirHashNamesAndPartitionThem(int nSplits) {
        CrossProductsResult all = crossProducts(null, null);
        long testTotal = 0;
        double[] testSums = new double[X.size()];
        for (int f = 0; f < nSplits; f++) {
            CrossProductsResult test = crossProducts(fold(nSplits, f, true), null);
            CrossProductsResult train = crossProducts(fold(nSplits, f, false), null);
            List<Map<String, String>> expected = rowsOfFold(DATASETS, nSplits, f, true, null).stream()
                    .filter(r -> DementiaRows.complete(r, X))
                    .toList();
            assertThat(test.getN()).as("test rows of fold %d", f).isEqualTo(expected.size());
            assertThat(test.getN() + train.getN())
                    .as("training and test rows of fold %d", f)
                    .isEqualTo(all.getN());
            for (int i = 0; i < X.size(); i++) {
                double[] values = DementiaRows.values(expected, X.get(i));
                close(test.getMeans(i), DementiaRows.mean(values));
                // Training and test rows are disjoint and make up all rows: their sums add up to all rows' sums.
                close(test.getMeans(i) * test.getN() + train.getMeans(i) * train.getN(), all.getMeans(i) * all.getN());
                testSums[i] += test.getMeans(i) * test.getN();
            }
            // Rows stay aligned: the test fold's co-moment of x and y is that of the same rows.
            double[] a = DementiaRows.values(expected, X.get(0));
            double[] b = DementiaRows.values(expected, X.get(1));
            double ma = DementiaRows.mean(a);
            double mb = DementiaRows.mean(b);
            double c = 0;
            for (int r = 0; r < a.length; r++) {
                c += (a[r] - ma) * (b[r] - mb);
            }
            close(test.getComoments(1), c);
            testTotal += test.getN();
            // Folds are of similar sizes.
            assertThat((double) test.getN()).isBetween(0.6 * all.getN() / nSplits, 1.4 * all.getN() / nSplits);
        }
        assertThat(testTotal).as("the test folds cover every row once").isEqualTo(all.getN());
        for (int i = 0; i < X.size(); i++) {
            close(testSums[i], all.getMeans(i) * all.getN());
        }
    }

    @Test
    void aRowsFoldDoesNotDependOnTheFilter() {
        Filter female = rule("gender", "equal", "F");
        CrossProductsResult test = crossProducts(fold(4, 1, true), female);
        List<Map<String, String>> expected = rowsOfFold(DATASETS, 4, 1, true, female).stream()
                .filter(r -> DementiaRows.complete(r, X))
                .toList();
        assertThat(test.getN()).isEqualTo(expected.size());
        close(test.getMeans(0), DementiaRows.mean(DementiaRows.values(expected, X.get(0))));
    }

    @Test
    void refusesFoldsThatDoNotExist() {
        assertThatThrownBy(() -> crossProducts(fold(1, 0, true), null))
                .isInstanceOf(RefusalException.class)
                .hasMessageContaining("between 2 and");
        assertThatThrownBy(() -> crossProducts(fold(3, 3, true), null))
                .isInstanceOf(RefusalException.class)
                .hasMessageContaining("Fold 3 does not exist among 3 folds");
    }

    @Test
    void linearScoreSumsTheErrorsOfTheTestRows() {
        double[] beta = {0.2, 0.9, 0.004};
        ModelScoreResult result = open.execute(
                        query(fold(3, 2, true))
                                .setModelScore(ModelScoreQuery.newBuilder()
                                        .setLinear(LinearScore.newBuilder()
                                                .addColumns(glm("leftamygdala", ""))
                                                .addColumns(glm("subjectageyears", ""))
                                                .addAllBeta(List.of(beta[0], beta[1], beta[2]))
                                                .setResponse(glm("rightamygdala", ""))))
                                .build(),
                        "tester")
                .getModelScore();
        List<Map<String, String>> rowsUsed = rowsOfFold(DATASETS, 3, 2, true, null).stream()
                .filter(r -> DementiaRows.complete(r, List.of("leftamygdala", "subjectageyears", "rightamygdala")))
                .toList();
        double sse = 0;
        double sae = 0;
        for (Map<String, String> row : rowsUsed) {
            double residual = DementiaRows.number(row, "rightamygdala")
                    - (beta[0]
                            + beta[1] * DementiaRows.number(row, "leftamygdala")
                            + beta[2] * DementiaRows.number(row, "subjectageyears"));
            sse += residual * residual;
            sae += Math.abs(residual);
        }
        double[] y = DementiaRows.values(rowsUsed, "rightamygdala");
        assertThat(result.getN()).isEqualTo(rowsUsed.size());
        close(result.getSse(), sse);
        close(result.getSae(), sae);
        close(result.getMeanY(), DementiaRows.mean(y));
        close(result.getM2Y(), DementiaRows.m2(y));
    }

    @Test
    void logisticScoreCountsPredictedPositivesAtEachThreshold() {
        double[] beta = {-3, 0.8, 0.02};
        List<Double> thresholds = List.of(0.5, 1.0, 0.9, 0.3, 0.1, 0.0);
        ModelScoreResult result = open.execute(
                        query(fold(2, 0, true))
                                .setModelScore(ModelScoreQuery.newBuilder()
                                        .setLogistic(LogisticScore.newBuilder()
                                                .addColumns(glm("gender", "F"))
                                                .addColumns(glm("subjectageyears", ""))
                                                .addAllBeta(List.of(beta[0], beta[1], beta[2]))
                                                .setResponse(glm("alzheimerbroadcategory", "AD"))
                                                .addAllThresholds(thresholds)))
                                .build(),
                        "tester")
                .getModelScore();
        List<Map<String, String>> rowsUsed = rowsOfFold(DATASETS, 2, 0, true, null).stream()
                .filter(r -> DementiaRows.complete(r, List.of("gender", "subjectageyears", "alzheimerbroadcategory")))
                .toList();
        assertThat(result.getN()).isEqualTo(rowsUsed.size());
        assertThat(result.getPositives())
                .isEqualTo(rowsUsed.stream()
                        .filter(r -> r.get("alzheimerbroadcategory").equals("AD"))
                        .count());
        for (int t = 0; t < thresholds.size(); t++) {
            long tp = 0;
            long fp = 0;
            for (Map<String, String> row : rowsUsed) {
                double eta = beta[0]
                        + beta[1] * (row.get("gender").equals("F") ? 1 : 0)
                        + beta[2] * DementiaRows.number(row, "subjectageyears");
                double p = 1 / (1 + Math.exp(-eta));
                if (p > thresholds.get(t)) {
                    if (row.get("alzheimerbroadcategory").equals("AD")) {
                        tp++;
                    } else {
                        fp++;
                    }
                }
            }
            assertThat(result.getTruePositives(t))
                    .as("true positives above %s", thresholds.get(t))
                    .isEqualTo(tp);
            assertThat(result.getFalsePositives(t))
                    .as("false positives above %s", thresholds.get(t))
                    .isEqualTo(fp);
        }
        assertThat(result.getTruePositives(1)).isZero();
        assertThat(result.getTruePositives(5)).isEqualTo(result.getPositives());
    }

    @Test
    void classSummaryAndNaiveBayesScoreMatchTheRows() {
        List<String> classes = List.of("AD", "CN", "Other");
        ClassSummaryResult summary = open.execute(
                        query(fold(3, 0, false))
                                .setClassSummary(ClassSummaryQuery.newBuilder()
                                        .setResponse("alzheimerbroadcategory")
                                        .addNumerical("leftamygdala")
                                        .addNominal("gender"))
                                .build(),
                        "tester")
                .getClassSummary();
        List<Map<String, String>> training = rowsOfFold(DATASETS, 3, 0, false, null).stream()
                .filter(r -> DementiaRows.complete(r, List.of("alzheimerbroadcategory", "leftamygdala", "gender")))
                .toList();
        assertThat(summary.getN()).isEqualTo(training.size());
        assertThat(summary.getClassesList())
                .extracting(ClassSummary::getLevel)
                .containsExactlyElementsOf(new TreeSet<>(training.stream()
                        .map(r -> r.get("alzheimerbroadcategory"))
                        .toList()));
        double[] theta = new double[classes.size()];
        double[] var = new double[classes.size()];
        double[] logPrior = new double[classes.size()];
        double[] logF = new double[classes.size() * 2];
        for (ClassSummary group : summary.getClassesList()) {
            List<Map<String, String>> members = training.stream()
                    .filter(r -> r.get("alzheimerbroadcategory").equals(group.getLevel()))
                    .toList();
            double[] values = DementiaRows.values(members, "leftamygdala");
            assertThat(group.getN()).isEqualTo(members.size());
            close(group.getMean(0), DementiaRows.mean(values));
            close(group.getM2(0), DementiaRows.m2(values));
            Map<String, Long> counts = new TreeMap<>();
            members.forEach(r -> counts.merge(r.get("gender"), 1L, Long::sum));
            assertThat(group.getNominal(0).getLevelsList()).containsExactlyElementsOf(counts.keySet());
            assertThat(group.getNominal(0).getCountsList()).containsExactlyElementsOf(counts.values());
            int c = classes.indexOf(group.getLevel());
            theta[c] = group.getMean(0);
            var[c] = group.getM2(0) / group.getN();
            logPrior[c] = Math.log((double) group.getN() / training.size());
            logF[2 * c] = Math.log((counts.getOrDefault("F", 0L) + 1.0) / (group.getN() + 2));
            logF[2 * c + 1] = Math.log((counts.getOrDefault("M", 0L) + 1.0) / (group.getN() + 2));
        }
        NaiveBayesScore.Builder model = NaiveBayesScore.newBuilder()
                .setResponse("alzheimerbroadcategory")
                .addAllClasses(classes)
                .addNumerical("leftamygdala")
                .addNominal(NominalFeature.newBuilder()
                        .setVariable("gender")
                        .addLevels("F")
                        .addLevels("M")
                        .addAllLogProbability(boxed(logF)));
        for (int c = 0; c < classes.size(); c++) {
            model.addLogPrior(logPrior[c]).addTheta(theta[c]).addVar(var[c]);
        }
        ModelScoreResult score = open.execute(
                        query(fold(3, 0, true))
                                .setModelScore(ModelScoreQuery.newBuilder().setNaiveBayes(model))
                                .build(),
                        "tester")
                .getModelScore();
        List<Map<String, String>> test = rowsOfFold(DATASETS, 3, 0, true, null).stream()
                .filter(r -> DementiaRows.complete(r, List.of("alzheimerbroadcategory", "leftamygdala", "gender")))
                .toList();
        long[] confusion = new long[classes.size() * classes.size()];
        for (Map<String, String> row : test) {
            double x = DementiaRows.number(row, "leftamygdala");
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes.size(); c++) {
                double s = logPrior[c]
                        - 0.5 * Math.log(2 * Math.PI * var[c])
                        - (x - theta[c]) * (x - theta[c]) / (2 * var[c])
                        + logF[2 * c + (row.get("gender").equals("F") ? 0 : 1)];
                if (s > bestScore) {
                    best = c;
                    bestScore = s;
                }
            }
            confusion[classes.indexOf(row.get("alzheimerbroadcategory")) * classes.size() + best]++;
        }
        assertThat(score.getN()).isEqualTo(test.size());
        assertThat(score.getConfusionList()).containsExactlyElementsOf(boxedLongs(confusion));
    }

    @Test
    void scoresGoThroughThePrivacyGuard() {
        // The youngest ages give a test fold of a handful of rows.
        List<Map<String, String>> fold = rowsOfFold(DATASETS, 10, 3, true, null).stream()
                .filter(r -> DementiaRows.complete(r, List.of("leftamygdala", "rightamygdala", "subjectageyears")))
                .toList();
        double limit = 40;
        for (double candidate = 40; candidate < 90; candidate++) {
            double bound = candidate;
            if (fold.stream()
                            .filter(r -> DementiaRows.number(r, "subjectageyears") < bound)
                            .count()
                    > 0) {
                limit = candidate;
                break;
            }
        }
        double bound = limit;
        long expected = fold.stream()
                .filter(r -> DementiaRows.number(r, "subjectageyears") < bound)
                .count();
        PrimitiveQuery query = query(fold(10, 3, true))
                .setFilter(rule("subjectageyears", "less", bound))
                .setModelScore(ModelScoreQuery.newBuilder()
                        .setLinear(LinearScore.newBuilder()
                                .addColumns(glm("leftamygdala", ""))
                                .addAllBeta(List.of(0.1, 1.0))
                                .setResponse(glm("rightamygdala", ""))))
                .build();
        assertThat(expected).isBetween(1L, 9L);
        assertThat(open.execute(query, "tester").getModelScore().getN()).isEqualTo(expected);
        assertThatThrownBy(() -> guarded.execute(query, "tester"))
                .isInstanceOf(RefusalException.class)
                .hasMessageContaining("at least 10 rows");
    }

    private static GlmColumn glm(String variable, String level) {
        return GlmColumn.newBuilder().setVariable(variable).setLevel(level).build();
    }

    private static List<Double> boxed(double[] values) {
        List<Double> out = new ArrayList<>();
        for (double v : values) {
            out.add(v);
        }
        return out;
    }

    private static List<Long> boxedLongs(long[] values) {
        List<Long> out = new ArrayList<>();
        for (long v : values) {
            out.add(v);
        }
        return out;
    }
}
