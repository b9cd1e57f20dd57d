package org.mipfed.algorithms.regression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mipfed.algorithms.ExpectedResults;
import org.mipfed.algorithms.InMemoryFederation;
import org.mipfed.algorithms.RReference;
import org.mipfed.algorithms.RequestValidator;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.AnalysisRequest;

/**
 * {@code linear_mixed_model} against lme4's lmer (REML and ML) on the pooled rows
 * (src/test/resources/r/linear_mixed_model.R), with the datasets spread over 1, 3 and 5 nodes.
 */
class TestLinearMixedModel {
    static Stream<RReference.Case> cases() {
        return RReference.load(LinearMixedModel.NAME).stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesLme4(RReference.Case c) {
        for (int nodes : List.of(1, 3, 5)) {
            JsonNode actual = run(c.body(), nodes);
            ExpectedResults.assertMatchesReference(
                    c.name() + " on " + nodes + " nodes", c.expected(), actual, ExpectedResults.DEFAULT);
        }
    }

    @Test
    void theReferenceCoversRemlMlNominalCovariatesAndManyDatasets() {
        List<RReference.Case> cases = RReference.load(LinearMixedModel.NAME);
        assertThat(cases)
                .anySatisfy(
                        c -> assertThat(c.expected().path("method").asText()).isEqualTo("REML"));
        assertThat(cases)
                .anySatisfy(
                        c -> assertThat(c.expected().path("method").asText()).isEqualTo("ML"));
        assertThat(cases)
                .anySatisfy(c ->
                        assertThat(c.expected().path("indep_vars").toString()).contains("["));
        assertThat(cases)
                .anySatisfy(
                        c -> assertThat(c.expected().path("n_groups").asInt()).isEqualTo(30));
    }

    @Test
    void badRequestsNameTheVariableOrRuleAtFault() {
        refused(body("gender", List.of("subjectageyears"), List.of("edsd0", "edsd1")), "numerical dependent");
        refused(body("lefthippocampus", List.of("dataset"), List.of("edsd0", "edsd1")), "grouping variable");
        refused(body("lefthippocampus", List.of("subjectageyears"), List.of("edsd0")), "at least two datasets");
        refused(
                body("lefthippocampus", List.of("subjectageyears", "subjectage"), List.of("edsd0", "edsd1")),
                "subjectage");
    }

    private static void refused(ObjectNode body, String message) {
        assertThatThrownBy(() -> run(body, 2)).isInstanceOf(Problem.class).satisfies(e -> {
            assertThat(((Problem) e).status()).isEqualTo(400);
            assertThat(e.getMessage()).contains(message);
        });
    }

    private static ObjectNode body(String y, List<String> x, List<String> datasets) {
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode inputdata = body.putObject("inputdata");
        inputdata.put("data_model", "dementia:0.1");
        datasets.forEach(inputdata.putArray("datasets")::add);
        inputdata.putArray("y").add(y);
        x.forEach(inputdata.putArray("x")::add);
        body.putObject("parameters");
        return body;
    }

    private static JsonNode run(JsonNode body, int nodes) {
        LinearMixedModel algorithm = new LinearMixedModel();
        InMemoryFederation federation = InMemoryFederation.dementia(nodes);
        AnalysisInput input = RequestValidator.validate(algorithm, AnalysisRequest.fromJson(body), federation.model());
        return algorithm.run(input, federation.context(input)).toJson();
    }
}
