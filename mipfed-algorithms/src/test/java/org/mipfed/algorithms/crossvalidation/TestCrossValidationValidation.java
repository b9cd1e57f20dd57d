package org.mipfed.algorithms.crossvalidation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mipfed.algorithms.Algorithms;
import org.mipfed.algorithms.CrossValidationChecks;
import org.mipfed.algorithms.ExpectedResults;
import org.mipfed.algorithms.ExpectedResults.Case;
import org.mipfed.algorithms.InMemoryFederation;
import org.mipfed.algorithms.RequestValidator;
import org.mipfed.algorithms.TestData;
import org.mipfed.algorithms.spi.Algorithm;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.AnalysisRequest;
import org.mipfed.core.request.Folds;

/**
 * Exareme2's cross-validation cases on 1, 3 and 5 in-memory nodes. Exareme2's folds are not ours
 * (theirs depend on how its workers hold the rows), so its figures are checked for range and shape,
 * as its own suite does; exactness is checked here instead: the same answer on any number of nodes,
 * test folds covering every row once, and a fold's figures equal to those of a fit over the pooled
 * training rows.
 */
class TestCrossValidationValidation {
    private static final Algorithms ALGORITHMS = Algorithms.standard();
    private static final Map<String, String> FILES = Map.of(
            "linear_regression_cv",
            "linear_regression_cv",
            "logistic_regression_cv",
            "logistic_regression_cv",
            "naive_bayes_gaussian_cv",
            "naive_bayes_gauss_cv",
            "naive_bayes_categorical_cv",
            "naive_bayes_categorical_cv");

    static Stream<Arguments> cases() {
        return FILES.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .flatMap(e -> ExpectedResults.load(ExpectedResults.expectedFile(e.getValue())).stream()
                        .flatMap(c -> Stream.of(1, 3, 5).map(n -> Arguments.of(e.getKey(), c, n))));
    }

    @ParameterizedTest(name = "{0} {1} on {2} nodes")
    @MethodSource("cases")
    void answersInRangeAndTheSameOnAnyNumberOfNodes(String algorithm, Case testCase, int nodes) {
        JsonNode result = run(algorithm, testCase.input(), nodes);
        CrossValidationChecks.check(algorithm, testCase.input(), result);
        if (nodes != 1) {
            JsonNode single = run(algorithm, testCase.input(), 1);
            CrossValidationChecks.assertSame(algorithm, single, result, new ExpectedResults.Tolerance(1e-9, 1e-12));
        }
    }

    @Test
    void aLinearFoldIsScoredAsAPooledFitOfItsTrainingRows() {
        List<String> x = List.of("righthippocampus", "leftamygdala");
        String y = "lefthippocampus";
        List<String> datasets = List.of("edsd0", "edsd1", "ppmi0", "desd-synthdata0");
        JsonNode result = run("linear_regression_cv", request(datasets, x, y, 4, null), 3);
        for (int fold = 0; fold < 4; fold++) {
            List<double[]> train = new ArrayList<>();
            List<double[]> test = new ArrayList<>();
            for (String dataset : datasets) {
                List<Map<String, Object>> rows = TestData.dementiaRows().get(dataset);
                for (int position = 0; position < rows.size(); position++) {
                    Map<String, Object> row = rows.get(position);
                    if (row.get(y) == null || x.stream().anyMatch(v -> row.get(v) == null)) {
                        continue;
                    }
                    double[] values = {(Double) row.get(y), (Double) row.get(x.get(0)), (Double) row.get(x.get(1))};
                    (Folds.fold(dataset, position, 4) == fold ? test : train).add(values);
                }
            }
            OLSMultipleLinearRegression ols = new OLSMultipleLinearRegression();
            double[][] design =
                    train.stream().map(r -> new double[] {r[1], r[2]}).toArray(double[][]::new);
            ols.newSampleData(train.stream().mapToDouble(r -> r[0]).toArray(), design);
            double[] beta = ols.estimateRegressionParameters();
            double sse = 0;
            double sae = 0;
            double mean = test.stream().mapToDouble(r -> r[0]).average().orElseThrow();
            double tss = 0;
            for (double[] r : test) {
                double residual = r[0] - (beta[0] + beta[1] * r[1] + beta[2] * r[2]);
                sse += residual * residual;
                sae += Math.abs(residual);
                tss += (r[0] - mean) * (r[0] - mean);
            }
            JsonNode folds = result.get("folds");
            assertThat(result.get("n_obs").get(fold).asLong()).isEqualTo(train.size());
            assertThat(folds.get("n_obs_test").get(fold).asLong()).isEqualTo(test.size());
            assertThat(folds.get("mean_sq_error").get(fold).asDouble())
                    .isCloseTo(Math.sqrt(sse / test.size()), within(1e-9));
            assertThat(folds.get("mean_abs_error").get(fold).asDouble()).isCloseTo(sae / test.size(), within(1e-9));
            assertThat(folds.get("r_squared").get(fold).asDouble()).isCloseTo(1 - sse / tss, within(1e-9));
        }
    }

