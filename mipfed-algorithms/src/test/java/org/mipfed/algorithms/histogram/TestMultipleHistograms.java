package org.mipfed.algorithms.histogram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mipfed.algorithms.Rows.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mipfed.algorithms.Algorithms;
import org.mipfed.algorithms.ExpectedResults;
import org.mipfed.algorithms.InMemoryFederation;
import org.mipfed.algorithms.RequestValidator;
import org.mipfed.algorithms.TestData;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.AnalysisRequest;

class TestMultipleHistograms {
    private static final MultipleHistograms ALGORITHM = new MultipleHistograms();

    @Test
    void isRegistered() {
        assertThat(Algorithms.standard().get(MultipleHistograms.NAME)).isInstanceOf(MultipleHistograms.class);
    }

    @Test
    void edgesAreNumpysLinspaceAndARangeOfOneValueIsWidened() {
        assertThat(MultipleHistograms.edges(new double[] {2.0489, 5.0589}, 2))
                .containsExactly(2.0489, 3.5539000000000005, 5.0589);
        assertThat(MultipleHistograms.edges(new double[] {3, 3}, 2)).containsExactly(2.5, 3.0, 3.5);
    }

    @Test
    void binsAreClosedBelowTheLastOneAlsoAboveAndEmptyBinsAreNull() {
        Map<String, List<Map<String, Object>>> data = new LinkedHashMap<>();
        data.put("edsd0", dataset("edsd0", new Object[] {"leftamygdala", 1.0, "gender", "F"}, new Object[] {
            "leftamygdala", 2.0, "gender", "M"
        }));
        data.put(
                "edsd1",
                dataset(
                        "edsd1",
                        new Object[] {"leftamygdala", 5.0, "gender", "F"},
                        new Object[] {"leftamygdala", 4.0, "gender", null},
                        new Object[] {"leftamygdala", null, "gender", "M"}));
        JsonNode histograms = run(data, 1, List.of("gender"), "leftamygdala", 4).get("histogram");
        assertThat(histograms.toString())
                .isEqualTo("[{\"var\":\"leftamygdala\",\"grouping_var\":null,\"grouping_enum\":null,"
                        + "\"bins\":[1.0,2.0,3.0,4.0,5.0],\"counts\":[1,1,null,1]},"
                        + "{\"var\":\"leftamygdala\",\"grouping_var\":\"gender\",\"grouping_enum\":\"M\",\"bins\":[1.0,2.0,3.0,4.0,5.0],"
                        + "\"counts\":[null,1,null,null]},"
                        + "{\"var\":\"leftamygdala\",\"grouping_var\":\"gender\",\"grouping_enum\":\"F\",\"bins\":[1.0,2.0,3.0,4.0,5.0],"
                        + "\"counts\":[1,null,null,1]}]");
    }

    @Test
    void countsANodeWithholdsAreNullEvenWhenOthersReleaseTheirs() {
        Map<String, List<Map<String, Object>>> data = new LinkedHashMap<>();
        Object[][] few = new Object[12][];
        Object[][] many = new Object[20][];
        for (int i = 0; i < 20; i++) {
            Object[] row = {"agegroup", i < 10 ? "-50y" : "+80y"};
            many[i] = row;
            if (i < 12) {
                few[i] = row;
            }
        }
        data.put("edsd0", dataset("edsd0", few));
        data.put("edsd1", dataset("edsd1", many));
        JsonNode counts =
                run(data, 10, List.of(), "agegroup", 20).get("histogram").get(0);
        assertThat(counts.get("bins").toString()).isEqualTo("[\"-50y\",\"50-59y\",\"60-69y\",\"70-79y\",\"+80y\"]");
        // One node has 2 rows of +80y, fewer than its minimum of 10, so it withholds them; the other has 10.
        assertThat(counts.get("counts").toString()).isEqualTo("[20,null,null,null,null]");
    }

    @Test
    void theVariableItselfIsNotAGroup() {
        Map<String, List<Map<String, Object>>> data =
                Map.of("edsd0", dataset("edsd0", new Object[] {"gender", "F"}, new Object[] {"gender", "M"}));
        assertThat(run(data, 1, List.of("gender"), "gender", 20)
                        .get("histogram")
                        .size())
                .isEqualTo(1);
    }

    @Test
    void refusesWhenNoRowIsComplete() {
        Map<String, List<Map<String, Object>>> data =
                Map.of("edsd0", dataset("edsd0", new Object[] {"leftamygdala", 1.0, "gender", null}));
        for (String y : List.of("leftamygdala", "agegroup")) {
            assertThatThrownBy(() -> run(data, 1, List.of("gender"), y, 20))
                    .isInstanceOfSatisfying(Problem.class, p -> {
                        assertThat(p.status()).isEqualTo(400);
                        assertThat(p.detail())
                                .contains("No row of the selected datasets has a value for every one of " + y
                                        + ", gender");
                    });
        }
    }

    @Test
    void comparesAsPythonDoes() {
        JsonNode expected = Json.mapper()
                .createObjectNode()
                .set(
                        "histogram",
                        Json.mapper().createArrayNode().add(191).addNull().add(0.5));
        ObjectNode same = Json.mapper().createObjectNode();
        same.putArray("histogram").add(191L).addNull().add(0.5);
        ExpectedResults.assertMultipleHistogramsMatches(expected, same);
        for (String other : List.of("[192,null,0.5]", "[191,0,0.5]", "[191,null,0.5000000000000001]", "[191,null]")) {
            ObjectNode actual = Json.mapper().createObjectNode();
            actual.set("histogram", read(other));
            assertThatThrownBy(() -> ExpectedResults.assertMultipleHistogramsMatches(expected, actual))
                    .as(other)
                    .isInstanceOf(AssertionError.class);
        }
    }

    private static JsonNode read(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonNode run(
            Map<String, List<Map<String, Object>>> data, int minRows, List<String> x, String y, int bins) {
        InMemoryFederation federation = InMemoryFederation.spread(TestData.dementiaModel(), data, 2, minRows);
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode inputdata = body.putObject("inputdata");
        inputdata.put("data_model", "dementia:0.1");
        data.keySet().forEach(inputdata.putArray("datasets")::add);
        x.forEach(inputdata.putArray("x")::add);
        inputdata.putArray("y").add(y);
        body.putObject("parameters").put("bins", bins);
        AnalysisInput input = RequestValidator.validate(ALGORITHM, AnalysisRequest.fromJson(body), federation.model());
        return ALGORITHM.run(input, federation.context(input)).toJson();
    }
}
