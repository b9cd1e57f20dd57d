package org.mipfed.algorithms.kmeans;

import static org.mipfed.algorithms.ExpectedResults.assertKmeansMatches;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mipfed.algorithms.ExpectedResults;
import org.mipfed.algorithms.ExpectedResults.Case;
import org.mipfed.algorithms.InMemoryFederation;

/** Exareme2's k-means validation cases on 1, 3 and 5 in-memory nodes: the same centres in the same order. */
class TestKMeansValidation {
    private static final List<Case> CASES = ExpectedResults.load(ExpectedResults.expectedFile(KMeans.NAME));
    private static final KMeans ALGORITHM = new KMeans();

    static Stream<Arguments> cases() {
        return ExpectedResults.onOneThreeFiveNodes(CASES);
    }

    @ParameterizedTest(name = "{0} on {1} nodes")
    @MethodSource("cases")
    void matchesExareme2(Case testCase, int nodes) {
        assertKmeansMatches(testCase.output(), run(testCase, nodes));
    }

    static JsonNode run(Case testCase, int nodes) {
        return InMemoryFederation.dementia(nodes).run(ALGORITHM, testCase.input());
    }
}