    @Test
    void refusesBadRequestsNamingTheParameter() {
        List<String> datasets = List.of("edsd0");
        assertRefused(
                "linear_regression_cv",
                request(datasets, List.of("lefthippocampus"), "righthippocampus", 1, null),
                "n_splits");
        assertRefused(
                "linear_regression_cv",
                request(datasets, List.of("lefthippocampus"), "righthippocampus", 21, null),
                "n_splits");
        assertRefused(
                "linear_regression_cv",
                request(datasets, List.of("lefthippocampus"), "gender", 3, null),
                "numerical dependent");
        ObjectNode logistic = request(datasets, List.of("lefthippocampus"), "gender", 3, null);
        ((ObjectNode) logistic.get("parameters")).put("positive_class", "X");
        assertRefused(
                "logistic_regression_cv",
                logistic,
                "The parameter 'positive_class' of logistic_regression_cv must be one of M, F, not X");
        assertRefused(
                "naive_bayes_gaussian_cv",
                request(datasets, List.of("agegroup"), "gender", 3, null),
                "naive_bayes_gaussian_cv needs numerical covariates (x); 'agegroup' is nominal");
        assertRefused(
                "naive_bayes_categorical_cv",
                request(datasets, List.of("lefthippocampus"), "gender", 3, null),
                "naive_bayes_categorical_cv needs nominal covariates (x); 'lefthippocampus' is numerical");
        ObjectNode few = request(
                datasets,
                List.of("lefthippocampus"),
                "righthippocampus",
                20,
                Json.mapper()
                        .createObjectNode()
                        .put("condition", "AND")
                        .set(
                                "rules",
                                Json.mapper()
                                        .createArrayNode()
                                        .add(Json.mapper()
                                                .createObjectNode()
                                                .put("id", "subjectageyears")
                                                .put("field", "subjectageyears")
                                                .put("type", "double")
                                                .put("input", "number")
                                                .put("operator", "less")
                                                .put("value", 68))));
        assertRefused("linear_regression_cv", few, "is larger than the number of rows");
    }

    private static void assertRefused(String algorithm, ObjectNode request, String message) {
        assertThatThrownBy(() -> run(algorithm, request, 3)).isInstanceOfSatisfying(Problem.class, p -> {
            assertThat(p.status()).isEqualTo(400);
            assertThat(p.detail()).contains(message);
        });
    }

    static ObjectNode request(List<String> datasets, List<String> x, String y, int nSplits, ObjectNode filters) {
        ObjectNode request = Json.mapper().createObjectNode();
        ObjectNode inputdata = request.putObject("inputdata");
        inputdata.put("data_model", "dementia:0.1");
        datasets.forEach(inputdata.putArray("datasets")::add);
        x.forEach(inputdata.putArray("x")::add);
        inputdata.putArray("y").add(y);
        if (filters != null) {
            inputdata.set("filters", filters);
        }
        request.putObject("parameters").put("n_splits", nSplits);
        return request;
    }

    static JsonNode run(String name, JsonNode request, int nodes) {
        Algorithm algorithm = ALGORITHMS.get(name);
        InMemoryFederation federation = InMemoryFederation.dementia(nodes);
        AnalysisInput input =
                RequestValidator.validate(algorithm, AnalysisRequest.fromJson(request), federation.model());
        return algorithm.run(input, federation.context(input)).toJson();
    }

    private static org.assertj.core.data.Offset<Double> within(double offset) {
        return org.assertj.core.data.Offset.offset(offset);
    }
}
