package org.mipfed.algorithms.pca;

import static org.mipfed.algorithms.ExpectedResults.assertPcaMatches;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mipfed.algorithms.ExpectedResults;
import org.mipfed.algorithms.ExpectedResults.Case;
import org.mipfed.algorithms.InMemoryFederation;

/** Exareme2's PCA with transformations validation cases on 1, 3 and 5 in-memory nodes. */
class TestPcaWithTransformationValidation {
    private static final List<Case> CASES =
            ExpectedResults.load(ExpectedResults.expectedFile(PcaWithTransformation.NAME));
    private static final PcaWithTransformation ALGORITHM = new PcaWithTransformation();

    static Stream<Arguments> cases() {
        return ExpectedResults.onOneThreeFiveNodes(CASES);
    }

    @ParameterizedTest(name = "{0} on {1} nodes")
    @MethodSource("cases")
    void matchesExareme2(Case testCase, int nodes) {
        assertPcaMatches(testCase.output(), run(testCase, nodes));
    }

    static JsonNode run(Case testCase, int nodes) {
        return InMemoryFederation.dementia(nodes).run(ALGORITHM, testCase.input());
    }
}
