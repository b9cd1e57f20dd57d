package org.mipfed.algorithms.contingency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mipfed.algorithms.ExpectedResults;
import org.mipfed.algorithms.InMemoryFederation;
import org.mipfed.algorithms.RReference;
import org.mipfed.algorithms.RequestValidator;
import org.mipfed.algorithms.TestData;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.AnalysisRequest;

/**
 * {@code contingency_table} against R's table, chisq.test and fisher.test on the pooled rows
 * (src/test/resources/r/contingency_table.R), with the datasets spread over 1, 3 and 5 nodes; Fisher's exact test's
 * p-values to 1e-9.
 */
class TestContingencyTable {
    static Stream<RReference.Case> cases() {
        return RReference.load(ContingencyTable.NAME).stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesR(RReference.Case c) {
        for (int nodes : List.of(1, 3, 5)) {
            JsonNode actual = run(c.body(), nodes);
            ExpectedResults.assertMatchesReference(
                    c.name() + " on " + nodes + " nodes", c.expected(), actual, ExpectedResults.DEFAULT);
            assertExactPValue(c.name(), c.expected(), actual);
        }
    }

    /** Checks Fisher's exact p-value to 1e-9, or, where R's reference has none, that it is said why. */
    static void assertExactPValue(String name, JsonNode expected, JsonNode actual) {
        JsonNode fisher = actual.path("fisher_exact");
        if (expected.has("fisher_exact")) {
            assertThat(fisher.path("p_value").asDouble())
                    .as(name + " fisher_exact.p_value")
                    .isCloseTo(expected.path("fisher_exact").path("p_value").asDouble(), offset(1e-9));
        } else {
            assertThat(fisher.path("p_value").isNull())
                    .as(name + ": no exact p-value")
                    .isTrue();
            assertThat(fisher.path("note").asText()).contains("enumerate");
        }
    }

    @Test
    void fisherEnumeratesSmallRByCTablesAsR() throws IOException {
        JsonNode root = Json.mapper().readTree(TestData.resource("/r/contingency_table_fisher_expected.json"));
        assertThat(root.path("tables")).hasSizeGreaterThanOrEqualTo(5);
        for (JsonNode t : root.path("tables")) {
            long[][] table = new long[t.path("table").size()][];
            for (int i = 0; i < table.length; i++) {
                JsonNode line = t.path("table").get(i);
                table[i] = new long[line.size()];
                for (int j = 0; j < line.size(); j++) {
                    table[i][j] = line.get(j).asLong();
                }
            }
            assertThat(FisherExact.pValue(table))
                    .as(t.path("table").toString())
                    .isCloseTo(t.path("p_value").asDouble(), offset(1e-9));
        }
    }

    @Test
    void theReferenceCoversTwoByTwoWithAndWithoutYatesAnEmptyCellAndLargeTables() {
        List<RReference.Case> cases = RReference.load(ContingencyTable.NAME);
        assertThat(cases).hasSizeGreaterThanOrEqualTo(6);
        assertThat(cases)
                .anySatisfy(c -> assertThat(c.expected()
                                .path("chi_squared")
                                .path("yates_correction")
                                .asBoolean())
                        .isTrue());
        assertThat(cases)
                .anySatisfy(c -> assertThat(c.expected().has("fisher_exact")).isFalse());
        assertThat(cases)
                .anySatisfy(
                        c -> assertThat(c.expected().path("counts").toString()).contains("0"));
    }

    @Test
    void aSmallExpectedCountIsWarnedOf() {
        JsonNode actual = run(
                RReference.load(ContingencyTable.NAME).stream()
                        .filter(c -> c.name().contains("empty cell"))
                        .findFirst()
                        .orElseThrow()
                        .body(),
                2);
        assertThat(actual.path("warnings").get(0).asText()).contains("below 5");
    }

    @Test
    void badRequestsNameTheVariableAtFault() {
        refused(body("gender", "gender"), "is both y and x");
        refused(body("leftamygdala", "gender"), "leftamygdala");
        refused(body("gender", "nosuchvariable"), "nosuchvariable");
        ObjectNode threeX = body("gender", "agegroup");
        ((ArrayNode) threeX.path("inputdata").path("x")).add("apoe4").add("dataset");
        refused(threeX, "x");
        // a stratum variable (the second x) with no value in these rows
        ObjectNode noStratum = body("gender", "agegroup");
        ((ArrayNode) noStratum.path("inputdata").path("x")).add("apoe4");
        refused(noStratum, "'apoe4'");
        // Every selected row of ppmi is at the level Other of alzheimerbroadcategory.
        refused(body("gender", "alzheimerbroadcategory"), "single level");
    }

    private static void refused(ObjectNode body, String message) {
        assertThatThrownBy(() -> run(body, 2)).isInstanceOf(Problem.class).satisfies(e -> {
            assertThat(((Problem) e).status()).isEqualTo(400);
            assertThat(e.getMessage()).contains(message);
        });
    }

    private static ObjectNode body(String y, String x) {
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode inputdata = body.putObject("inputdata");
        inputdata.put("data_model", "dementia:0.1");
        inputdata.putArray("datasets").add("ppmi0").add("ppmi1").add("ppmi2");
        inputdata.putArray("y").add(y);
        inputdata.putArray("x").add(x);
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
