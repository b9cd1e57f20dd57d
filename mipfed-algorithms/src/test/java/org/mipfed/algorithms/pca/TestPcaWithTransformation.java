package org.mipfed.algorithms.pca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mipfed.algorithms.InMemoryFederation;
import org.mipfed.algorithms.RequestValidator;
import org.mipfed.algorithms.spi.Algorithm;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.AnalysisRequest;

class TestPcaWithTransformation {
    private static final PcaWithTransformation ALGORITHM = new PcaWithTransformation();
    private static final List<String> DATASETS = List.of("edsd0", "edsd1", "ppmi0", "desd-synthdata0");
    private static final List<String> Y = List.of("leftamygdala", "rightamygdala", "subjectageyears");

    /** Reference: numpy.linalg.eigh of numpy.corrcoef of (log leftamygdala, rightamygdala, subjectageyears) on the same rows. */
    @Test
    void theNodesTakeTheLogOfEachValue() {
        JsonNode result = run(ALGORITHM, DATASETS, Y, "{\"log\": [\"leftamygdala\"]}");
        assertThat(result.get("n_obs").asLong()).isEqualTo(129);
        double[] expected = {2.21854146, 0.7142474, 0.06721115};
        for (int k = 0; k < expected.length; k++) {
            assertThat(result.get("eigenvalues").get(k).asDouble()).isCloseTo(expected[k], offset(1e-8));
        }
    }

    @Test
    void centringAndStandardizingChangeNothingBeforeAPcaOfStandardizedVariables() {
        JsonNode plain = run(new Pca(), DATASETS, Y, null);
        JsonNode transformed = run(
                ALGORITHM,
                DATASETS,
                Y,
                "{\"center\": [\"leftamygdala\"], \"standardize\": [\"subjectageyears\", \"leftamygdala\"]}");
        assertThat(transformed).isEqualTo(plain);
        assertThat(run(ALGORITHM, DATASETS, Y, null)).isEqualTo(plain);
    }

    @Test
    void theLogOfANonPositiveValueIsRefusedInExareme2sWords() {
        assertThatThrownBy(() -> run(
                        ALGORITHM,
                        List.of("desd-synthdata1"),
                        List.of("rightcaudate", "leftamygdala"),
                        "{\"log\": [\"rightcaudate\"]}"))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.status()).isEqualTo(400);
                    assertThat(p.detail())
                            .contains("Log transformation cannot be applied to non-positive values.", "'rightcaudate'");
                });
    }

    @Test
    void standardizingAConstantVariableIsRefusedInExareme2sWords() {
        ObjectNode age70 = Json.mapper().createObjectNode().put("condition", "AND");
        age70.putArray("rules")
                .addObject()
                .put("id", "subjectageyears")
                .put("field", "subjectageyears")
                .put("type", "double")
                .put("input", "number")
                .put("operator", "equal")
                .put("value", 70);
        assertThatThrownBy(() -> run(ALGORITHM, DATASETS, Y, "{\"standardize\": [\"subjectageyears\"]}", age70))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.status()).isEqualTo(400);
                    assertThat(p.detail())
                            .startsWith(
                                    "Standardization cannot be applied to column 'subjectageyears' because its standard "
                                            + "deviation is zero");
                });
    }

    @Test
    void refusesWrongTransformations() {
        assertRefused("{\"sqrt\": [\"leftamygdala\"]}", "Unknown transformation: sqrt");
        assertRefused(
                "{\"log\": [\"lefthippocampus\"]}",
                "'lefthippocampus' of the log transformation is not one of the variables (y)");
        assertRefused("{\"log\": [\"leftamygdala\"], \"exp\": [\"leftamygdala\"]}", "listed under both log and exp");
        assertRefused("{\"log\": \"leftamygdala\"}", "must be a list of names");
        assertRefused("[\"log\"]", "'data_transformation'");
    }

    private static void assertRefused(String transformation, String message) {
        assertThatThrownBy(() -> run(ALGORITHM, DATASETS, Y, transformation))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.status()).isEqualTo(400);
                    assertThat(p.detail()).contains(message);
                });
    }

    private static JsonNode run(Algorithm algorithm, List<String> datasets, List<String> y, String transformation) {
        return run(algorithm, datasets, y, transformation, null);
    }

    private static JsonNode run(
            Algorithm algorithm, List<String> datasets, List<String> y, String transformation, JsonNode filters) {
        try {
            ObjectNode body = Json.mapper().createObjectNode();
            ObjectNode inputdata = body.putObject("inputdata");
            inputdata.put("data_model", "dementia:0.1");
            datasets.forEach(inputdata.putArray("datasets")::add);
            y.forEach(inputdata.putArray("y")::add);
            if (filters != null) {
                inputdata.set("filters", filters);
            }
            ObjectNode parameters = body.putObject("parameters");
            if (transformation != null) {
                parameters.set("data_transformation", Json.mapper().readTree(transformation));
            }
            InMemoryFederation federation = InMemoryFederation.dementia(2);
            AnalysisInput input =
                    RequestValidator.validate(algorithm, AnalysisRequest.fromJson(body), federation.model());
            return algorithm.run(input, federation.context(input)).toJson();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
