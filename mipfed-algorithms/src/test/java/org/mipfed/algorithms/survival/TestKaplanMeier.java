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
 * {@code kaplan_meier} against R's survfit, quantile.survfit and survdiff on the same binned times
 * (src/test/resources/r/kaplan_meier.R), with the datasets spread over 1, 3 and 5 nodes.
 */
class TestKaplanMeier {
    static Stream<RReference.Case> cases() {
        return RReference.load(KaplanMeier.NAME).stream();
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
    void theReferenceCoversGroupsMediansAndTheLogRankTest() {
        List<RReference.Case> cases = RReference.load(KaplanMeier.NAME);
        assertThat(cases).hasSizeGreaterThanOrEqualTo(5);
        assertThat(cases)
                .anySatisfy(c -> assertThat(c.expected().has("logrank")).isFalse());
        assertThat(cases)
                .filteredOn(c -> c.expected().has("logrank"))
                .hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(
                        c -> assertThat(c.expected().path("logrank").path("df").asInt())
                                .isPositive());
        assertThat(cases)
                .anySatisfy(c -> assertThat(c.expected()
                                .path("curves")
                                .get(0)
                                .path("median")
                                .isNumber())
                        .isTrue());
    }

    @Test
    void badRequestsNameTheVariableOrParameterAtFault() {
        refused(body("subjectcode", List.of("alzheimerbroadcategory"), "AD", 1), "subjectcode");
        refused(body("gender", List.of("alzheimerbroadcategory"), "AD", 1), "numerical");
        refused(body("subjectageyears", List.of("leftamygdala"), "AD", 1), "leftamygdala");
        refused(body("subjectageyears", List.of("alzheimerbroadcategory"), "dead", 1), "event_level");
        refused(
                body("subjectageyears", List.of("alzheimerbroadcategory", "alzheimerbroadcategory"), "AD", 1),
                "listed twice");
        refused(
                body("subjectageyears", List.of("alzheimerbroadcategory", "gender", "agegroup"), "AD", 1),
                "one or two");
        refused(body("subjectageyears", List.of("alzheimerbroadcategory"), "AD", 0), "bin_width");
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
        inputdata.putArray("datasets").add("edsd0").add("edsd1").add("ppmi0");
        inputdata.putArray("y").add(y);
        x.forEach(inputdata.putArray("x")::add);
        body.putObject("parameters").put("event_level", eventLevel).put("bin_width", width);
        return body;
    }

    private static JsonNode run(JsonNode body, int nodes) {
        KaplanMeier algorithm = new KaplanMeier();
        InMemoryFederation federation = InMemoryFederation.dementia(nodes);
        AnalysisInput input = RequestValidator.validate(algorithm, AnalysisRequest.fromJson(body), federation.model());
        return algorithm.run(input, federation.context(input)).toJson();
    }
}
