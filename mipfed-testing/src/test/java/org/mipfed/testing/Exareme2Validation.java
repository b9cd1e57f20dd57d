package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    private Path dir;
    private LocalFederation federation;
    private final List<String> pgUrls = new ArrayList<>();

    /** How many nodes to deal the data over. */
    abstract int nodes();

    /** Whether node {@code i} keeps its data in PostgreSQL rather than DuckDB. */
    abstract boolean postgres(int i);

    @BeforeAll
    void startFederation() throws IOException {
        dir = Files.createTempDirectory(Path.of("target"), getClass().getSimpleName() + "-");
        Path dementia = LocalFederation.extractData("dementia_v_0_1", dir.resolve("dementia"));
        Path tbi = LocalFederation.extractData("tbi_v_0_1", dir.resolve("tbi"));
        List<List<Path>> dementiaFiles = deal(dementia, List.of("edsd", "ppmi", "desd-synthdata"));
        List<List<Path>> tbiFiles = deal(tbi, List.of("dummy_tbi"));
        federation = LocalFederation.create(dir.resolve("fed"), 0, 0);
        String[] aliases = new String[nodes()];
        for (int i = 0; i < nodes(); i++) {
            aliases[i] = "node" + i;
            String store = null;
            if (postgres(i)) {
                store = TestPostgres.freshSchemaUrl("validation_" + nodes() + "_" + i);
                pgUrls.add(store);
            }
            federation.addNode(aliases[i], store, PrivacyPolicy.minRowsOnly(1), List.of(
                    new LocalFederation.DataImport(dementia.resolve("CDEsMetadata.json"), dementiaFiles.get(i)),
                    new LocalFederation.DataImport(tbi.resolve("CDEsMetadata.json"), tbiFiles.get(i))));
        }
        federation.start("all");
        // Generous: on a loaded machine (CI runners, shared hosts) three JVMs and their imports take well over a minute.
        federation.awaitReady(Duration.ofSeconds(180), aliases);
    }

    @AfterAll
    void stopFederation() {
        if (federation != null) {
            federation.close();
        }
        pgUrls.forEach(TestPostgres::dropSchemaOf);
    }

    /** Every {@code <prefix>0.csv} goes to the first node, the others round-robin over all nodes. */
    private List<List<Path>> deal(Path dir, List<String> prefixes) {
        List<List<Path>> out = new ArrayList<>();
        for (int i = 0; i < nodes(); i++) {
            out.add(new ArrayList<>());
        }
        int next = 0;
        for (String prefix : prefixes) {
            out.get(0).add(dir.resolve(prefix + "0.csv"));
            for (int k = 1; k <= 9; k++) {
                out.get(next++ % nodes()).add(dir.resolve(prefix + k + ".csv"));
            }
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> linearRegression() {
        return cases("linear_regression", (expected, actual) -> ExpectedResults.assertLinearRegressionMatches(expected, actual));
    }

    @TestFactory
    Stream<DynamicTest> logisticRegression() {
        return cases("logistic_regression", (expected, actual) -> ExpectedResults.assertLogisticRegressionMatches(expected, actual));
    }

    @TestFactory
    Stream<DynamicTest> descriptiveStats() {
        return cases("descriptive_stats", (expected, actual) -> ExpectedResults.assertDescriptiveStatsMatches(expected, actual));
    }

    @TestFactory
    Stream<DynamicTest> pearsonCorrelation() {
        return cases("pearson_correlation", (expected, actual) -> ExpectedResults.assertPearsonCorrelationMatches(expected, actual));
    }

    @TestFactory
    Stream<DynamicTest> pca() {
        return cases("pca", (expected, actual) -> ExpectedResults.assertPcaMatches(expected, actual));
    }

    @TestFactory
    Stream<DynamicTest> pcaWithTransformation() {
        return cases("pca_with_transformation", (expected, actual) -> ExpectedResults.assertPcaMatches(expected, actual));
    }

    @TestFactory
    Stream<DynamicTest> multipleHistograms() {
        return cases("multiple_histograms", (expected, actual) -> ExpectedResults.assertMultipleHistogramsMatches(expected, actual));
    }

    @TestFactory
    Stream<DynamicTest> kmeans() {
        return cases("kmeans", (expected, actual) -> ExpectedResults.assertKmeansMatches(expected, actual));
    }

    @TestFactory
    Stream<DynamicTest> statisticalTests() {
        return Stream.of(cases("ttest_onesample", StatisticalTestExpectations::assertOneSampleTTestMatches),
                cases("ttest_paired", StatisticalTestExpectations::assertPairedTTestMatches),
                cases("ttest_independent", (e, a) -> StatisticalTestExpectations.assertIndependentTTestMatches(e, a, StatisticalTestExpectations.T_TESTS)),
                cases("anova_oneway", StatisticalTestExpectations::assertOneWayAnovaMatches),
                cases("anova", "anova_twoway", StatisticalTestExpectations::assertTwoWayAnovaMatches)).flatMap(s -> s);
    }

    /**
     * The cross-validations: Exareme2's suite checks ranges and shapes only (folds differ between
     * systems); {@link CrossValidationChecks} adds that the test folds cover every row once.
     */
    @TestFactory
    Stream<DynamicTest> crossValidation() {
        return Stream.of("linear_regression_cv", "logistic_regression_cv", "naive_bayes_gaussian_cv", "naive_bayes_categorical_cv")
                .flatMap(algorithm -> {
                    String file = algorithm.equals("naive_bayes_gaussian_cv") ? "naive_bayes_gauss_cv" : algorithm;
                    return ExpectedResults.load(EXPECTED.resolve(file + "_expected.json")).stream().map(c -> DynamicTest.dynamicTest(
                            algorithm + " " + c, () -> CrossValidationChecks.check(algorithm, c.input(),
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
        return cases.stream().map(c -> DynamicTest.dynamicTest(algorithm + " " + c, () -> {
            JsonNode actual = federation.admin().post("/algorithms/" + algorithm, c.input());
            check.accept(c.output(), actual);
        }));
    }
}
