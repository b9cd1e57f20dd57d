package org.mipfed.algorithms;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mipfed.algorithms.anova.OneWayAnova;
import org.mipfed.algorithms.correlation.PearsonCorrelation;
import org.mipfed.algorithms.numerics.PAdjust;
import org.mipfed.algorithms.spi.Algorithm;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.core.request.AnalysisRequest;

/**
 * {@code p_adjust} on {@code pearson_correlation} (over the distinct pairs of different variables) and on
 * {@code anova_oneway}'s pairs (R's {@code pairwise.t.test}), against R on the pooled rows
 * (src/test/resources/r/p_adjust_tests.R), with the datasets spread over 1, 3 and 5 nodes.
 */
class TestPValueAdjustmentAgainstR {
    static Stream<RReference.Case> pearson() {
        return RReference.load(PearsonCorrelation.NAME).stream();
    }

    static Stream<RReference.Case> anova() {
        return RReference.load(OneWayAnova.NAME).stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pearson")
    void pearsonCorrelationMatchesR(RReference.Case c) {
        matches(new PearsonCorrelation(), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("anova")
    void pairwiseTTestsMatchR(RReference.Case c) {
        matches(new OneWayAnova(), c);
    }

    @Test
    void theReferencesCoverEveryMethod() {
        for (String algorithm : List.of(PearsonCorrelation.NAME, OneWayAnova.NAME)) {
            List<String> methods = RReference.load(algorithm).stream()
                    .map(c ->
                            c.body().path("parameters").path(PAdjust.PARAMETER).asText())
                    .toList();
            assertThat(methods).as(algorithm).containsAll(PAdjust.names());
        }
    }

    @Test
    void withoutTheParameterNothingIsAdded() {
        RReference.Case c = pearson().findFirst().orElseThrow();
        ((ObjectNode) c.body().path("parameters")).remove(PAdjust.PARAMETER);
        JsonNode actual = run(new PearsonCorrelation(), c.body(), 2);
        assertThat(actual.has("p_values_adjusted")).isFalse();
        assertThat(actual.has("p_adjust")).isFalse();
        RReference.Case a = anova().findFirst().orElseThrow();
        ((ObjectNode) a.body().path("parameters")).remove(PAdjust.PARAMETER);
        JsonNode pairs = run(new OneWayAnova(), a.body(), 2).path("tuckey_test");
        assertThat(pairs.get(0).has("p_t_test")).isFalse();
        assertThat(pairs.get(0).has("p_t_test_adjusted")).isFalse();
    }

    private static void matches(Algorithm algorithm, RReference.Case c) {
        for (int nodes : List.of(1, 3, 5)) {
            ExpectedResults.assertMatchesReference(
                    c.name() + " on " + nodes + " nodes",
                    c.expected(),
                    run(algorithm, c.body(), nodes),
                    ExpectedResults.DEFAULT);
        }
    }

    private static JsonNode run(Algorithm algorithm, JsonNode body, int nodes) {
        InMemoryFederation federation = InMemoryFederation.dementia(nodes);
        AnalysisInput input = RequestValidator.validate(algorithm, AnalysisRequest.fromJson(body), federation.model());
        return algorithm.run(input, federation.context(input)).toJson();
    }
}
