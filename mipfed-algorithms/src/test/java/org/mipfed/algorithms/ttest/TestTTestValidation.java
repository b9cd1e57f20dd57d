package org.mipfed.algorithms.ttest;

import static org.mipfed.algorithms.StatisticalTestExpectations.T_TESTS;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mipfed.algorithms.ExpectedResults;
import org.mipfed.algorithms.ExpectedResults.Case;
import org.mipfed.algorithms.InMemoryFederation;
import org.mipfed.algorithms.StatisticalTestExpectations;
import org.mipfed.algorithms.spi.Algorithm;

/** Exareme2's t-test validation cases on 1, 3 and 5 in-memory nodes. */
class TestTTestValidation {
    private static final List<Case> ONE_SAMPLE =
            ExpectedResults.load(ExpectedResults.expectedFile(OneSampleTTest.NAME));
    private static final List<Case> PAIRED = ExpectedResults.load(ExpectedResults.expectedFile(PairedTTest.NAME));
    private static final List<Case> INDEPENDENT =
            ExpectedResults.load(ExpectedResults.expectedFile(IndependentTTest.NAME));

    static Stream<Arguments> oneSample() {
        return ExpectedResults.onOneThreeFiveNodes(ONE_SAMPLE);
    }

    static Stream<Arguments> paired() {
        return ExpectedResults.onOneThreeFiveNodes(PAIRED);
    }

    static Stream<Arguments> independent() {
        return ExpectedResults.onOneThreeFiveNodes(INDEPENDENT);
    }

    @ParameterizedTest(name = "{0} on {1} nodes")
    @MethodSource("oneSample")
    void oneSampleMatchesExareme2(Case testCase, int nodes) {
        StatisticalTestExpectations.assertOneSampleTTestMatches(
                testCase.output(), run(new OneSampleTTest(), testCase, nodes));
    }

    @ParameterizedTest(name = "{0} on {1} nodes")
    @MethodSource("paired")
    void pairedMatchesExareme2(Case testCase, int nodes) {
        StatisticalTestExpectations.assertPairedTTestMatches(
                testCase.output(), run(new PairedTTest(), testCase, nodes));
    }

    /** With Welch's p-value, every case matches at the t-tests' tolerance, the one upstream skips included. */
    @ParameterizedTest(name = "{0} on {1} nodes")
    @MethodSource("independent")
    void independentMatchesExareme2(Case testCase, int nodes) {
        StatisticalTestExpectations.assertIndependentTTestMatches(
                testCase.output(), run(new IndependentTTest(), testCase, nodes), T_TESTS);
    }

    static JsonNode run(Algorithm algorithm, Case testCase, int nodes) {
        return InMemoryFederation.dementia(nodes).run(algorithm, testCase.input());
    }
}
