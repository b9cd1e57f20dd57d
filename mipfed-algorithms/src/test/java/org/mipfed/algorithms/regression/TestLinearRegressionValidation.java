package org.mipfed.algorithms.regression;

import static org.mipfed.algorithms.ExpectedResults.assertLinearRegressionMatches;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mipfed.algorithms.ExpectedResults;
import org.mipfed.algorithms.ExpectedResults.Case;
import org.mipfed.algorithms.InMemoryFederation;

/** Exareme2's linear regression validation cases on 1, 3 and 5 in-memory nodes. */
class TestLinearRegressionValidation {
    private static final List<Case> CASES = ExpectedResults.load(ExpectedResults.expectedFile(LinearRegression.NAME));
    private static final LinearRegression ALGORITHM = new LinearRegression();

    static Stream<Arguments> cases() {
        return ExpectedResults.onOneThreeFiveNodes(CASES);
    }

    @ParameterizedTest(name = "{0} on {1} nodes")
    @MethodSource("cases")
    void matchesExareme2(Case testCase, int nodes) {
        assertLinearRegressionMatches(testCase.output(), run(testCase, nodes));
    }

    /** Spreading the datasets differently changes nothing but rounding. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("casesOnce")
    void independentOfNodeCount(Case testCase) {
        assertLinearRegressionMatches(run(testCase, 1), run(testCase, 5), new ExpectedResults.Tolerance(1e-9, 1e-300));
    }

    static Stream<Case> casesOnce() {
        return CASES.stream();
    }

    static JsonNode run(Case testCase, int nodes) {
        return InMemoryFederation.dementia(nodes).run(ALGORITHM, testCase.input());
    }
}
