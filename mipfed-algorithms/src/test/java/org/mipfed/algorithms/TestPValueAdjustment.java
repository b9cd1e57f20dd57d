package org.mipfed.algorithms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.mipfed.algorithms.glm.GeneralizedLinearModel;
import org.mipfed.algorithms.numerics.PAdjust;
import org.mipfed.algorithms.regression.LinearRegression;
import org.mipfed.algorithms.spi.Algorithm;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.AnalysisRequest;

/**
 * The {@code p_adjust} parameter of the algorithms returning several p-values: the adjusted p-values beside the raw
 * ones, as R's p.adjust of them ({@link PAdjust} is checked against R in {@code TestPAdjust}; glm's cases with
 * {@code p_adjust} against R in {@code TestGeneralizedLinearModelAgainstR}), nothing added when not asked, and an
 * unknown method refused naming the parameter.
 */
class TestPValueAdjustment {
    @Test
    void linearRegressionAddsEachMethodsAdjustedPValuesBesideTheRawOnes() {
        for (PAdjust method : PAdjust.values()) {
            JsonNode result = run(new LinearRegression(), method.rName());
            assertThat(result.path("p_adjust").asText()).isEqualTo(method.rName());
            double[] raw = numbers(result.path("pvalues"));
            double[] expected = method.adjust(raw);
            JsonNode adjusted = result.path("pvalues_adjusted");
            assertThat(adjusted).hasSize(raw.length);
            for (int i = 0; i < raw.length; i++) {
                assertThat(adjusted.get(i).asDouble()).as(method + " " + i).isCloseTo(expected[i], within(1e-15));
                assertThat(adjusted.get(i).asDouble()).isGreaterThanOrEqualTo(raw[i]);
            }
        }
    }

    @Test
    void withoutTheParameterOrWithNoneNothingIsAdded() {
        for (Algorithm algorithm : new Algorithm[] {new LinearRegression(), new GeneralizedLinearModel()}) {
            assertThat(run(algorithm, null).has("pvalues_adjusted")).isFalse();
            JsonNode none = run(algorithm, "none");
            assertThat(none.has("pvalues_adjusted")).isFalse();
            assertThat(none.has("p_adjust")).isFalse();
        }
    }

    @Test
    void anUnknownMethodIsRefusedNamingTheParameter() {
        assertThatThrownBy(() -> run(new LinearRegression(), "sidak")).isInstanceOfSatisfying(Problem.class, p -> {
            assertThat(p.status()).isEqualTo(400);
            assertThat(p.getMessage()).contains("p_adjust");
        });
    }

    private static JsonNode run(Algorithm algorithm, String method) {
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode inputdata = body.putObject("inputdata");
        inputdata.put("data_model", "dementia:0.1");
        inputdata.putArray("datasets").add("edsd0").add("edsd1").add("edsd2").add("desd-synthdata0");
        inputdata.putArray("y").add("lefthippocampus");
        inputdata.putArray("x").add("agegroup").add("leftamygdala").add("gender");
        ObjectNode parameters = body.putObject("parameters");
        if (method != null) {
            parameters.put(PAdjust.PARAMETER, method);
        }
        InMemoryFederation federation = InMemoryFederation.dementia(3);
        AnalysisInput input = RequestValidator.validate(algorithm, AnalysisRequest.fromJson(body), federation.model());
        return algorithm.run(input, federation.context(input)).toJson();
    }

    private static double[] numbers(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }
}
