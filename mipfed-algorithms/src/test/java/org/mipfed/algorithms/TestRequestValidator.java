package org.mipfed.algorithms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mipfed.algorithms.Rows.request;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mipfed.algorithms.descriptive.DescriptiveStats;
import org.mipfed.algorithms.regression.LinearRegression;
import org.mipfed.algorithms.spi.Algorithm;
import org.mipfed.algorithms.spi.AlgorithmResult;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.core.json.Json;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.AnalysisRequest;

class TestRequestValidator {
    private static final DataModel MODEL = TestData.dementiaModel();
    private static final Algorithm LINEAR = new LinearRegression();
    private static final Algorithm DESCRIPTIVE = new DescriptiveStats();

    @Test
    void acceptsAValidRequest() {
        AnalysisInput input = RequestValidator.validate(
                LINEAR,
                request(
                        List.of("edsd0", "edsd1", "edsd0"),
                        List.of("agegroup", "leftamygdala"),
                        List.of("lefthippocampus")),
                MODEL);
        assertThat(input.datasets()).containsExactly("edsd0", "edsd1");
        assertThat(input.x()).containsExactly("agegroup", "leftamygdala");
        assertThat(input.filter()).isNull();
        assertThat(input.parameters().isEmpty()).isTrue();
    }

    @Test
    void validationReadsTheSharedSpecWithoutChangingItAndCopiesTheDefaultsItTakes() {
        Algorithm cv = new org.mipfed.algorithms.regression.LinearRegressionCv();
        ObjectNode before = cv.spec();
        AnalysisInput input = RequestValidator.validate(
                cv, request(List.of("edsd0"), List.of("leftamygdala"), List.of("lefthippocampus")), MODEL);
        assertThat(input.parameters().path("n_splits").asInt())
                .as("the spec's default")
                .isEqualTo(5);
        // whatever a flow does to its parameters, the next request sees the spec as it was
        input.parameters()
                .fieldNames()
                .forEachRemaining(name -> input.parameters().put(name, "changed"));
        input.parameters().put("added", 1);
        assertThat(cv.specToRead()).isEqualTo(before);
        assertThat(cv.spec()).isEqualTo(before).isNotSameAs(cv.specToRead());
    }

    @Test
    void anIntegerVariableServesWhereRealIsAsked() {
        RequestValidator.validate(
                LINEAR, request(List.of("edsd0"), List.of("leftamygdala"), List.of("minimentalstate")), MODEL);
    }

    @Test
    void explainsAWrongStatType() {
        assertRefused(
                LINEAR,
                List.of("leftamygdala"),
                List.of("gender"),
                "linear_regression needs a numerical dependent variable (y); 'gender' is nominal");
    }

    @Test
    void explainsFreeText() {
        assertRefused(
                DESCRIPTIVE,
                List.of(),
                List.of("subjectcode"),
                "descriptive_stats needs numerical or nominal variables (y); 'subjectcode' is free text");
    }

    @Test
    void explainsAMissingVariable() {
        assertRefused(
                LINEAR,
                List.of("leftamygdala"),
                List.of(),
                "linear_regression needs a dependent variable (y): A unique numerical variable.");
        assertRefused(
                LINEAR, List.of(), List.of("lefthippocampus"), "linear_regression needs at least one covariate (x)");
        assertRefused(DESCRIPTIVE, List.of(), List.of(), "descriptive_stats needs at least one variable (y)");
    }

    @Test
    void explainsTooManyVariables() {
        assertRefused(
                LINEAR,
                List.of("leftamygdala"),
                List.of("lefthippocampus", "righthippocampus"),
                "linear_regression takes one dependent variable (y), not 2 ('lefthippocampus', 'righthippocampus')");
    }

    @Test
    void explainsUnknownAndRepeatedVariables() {
        assertRefused(
                LINEAR,
                List.of("leftamygdalaa"),
                List.of("lefthippocampus"),
                "The variable 'leftamygdalaa' (in x) is not in the data model dementia:0.1");
        assertRefused(
                LINEAR,
                List.of("leftamygdala", "leftamygdala"),
                List.of("lefthippocampus"),
                "'leftamygdala' is listed twice in x");
    }

    @Test
    void explainsMissingDatasetsAndUnknownParameters() {
        assertThatThrownBy(() -> RequestValidator.validate(
                        LINEAR, request(List.of(), List.of("leftamygdala"), List.of("lefthippocampus")), MODEL))
                .hasMessageContaining("linear_regression needs at least one dataset of dementia:0.1");
        ObjectNode body = request(List.of("edsd0"), List.of("leftamygdala"), List.of("lefthippocampus"))
                .toJson();
        body.putObject("parameters").put("alpha", 0.1);
        assertThatThrownBy(() -> RequestValidator.validate(LINEAR, AnalysisRequest.fromJson(body), MODEL))
                .hasMessageStartingWith("linear_regression has no parameter 'alpha'")
                .hasMessageContaining("p_adjust");
    }

    @Test
    void typesAndDefaultsParameters() throws Exception {
        ObjectNode spec = (ObjectNode) Json.mapper().readTree("""
                {"name": "kmeans", "inputdata": {},
                 "parameters": {"k": {"label": "k", "types": ["int"], "notblank": true, "multiple": false,
                                      "default": "4", "min": 1, "max": 100}}}
                """);
        Algorithm algorithm = new Algorithm() {
            @Override
            public String name() {
                return "kmeans";
            }

            @Override
            public ObjectNode spec() {
                return spec.deepCopy();
            }

            @Override
            public AlgorithmResult run(AnalysisInput input, FederationContext federation) {
                throw new UnsupportedOperationException();
            }
        };
        AnalysisInput input =
                RequestValidator.validate(algorithm, request(List.of("edsd0"), List.of(), List.of()), MODEL);
        assertThat(input.parameters().get("k").isIntegralNumber()).isTrue();
        assertThat(input.parameters().get("k").asInt()).isEqualTo(4);

        ObjectNode body = request(List.of("edsd0"), List.of(), List.of()).toJson();
        body.putObject("parameters").put("k", 500);
        assertThatThrownBy(() -> RequestValidator.validate(algorithm, AnalysisRequest.fromJson(body), MODEL))
                .hasMessage("The parameter 'k' of kmeans must be at most 100, not 500");
        body.putObject("parameters").put("k", "five");
        assertThatThrownBy(() -> RequestValidator.validate(algorithm, AnalysisRequest.fromJson(body), MODEL))
                .hasMessage("The parameter 'k' of kmeans must be of type int, not \"five\"");
    }

    private static void assertRefused(Algorithm algorithm, List<String> x, List<String> y, String message) {
        assertThatThrownBy(() -> RequestValidator.validate(algorithm, request(List.of("edsd0"), x, y), MODEL))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.status()).isEqualTo(400);
                    assertThat(p.detail()).startsWith(message);
                });
    }
}
