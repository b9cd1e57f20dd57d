package org.mipfed.algorithms.kmeans;

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
import org.mipfed.algorithms.InMemoryFederation;
import org.mipfed.algorithms.RequestValidator;
import org.mipfed.algorithms.TestData;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.AnalysisRequest;

class TestKMeans {
    private static final KMeans ALGORITHM = new KMeans();

    @Test
    void isRegistered() {
        assertThat(Algorithms.standard().get(KMeans.NAME)).isInstanceOf(KMeans.class);
    }

    @Test
    void findsTwoWellSeparatedGroupsOverNodes() {
        Map<String, List<Map<String, Object>>> data = new LinkedHashMap<>();
        data.put("edsd0", dataset("edsd0", row(1.0, 1.0), row(1.2, 0.8), row(5.0, 5.0), row(null, 3.0)));
        data.put("edsd1", dataset("edsd1", row(0.8, 1.2), row(5.2, 4.8), row(4.8, 5.2)));
        JsonNode result = run(data, 1, 2, 100, 1e-4);
        assertThat(result.get("title").asText()).isEqualTo("K-Means Centers");
        assertThat(result.get("n_obs").asLong()).isEqualTo(6);
        assertThat(result.get("centers").toString())
                .satisfiesAnyOf(
                        centres -> assertThat(centres).isEqualTo("[[1.0,1.0],[5.0,5.0]]"),
                        centres -> assertThat(centres).isEqualTo("[[5.0,5.0],[1.0,1.0]]"));
    }

    @Test
    void stopsAfterMaxiterRounds() {
        Map<String, List<Map<String, Object>>> data =
                Map.of("edsd0", dataset("edsd0", row(1.0, 1.0), row(2.0, 2.0), row(9.0, 9.0)));
        assertThat(run(data, 1, 3, 1, 0.0).get("iterations").asInt()).isEqualTo(1);
    }

    @Test
    void aCentreWhoseRowsAreAllWithheldStaysWhereItWasAndOneWithNoRowsGoesToTheOrigin() {
        // Ten rows near x = 1 and two at x = 9, on a node that withholds clusters of fewer than 10 rows.
        Object[][] rows = new Object[12][];
        for (int i = 0; i < 12; i++) {
            rows[i] = row(i < 10 ? 1.0 + i * 0.01 : 9.0, 1.0);
        }
        double[][] initial =
                new NumpyRandomState(KMeans.SEED).uniform(new double[] {1.0, 1.0}, new double[] {9.0, 1.0}, 3);
        // numpy draws x = 6.57, 2.82 and 6.75: the ten rows go to the second centre, the two to the third, none to the
        // first.
        assertThat(initial[1][0]).isLessThan(5.0);
        assertThat(initial[0][0]).isLessThan(initial[2][0]);
        JsonNode centres =
                run(Map.of("edsd0", dataset("edsd0", rows)), 10, 3, 100, 1e-4).get("centers");
        assertThat(centres.get(0).toString()).isEqualTo("[0.0,0.0]");
        assertThat(centres.get(1).get(0).asDouble()).isCloseTo(1.045, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(centres.get(2).get(0).asDouble()).isEqualTo(initial[2][0]);
    }

    @Test
    void refusesWhenNoRowIsComplete() {
        Map<String, List<Map<String, Object>>> data = Map.of("edsd0", dataset("edsd0", row(1.0, null)));
        assertThatThrownBy(() -> run(data, 1, 2, 10, 0.01)).isInstanceOfSatisfying(Problem.class, p -> {
            assertThat(p.status()).isEqualTo(400);
            assertThat(p.detail())
                    .contains(
                            "No row of the selected datasets has a value for every one of leftamygdala, rightamygdala");
        });
    }

    @Test
    void refusesAVariableTwice() {
        Map<String, List<Map<String, Object>>> data = Map.of("edsd0", dataset("edsd0", row(1.0, 1.0)));
        InMemoryFederation federation = InMemoryFederation.spread(TestData.dementiaModel(), data, 1, 1);
        ObjectNode body = body(List.of("edsd0"), List.of("leftamygdala", "leftamygdala"), 2, 10, 0.01);
        assertThatThrownBy(
                        () -> RequestValidator.validate(ALGORITHM, AnalysisRequest.fromJson(body), federation.model()))
                .isInstanceOfSatisfying(
                        Problem.class, p -> assertThat(p.detail()).contains("'leftamygdala' is listed twice in y"));
    }

    private static Object[] row(Double left, Double right) {
        return new Object[] {"leftamygdala", left, "rightamygdala", right};
    }

    private static JsonNode run(
            Map<String, List<Map<String, Object>>> data, int minRows, int k, int maxiter, double tol) {
        InMemoryFederation federation = InMemoryFederation.spread(TestData.dementiaModel(), data, 2, minRows);
        ObjectNode body = body(List.copyOf(data.keySet()), List.of("leftamygdala", "rightamygdala"), k, maxiter, tol);
        AnalysisInput input = RequestValidator.validate(ALGORITHM, AnalysisRequest.fromJson(body), federation.model());
        return ALGORITHM.run(input, federation.context(input)).toJson();
    }

    private static ObjectNode body(List<String> datasets, List<String> y, int k, int maxiter, double tol) {
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode inputdata = body.putObject("inputdata");
        inputdata.put("data_model", "dementia:0.1");
        datasets.forEach(inputdata.putArray("datasets")::add);
        y.forEach(inputdata.putArray("y")::add);
        body.putObject("parameters").put("k", k).put("maxiter", maxiter).put("tol", tol);
        return body;
    }
}
