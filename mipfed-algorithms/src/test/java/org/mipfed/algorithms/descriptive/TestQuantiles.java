package org.mipfed.algorithms.descriptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
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
 * {@code quantiles} against R's quantile(x, probs, type) on the pooled rows (src/test/resources/r/quantiles.R), types 1
 * to 9, with the datasets spread over 1, 3 and 5 nodes; and R's positions of the order statistics checked on their own.
 */
class TestQuantiles {
    static Stream<RReference.Case> cases() {
        return RReference.load(Quantiles.NAME).stream();
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
    void theReferenceCoversEveryTypeTiesAndTails() {
        List<RReference.Case> cases = RReference.load(Quantiles.NAME);
        for (int type = 1; type <= 9; type++) {
            int t = type;
            assertThat(cases)
                    .as("type " + t)
                    .anySatisfy(
                            c -> assertThat(c.expected().path("type").asInt()).isEqualTo(t));
        }
        assertThat(cases).anySatisfy(c -> assertThat(c.name()).contains("ties"));
    }

    @Test
    void theBisectionCostsFewRoundsAndTheSameOnAnySplit() {
        ObjectNode body = body("lefthippocampus");
        body.putObject("parameters").putArray("probabilities").add(0.5);
        int rounds = run(body, 1).path("variables").get(0).path("rounds").asInt();
        assertThat(rounds).isBetween(1, 30);
        assertThat(run(body, 5).path("variables").get(0).path("rounds").asInt()).isEqualTo(rounds);
    }

    @Test
    void theMinimumAndMaximumNeedNoRoundOfCounts() {
        // p = 0 and p = 1 weigh one order statistic each (x(1), x(n)), known from the first answer: asking for x(2)
        // would make a node count one or two rows, which its minimum cell count refuses
        ObjectNode body = body("minimentalstate");
        body.putObject("parameters").putArray("probabilities").add(0).add(1);
        JsonNode variable = run(body, 3).path("variables").get(0);
        assertThat(variable.path("rounds").asInt()).isZero();
        assertThat(variable.path("quantiles").get(0).path("value").asDouble())
                .isEqualTo(variable.path("min").asDouble());
        assertThat(variable.path("quantiles").get(1).path("value").asDouble())
                .isEqualTo(variable.path("max").asDouble());
    }

    /** The position of every type against a plain sort, on random samples with ties, at many probabilities. */
    @Test
    void positionsAreRsOnRandomSamples() {
        Random random = new Random(20);
        for (int sample = 0; sample < 50; sample++) {
            int n = 1 + random.nextInt(40);
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = random.nextInt(10);
            }
            Arrays.sort(x);
            for (int type = 1; type <= 9; type++) {
                for (double p : List.of(0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0)) {
                    Quantiles.Position position = Quantiles.position(type, n, p);
                    double q = position.value(x[(int) position.lower(n) - 1], x[(int) position.upper(n) - 1]);
                    assertThat(q).isBetween(x[0], x[n - 1]);
                }
            }
            // type 7 is numpy's linear method: x[floor(h)] + (h - floor(h)) (x[ceil(h)] - x[floor(h)]), h = (n-1) p
            double h = (n - 1) * 0.3;
            int lo = (int) Math.floor(h);
            double expected = x[lo] + (h - lo) * (x[Math.min(n - 1, lo + 1)] - x[lo]);
            Quantiles.Position position = Quantiles.position(7, n, 0.3);
            assertThat(position.value(x[(int) position.lower(n) - 1], x[(int) position.upper(n) - 1]))
                    .isCloseTo(expected, offset(1e-12));
        }
    }

    @Test
    void badRequestsSayWhatToChange() {
        ObjectNode nominal = body("gender");
        refused(nominal, "gender");
        ObjectNode type = body("lefthippocampus");
        type.putObject("parameters").put("type", 10);
        refused(type, "type");
        ObjectNode probability = body("lefthippocampus");
        probability.putObject("parameters").putArray("probabilities").add(1.5);
        refused(probability, "probabilities");
    }

    private static void refused(ObjectNode body, String message) {
        assertThatThrownBy(() -> run(body, 2)).isInstanceOf(Problem.class).satisfies(e -> {
            assertThat(((Problem) e).status()).isEqualTo(400);
            assertThat(e.getMessage()).contains(message);
        });
    }

    private static ObjectNode body(String y) {
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode inputdata = body.putObject("inputdata");
        inputdata.put("data_model", "dementia:0.1");
        inputdata.putArray("datasets").add("edsd0").add("edsd1").add("ppmi0");
        inputdata.putArray("y").add(y);
        body.putObject("parameters");
        return body;
    }

    private static JsonNode run(JsonNode body, int nodes) {
        Quantiles algorithm = new Quantiles();
        InMemoryFederation federation = InMemoryFederation.dementia(nodes);
        AnalysisInput input = RequestValidator.validate(algorithm, AnalysisRequest.fromJson(body), federation.model());
        return algorithm.run(input, federation.context(input)).toJson();
    }
}
