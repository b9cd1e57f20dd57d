package org.mipfed.algorithms.ttest;

import static org.mipfed.algorithms.StatisticalTestExpectations.T_TESTS;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mipfed.algorithms.Algorithm;
import org.mipfed.algorithms.AnalysisInput;
import org.mipfed.algorithms.ExpectedResults;
import org.mipfed.algorithms.ExpectedResults.Case;
import org.mipfed.algorithms.InMemoryFederation;
import org.mipfed.algorithms.RequestValidator;
import org.mipfed.algorithms.StatisticalTestExpectations;
import org.mipfed.core.request.AnalysisRequest;

/** Exareme2's t-test validation cases on 1, 3 and 5 in-memory nodes. */
class TestTTestValidation {
    private static final List<Case> ONE_SAMPLE = ExpectedResults.load(ExpectedResults.expectedFile(OneSampleTTest.NAME));
    private static final List<Case> PAIRED = ExpectedResults.load(ExpectedResults.expectedFile(PairedTTest.NAME));
    private static final List<Case> INDEPENDENT = ExpectedResults.load(ExpectedResults.expectedFile(IndependentTTest.NAME));

    static Stream<Arguments> oneSample() {
        return onNodes(ONE_SAMPLE);
    }

    static Stream<Arguments> paired() {
        return onNodes(PAIRED);
    }

    static Stream<Arguments> independent() {
        return onNodes(INDEPENDENT);
    }

    @ParameterizedTest(name = "{0} on {1} nodes")
    @MethodSource("oneSample")
    void oneSampleMatchesExareme2(Case testCase, int nodes) {
        StatisticalTestExpectations.assertOneSampleTTestMatches(testCase.output(), run(new OneSampleTTest(), testCase, nodes));
    }

    @ParameterizedTest(name = "{0} on {1} nodes")
    @MethodSource("paired")
    void pairedMatchesExareme2(Case testCase, int nodes) {
        StatisticalTestExpectations.assertPairedTTestMatches(testCase.output(), run(new PairedTTest(), testCase, nodes));
    }

    /** With Welch's p-value, every case matches at the t-tests' tolerance, the one upstream skips included. */
    @ParameterizedTest(name = "{0} on {1} nodes")
    @MethodSource("independent")
    void independentMatchesExareme2(Case testCase, int nodes) {
        StatisticalTestExpectations.assertIndependentTTestMatches(testCase.output(), run(new IndependentTTest(), testCase, nodes), T_TESTS);
    }

    private static Stream<Arguments> onNodes(List<Case> cases) {
        return Stream.of(3, 1, 5).flatMap(nodes -> cases.stream().map(c -> Arguments.of(c, nodes)));
    }

    static JsonNode run(Algorithm algorithm, Case testCase, int nodes) {
        InMemoryFederation federation = InMemoryFederation.dementia(nodes);
        AnalysisInput input = RequestValidator.validate(algorithm, AnalysisRequest.fromJson(testCase.input()), federation.model());
        return algorithm.run(input, federation.context(input));
    }
}
