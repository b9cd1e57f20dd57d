package org.mipfed.algorithms.anova;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mipfed.algorithms.ExpectedResults;
import org.mipfed.algorithms.ExpectedResults.Case;
import org.mipfed.algorithms.InMemoryFederation;
import org.mipfed.algorithms.StatisticalTestExpectations;
import org.mipfed.algorithms.spi.Algorithm;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;

/** Exareme2's one- and two-way ANOVA validation cases on 1, 3 and 5 in-memory nodes. */
class TestAnovaValidation {
    private static final List<Case> ONE_WAY = ExpectedResults.load(ExpectedResults.expectedFile(OneWayAnova.NAME));
    private static final List<Case> TWO_WAY = ExpectedResults.load(ExpectedResults.expectedFile("anova_twoway"));

    static Stream<Arguments> oneWay() {
        return ExpectedResults.onOneThreeFiveNodes(ONE_WAY);
    }

    static Stream<Arguments> twoWay() {
        return ExpectedResults.onOneThreeFiveNodes(TWO_WAY);
    }

    @ParameterizedTest(name = "{0} on {1} nodes")
    @MethodSource("oneWay")
    void oneWayMatchesExareme2(Case testCase, int nodes) {
        StatisticalTestExpectations.assertOneWayAnovaMatches(
                testCase.output(), run(new OneWayAnova(), testCase, nodes));
    }

    @ParameterizedTest(name = "{0} on {1} nodes")
    @MethodSource("twoWay")
    void twoWayMatchesExareme2(Case testCase, int nodes) {
        StatisticalTestExpectations.assertTwoWayAnovaMatches(
                testCase.output(), run(new TwoWayAnova(), testCase, nodes));
    }

    /** Exareme2's own refusal test: in ppmi0, ppmicategory has a single level. */
    @Test
    void aCovariableWithOneLevelIsRefused() {
        JsonNode request = Json.mapper()
                .createObjectNode()
                .set(
                        "inputdata",
                        Json.mapper()
                                .valueToTree(Map.of(
                                        "x",
                                        List.of("ppmicategory"),
                                        "y",
                                        List.of("lefthippocampus"),
                                        "data_model",
                                        "dementia:0.1",
                                        "datasets",
                                        List.of("ppmi0"))));
        assertThatThrownBy(() -> run(new OneWayAnova(), new Case(0, request, null), 1))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.status()).isEqualTo(400);
                    assertThat(p.detail()).isEqualTo("Cannot perform Anova one-way. Covariable has only one level.");
                });
    }

    @Test
    void twoWayNeedsTwoCovariates() {
        JsonNode request = Json.mapper()
                .createObjectNode()
                .set(
                        "inputdata",
                        Json.mapper()
                                .valueToTree(Map.of(
                                        "x",
                                        List.of("dataset"),
                                        "y",
                                        List.of("leftmpogpostcentralgyrusmedialsegment"),
                                        "data_model",
                                        "dementia:0.1",
                                        "datasets",
                                        List.of("ppmi0", "edsd0"))));
        assertThatThrownBy(() -> run(new TwoWayAnova(), new Case(0, request, null), 1))
                .isInstanceOfSatisfying(
                        Problem.class, p -> assertThat(p.status()).isEqualTo(400));
    }

    static JsonNode run(Algorithm algorithm, Case testCase, int nodes) {
        return InMemoryFederation.dementia(nodes).run(algorithm, testCase.input());
    }
}
