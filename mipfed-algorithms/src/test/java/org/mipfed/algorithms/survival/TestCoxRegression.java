package org.mipfed.algorithms.survival;

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
 * {@code cox_regression} against R's coxph and cox.zph on the same binned times
 * (src/test/resources/r/cox_regression.R), with the datasets spread over 1, 3 and 5 nodes.
 */
class TestCoxRegression {
    static Stream<RReference.Case> cases() {
        return RReference.load(CoxRegression.NAME).stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesR(RReference.Case c) {
        for (int nodes : List.of(1, 3, 5)) {
            JsonNode actual = run(c.body(), nodes);
            ExpectedResults.assertMatchesReference(
                    c.name() + " on " + nodes + " nodes", c.expected(), actual, ExpectedResults.DEFAULT);
        }
    }

    @Test
    void theReferenceCoversEfronBreslowStrataAndANominalCovariate() {
        List<RReference.Case> cases = RReference.load(CoxRegression.NAME);
        assertThat(cases)
                .anySatisfy(c -> assertThat(c.expected().path("ties").asText()).isEqualTo("breslow"));
        assertThat(cases)
                .anySatisfy(c -> assertThat(c.expected().path("ties").asText()).isEqualTo("efron"));
        assertThat(cases)
                .anySatisfy(c ->
                        assertThat(c.expected().path("strata_var").isTextual()).isTrue());
        assertThat(cases)
                .anySatisfy(c ->
                        assertThat(c.expected().path("covariates").toString()).contains("["));
        assertThat(cases)
                .allSatisfy(c -> assertThat(c.expected()
                                .path("proportional_hazards")
                                .path("global")
                                .path("chisq")
                                .isNumber())
                        .isTrue());
    }

    @Test
    void pValuesAreAdjustedOnRequest() {
        ObjectNode body =
                body("subjectageyears", List.of("alzheimerbroadcategory", "lefthippocampus", "gender"), "AD", 1);
        ((ObjectNode) body.path("parameters")).put("p_adjust", "bonferroni");
        JsonNode result = run(body, 2);
        for (int i = 0; i < 2; i++) {
            assertThat(result.path("pvalues_adjusted").get(i).asDouble())
                    .isEqualTo(Math.min(1, 2 * result.path("pvalues").get(i).asDouble()));
        }
    }

    @Test
    void withASingleBinTheModelIsFittedAndTheProportionalHazardsTestIsNull() {
        // Every event in one bin: g(t) is the same at all events, so cox.zph has nothing to test.
        JsonNode result =
                run(body("subjectageyears", List.of("alzheimerbroadcategory", "lefthippocampus"), "AD", 1000), 3);
        assertThat(result.path("coefficients").get(0).isNumber()).isTrue();
        assertThat(result.path("likelihood_ratio_test").path("chisq").asDouble())
                .isPositive();
        assertThat(result.path("proportional_hazards")
                        .path("global")
                        .path("chisq")
                        .isNull())
                .isTrue();
    }

    @Test
    void badRequestsNameTheVariableOrParameterAtFault() {
        refused(body("subjectcode", List.of("alzheimerbroadcategory", "lefthippocampus"), "AD", 1), "subjectcode");
        refused(body("gender", List.of("alzheimerbroadcategory", "lefthippocampus"), "AD", 1), "numerical");
        refused(body("subjectageyears", List.of("alzheimerbroadcategory"), "AD", 1), "covariates");
        // A numerical first x has no levels, so the event level cannot be one of them.
        refused(body("subjectageyears", List.of("leftamygdala", "lefthippocampus"), "AD", 1), "event_level");
        refused(
                body("subjectageyears", List.of("alzheimerbroadcategory", "lefthippocampus"), "dead", 1),
                "event_level");
        refused(body("subjectageyears", List.of("alzheimerbroadcategory", "lefthippocampus"), "AD", 0), "bin_width");
        ObjectNode ties = body("subjectageyears", List.of("alzheimerbroadcategory", "lefthippocampus"), "AD", 1);
        ((ObjectNode) ties.path("parameters")).put("ties", "exact");
        refused(ties, "ties");
        ObjectNode strata = body("subjectageyears", List.of("alzheimerbroadcategory", "lefthippocampus"), "AD", 1);
        ((ObjectNode) strata.path("parameters")).put("strata", "leftamygdala");
        refused(strata, "strata");
        ObjectNode same = body("subjectageyears", List.of("alzheimerbroadcategory", "gender"), "AD", 1);
        ((ObjectNode) same.path("parameters")).put("strata", "gender");
        refused(same, "strata");
    }

    private static void refused(ObjectNode body, String message) {
        assertThatThrownBy(() -> run(body, 2)).isInstanceOf(Problem.class).satisfies(e -> {
            assertThat(((Problem) e).status()).isEqualTo(400);
            assertThat(e.getMessage()).contains(message);
        });
    }

    private static ObjectNode body(String y, List<String> x, String eventLevel, double width) {
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode inputdata = body.putObject("inputdata");
        inputdata.put("data_model", "dementia:0.1");
        inputdata.putArray("datasets").add("edsd0").add("edsd1").add("edsd2").add("ppmi0");
        inputdata.putArray("y").add(y);
        x.forEach(inputdata.putArray("x")::add);
        body.putObject("parameters").put("event_level", eventLevel).put("bin_width", width);
        return body;
    }

    private static JsonNode run(JsonNode body, int nodes) {
        CoxRegression algorithm = new CoxRegression();
        InMemoryFederation federation = InMemoryFederation.dementia(nodes);
        AnalysisInput input = RequestValidator.validate(algorithm, AnalysisRequest.fromJson(body), federation.model());
        return algorithm.run(input, federation.context(input)).toJson();
    }
}
