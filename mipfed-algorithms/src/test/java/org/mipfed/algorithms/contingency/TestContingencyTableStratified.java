package org.mipfed.algorithms.contingency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

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
 * A stratified {@code contingency_table} (a third variable as the second x) against R's table, chisq.test, fisher.test,
 * mantelhaen.test and p.adjust on the pooled rows (src/test/resources/r/contingency_table_stratified.R), with the
 * datasets spread over 1, 3 and 5 nodes; Fisher's exact p-values to 1e-9.
 */
class TestContingencyTableStratified {
    static final String REFERENCE = "contingency_table_stratified";

    static Stream<RReference.Case> cases() {
        return RReference.load(REFERENCE).stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesR(RReference.Case c) {
        for (int nodes : List.of(1, 3, 5)) {
            JsonNode actual = run(c.body(), nodes);
            ExpectedResults.assertMatchesReference(
                    c.name() + " on " + nodes + " nodes", c.expected(), actual, ExpectedResults.DEFAULT);
            JsonNode strata = c.expected().path("strata");
            for (int k = 0; k < strata.size(); k++) {
                JsonNode fisher =
                        strata.get(k).path("table").path("fisher_exact").path("p_value");
                if (fisher.isNumber()) {
                    assertThat(actual.path("strata")
                                    .get(k)
                                    .path("table")
                                    .path("fisher_exact")
                                    .path("p_value")
                                    .asDouble())
                            .as(c.name() + " stratum " + k + " Fisher")
                            .isCloseTo(fisher.asDouble(), offset(1e-9));
                }
            }
        }
    }

    @Test
    void theReferenceCoversTwoByTwoByKAndLargerTablesWithAndWithoutAdjustment() {
        List<RReference.Case> cases = RReference.load(REFERENCE);
        assertThat(cases)
                .anySatisfy(c -> assertThat(c.expected().path("mantel_haenszel").has("common_odds_ratio"))
                        .isTrue());
        assertThat(cases)
                .anySatisfy(c -> assertThat(
                                c.expected().path("mantel_haenszel").path("df").asInt())
                        .isGreaterThan(1));
        assertThat(cases)
                .anySatisfy(c -> assertThat(c.expected().has("p_adjust")).isTrue());
        assertThat(cases)
                .anySatisfy(c -> assertThat(c.expected().has("p_adjust")).isFalse());
    }

    @Test
    void badStrataAreRefusedNamingTheVariable() {
        refused(body("gender", "agegroup", "gender"), "already the row or column variable");
        refused(body("gender", "agegroup", "leftamygdala"), "leftamygdala");
        ObjectNode four = body("gender", "agegroup", "dataset");
        four.withArray("/inputdata/x").add("apoe4");
        refused(four, "not 3 variables");
        // ppmi has a single level of alzheimerbroadcategory
        ObjectNode single = body("gender", "agegroup", "alzheimerbroadcategory");
        refused(single, "single level");
    }

    private static void refused(ObjectNode body, String message) {
        assertThatThrownBy(() -> run(body, 2)).isInstanceOf(Problem.class).satisfies(e -> {
            assertThat(((Problem) e).status()).isEqualTo(400);
            assertThat(e.getMessage()).contains(message);
        });
    }

    private static ObjectNode body(String y, String x, String stratum) {
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode inputdata = body.putObject("inputdata");
        inputdata.put("data_model", "dementia:0.1");
        inputdata.putArray("datasets").add("ppmi0").add("ppmi1").add("ppmi2");
        inputdata.putArray("y").add(y);
        inputdata.putArray("x").add(x).add(stratum);
        body.putObject("parameters");
        return body;
    }

    private static JsonNode run(JsonNode body, int nodes) {
        ContingencyTable algorithm = new ContingencyTable();
        InMemoryFederation federation = InMemoryFederation.dementia(nodes);
        AnalysisInput input = RequestValidator.validate(algorithm, AnalysisRequest.fromJson(body), federation.model());
        return algorithm.run(input, federation.context(input)).toJson();
    }
}
