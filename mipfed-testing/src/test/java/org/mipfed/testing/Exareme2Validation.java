package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.mipfed.algorithms.CrossValidationChecks;
import org.mipfed.algorithms.ExpectedResults;
import org.mipfed.algorithms.StatisticalTestExpectations;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.node.privacy.PrivacyPolicy;

/**
 * Exareme2's own validation suite against a real federation: a manager and nodes as processes on
 * loopback, over mutual TLS, the data dealt as Exareme2's validation deployment does (every
 * {@code *0.csv} on the first node, the other files round-robin) and, as there, a privacy minimum of
 * one row and no other rule ({@link PrivacyPolicy#minRowsOnly}). Subclasses choose the number of
 * nodes and which of them use PostgreSQL; the results must
 * not change.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class Exareme2Validation {
    private static final Path EXPECTED = Path.of("src", "test", "resources", "exareme2", "expected");

    private ValidationFederation validation;
    private LocalFederation federation;

    /** How many nodes to deal the data over. */
    abstract int nodes();

    /** Whether node {@code i} keeps its data in PostgreSQL rather than DuckDB. */
    abstract boolean postgres(int i);

    @BeforeAll
    void startFederation() {
        Map<String, List<String>> data = new LinkedHashMap<>();
        data.put("dementia_v_0_1", List.of("edsd", "ppmi", "desd-synthdata"));
        data.put("tbi_v_0_1", List.of("dummy_tbi"));
        validation = ValidationFederation.start("validation", nodes(), this::postgres, data);
        federation = validation.federation();
    }

    @AfterAll
    void stopFederation() {
        if (validation != null) {
            validation.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> linearRegression() {
        return cases(
                "linear_regression",
                (expected, actual) -> ExpectedResults.assertLinearRegressionMatches(expected, actual));
    }

    @TestFactory
    Stream<DynamicTest> logisticRegression() {
        return cases(
                "logistic_regression",
                (expected, actual) -> ExpectedResults.assertLogisticRegressionMatches(expected, actual));
    }

    @TestFactory
    Stream<DynamicTest> descriptiveStats() {
        return cases(
                "descriptive_stats",
                (expected, actual) -> ExpectedResults.assertDescriptiveStatsMatches(expected, actual));
    }

    @TestFactory
    Stream<DynamicTest> pearsonCorrelation() {
        return cases(
                "pearson_correlation",
                (expected, actual) -> ExpectedResults.assertPearsonCorrelationMatches(expected, actual));
    }

    @TestFactory
    Stream<DynamicTest> pca() {
        return cases("pca", (expected, actual) -> ExpectedResults.assertPcaMatches(expected, actual));
    }

    @TestFactory
    Stream<DynamicTest> pcaWithTransformation() {
        return cases(
                "pca_with_transformation", (expected, actual) -> ExpectedResults.assertPcaMatches(expected, actual));
    }

    @TestFactory
    Stream<DynamicTest> multipleHistograms() {
        return cases(
                "multiple_histograms",
                (expected, actual) -> ExpectedResults.assertMultipleHistogramsMatches(expected, actual));
    }

    @TestFactory
    Stream<DynamicTest> kmeans() {
        return cases("kmeans", (expected, actual) -> ExpectedResults.assertKmeansMatches(expected, actual));
    }

    @TestFactory
    Stream<DynamicTest> statisticalTests() {
        return Stream.of(
                        cases("ttest_onesample", StatisticalTestExpectations::assertOneSampleTTestMatches),
                        cases("ttest_paired", StatisticalTestExpectations::assertPairedTTestMatches),
                        cases(
                                "ttest_independent",
                                (e, a) -> StatisticalTestExpectations.assertIndependentTTestMatches(
                                        e, a, StatisticalTestExpectations.T_TESTS)),
                        cases("anova_oneway", StatisticalTestExpectations::assertOneWayAnovaMatches),
                        cases("anova", "anova_twoway", StatisticalTestExpectations::assertTwoWayAnovaMatches))
                .flatMap(s -> s);
    }

    /**
     * The cross-validations: Exareme2's suite checks ranges and shapes only (folds differ between
     * systems); {@link CrossValidationChecks} adds that the test folds cover every row once.
     */
    @TestFactory
    Stream<DynamicTest> crossValidation() {
        return Stream.of(
                        "linear_regression_cv",
                        "logistic_regression_cv",
                        "naive_bayes_gaussian_cv",
                        "naive_bayes_categorical_cv")
                .flatMap(algorithm -> {
                    String file = algorithm.equals("naive_bayes_gaussian_cv") ? "naive_bayes_gauss_cv" : algorithm;
                    return ExpectedResults.load(EXPECTED.resolve(file + "_expected.json")).stream()
                            .map(c -> DynamicTest.dynamicTest(
                                    algorithm + " " + c,
                                    () -> CrossValidationChecks.check(
                                            algorithm,
                                            c.input(),
                                            federation.admin().post("/algorithms/" + algorithm, c.input()))));
                });
    }

    private interface Check {
        void accept(JsonNode expected, JsonNode actual);
    }

    private Stream<DynamicTest> cases(String algorithm, Check check) {
        return cases(algorithm, algorithm, check);
    }

    private Stream<DynamicTest> cases(String algorithm, String file, Check check) {
        List<ExpectedResults.Case> cases = ExpectedResults.load(EXPECTED.resolve(file + "_expected.json"));
        assertThat(cases).isNotEmpty();
        return cases.stream()
                .map(c -> DynamicTest.dynamicTest(algorithm + " " + c, () -> {
                    JsonNode actual = federation.admin().post("/algorithms/" + algorithm, c.input());
                    check.accept(c.output(), actual);
                }));
    }
}
