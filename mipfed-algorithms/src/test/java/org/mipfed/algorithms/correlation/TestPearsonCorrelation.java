package org.mipfed.algorithms.correlation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;
import static org.mipfed.algorithms.Rows.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mipfed.algorithms.Algorithms;
import org.mipfed.algorithms.InMemoryFederation;
import org.mipfed.algorithms.RequestValidator;
import org.mipfed.algorithms.TestData;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.AnalysisRequest;

class TestPearsonCorrelation {
    private static final PearsonCorrelation ALGORITHM = new PearsonCorrelation();
    private static final List<String> DATASETS = List.of("edsd0", "edsd1", "ppmi0", "desd-synthdata0");

    @Test
    void isRegistered() {
        assertThat(Algorithms.standard().get(PearsonCorrelation.NAME)).isInstanceOf(PearsonCorrelation.class);
    }

    /** Reference figures from scipy.stats.pearsonr and Exareme2's Fisher-z formula, on the same rows. */
    @Test
    void correlatesEachVariableWithEachCovariateAsScipy() {
        JsonNode result = run(
                InMemoryFederation.dementia(3),
                DATASETS,
                List.of("righthippocampus", "subjectageyears"),
                List.of("lefthippocampus"),
                0.1);
        assertThat(result.get("n_obs").asLong()).isEqualTo(129);
        assertThat(result.get("correlations").get("variables").toString())
                .isEqualTo("[\"righthippocampus\",\"subjectageyears\"]");
        assertThat(result.get("correlations").size()).isEqualTo(2);
        assertRelative(result.get("correlations").get("lefthippocampus"), 0.9406779807735277, -0.4235480695575682);
        assertRelative(result.get("p_values").get("lefthippocampus"), 1.8178687399941427e-61, 5.696705277625496e-07);
        assertRelative(result.get("ci_lo").get("lefthippocampus"), 0.9212718352734197, -0.5360120353654926);
        assertRelative(result.get("ci_hi").get("lefthippocampus"), 0.955411611899209, -0.29631281743111637);
    }

    @Test
    void withoutCovariatesCorrelatesTheVariablesWithEachOther() {
        JsonNode result = run(
                InMemoryFederation.dementia(2),
                DATASETS,
                List.of(),
                List.of("lefthippocampus", "righthippocampus"),
                0.95);
        assertThat(result.get("correlations").get("variables").toString())
                .isEqualTo("[\"lefthippocampus\",\"righthippocampus\"]");
        assertThat(result.get("correlations").get("lefthippocampus").get(0).asDouble())
                .isEqualTo(1.0);
        assertThat(result.get("p_values").get("lefthippocampus").get(0).asDouble())
                .isEqualTo(0.0);
        assertThat(result.get("correlations").get("righthippocampus").get(0).asDouble())
                .isEqualTo(
                        result.get("correlations").get("lefthippocampus").get(1).asDouble());
    }

    @Test
    void aConstantVariableCorrelatesZeroAsInExareme2() {
        Object[][] rows = new Object[12][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new Object[] {"leftamygdala", 1.0 + i * 0.1 + (i % 3) * 0.05, "lefthippocampus", 2.5};
        }
        JsonNode result = run(
                InMemoryFederation.spread(TestData.dementiaModel(), Map.of("edsd0", dataset("edsd0", rows)), 1, 1),
                List.of("edsd0"),
                List.of("leftamygdala"),
                List.of("lefthippocampus"),
                0.95);
        assertThat(result.get("correlations").get("lefthippocampus").get(0).asDouble())
                .isEqualTo(0.0);
        assertThat(result.get("p_values").get("lefthippocampus").get(0).asDouble())
                .isEqualTo(1.0);
    }

    @Test
    void refusesFewerThanThreeRows() {
        Object[][] rows = {{"leftamygdala", 1.0, "lefthippocampus", 2.0}, {"leftamygdala", 2.0, "lefthippocampus", 3.0}
        };
        assertThatThrownBy(() -> run(
                        InMemoryFederation.spread(
                                TestData.dementiaModel(), Map.of("edsd0", dataset("edsd0", rows)), 1, 1),
                        List.of("edsd0"),
                        List.of("leftamygdala"),
                        List.of("lefthippocampus"),
                        0.95))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.status()).isEqualTo(400);
                    assertThat(p.detail()).contains("at least 3 rows", "only 2 have");
                });
    }

    @Test
    void pValuesKeepTheirPrecisionNearPerfectCorrelation() {
        // scipy.special.betainc(50, 0.5, (1 - 0.999999) * (1 + 0.999999))
        assertThat(PearsonCorrelation.pValue(0.999999, 100))
                .isCloseTo(8.960736272865869e-287, offset(8.960736272865869e-287 * 1e-8));
        assertThat(PearsonCorrelation.pValue(-1, 100)).isZero();
        assertThat(PearsonCorrelation.pValue(0, 100)).isEqualTo(1.0);
    }

    private static void assertRelative(JsonNode actual, double... expected) {
        assertThat(actual.size()).isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual.get(i).asDouble())
                    .as("[%d]", i)
                    .isCloseTo(expected[i], offset(Math.abs(expected[i]) * 1e-9));
        }
    }

    private static JsonNode run(
            InMemoryFederation federation, List<String> datasets, List<String> x, List<String> y, double alpha) {
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode inputdata = body.putObject("inputdata");
        inputdata.put("data_model", "dementia:0.1");
        datasets.forEach(inputdata.putArray("datasets")::add);
        x.forEach(inputdata.putArray("x")::add);
        y.forEach(inputdata.putArray("y")::add);
        body.putObject("parameters").put("alpha", alpha);
        AnalysisInput input = RequestValidator.validate(ALGORITHM, AnalysisRequest.fromJson(body), federation.model());
        return ALGORITHM.run(input, federation.context(input)).toJson();
    }
}
