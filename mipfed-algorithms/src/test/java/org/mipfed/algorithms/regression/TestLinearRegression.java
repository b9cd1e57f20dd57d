package org.mipfed.algorithms.regression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mipfed.algorithms.Rows.dataset;
import static org.mipfed.algorithms.Rows.request;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mipfed.algorithms.InMemoryFederation;
import org.mipfed.algorithms.RequestValidator;
import org.mipfed.algorithms.TestData;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.core.problem.Problem;

class TestLinearRegression {
    private static final LinearRegression ALGORITHM = new LinearRegression();

    @Test
    void dummyCodesByCodePointOrderDroppingTheFirstLevel() {
        List<Object[]> rows = new ArrayList<>();
        String[] groups = {"50-59y", "+80y", "-50y"};
        for (int i = 0; i < 12; i++) {
            rows.add(new Object[] {
                "agegroup",
                groups[i % 3],
                "leftamygdala",
                1.0 + i * 0.1 + (i % 4) * 0.03,
                "lefthippocampus",
                2.0 + (i % 5) * 0.2
            });
        }
        JsonNode result = run(
                Map.of("edsd0", dataset("edsd0", rows.toArray(Object[][]::new))),
                List.of("leftamygdala", "agegroup"),
                "lefthippocampus");
        assertThat(result.get("indep_vars").toString())
                .isEqualTo("[\"Intercept\",\"agegroup[-50y]\",\"agegroup[50-59y]\",\"leftamygdala\"]");
        assertThat(result.get("n_obs").asLong()).isEqualTo(12);
        assertThat(result.get("df_resid").asDouble()).isEqualTo(8.0);
    }

    /** As in Exareme2, such a covariate adds no column, but rows missing it still drop out. */
    @Test
    void aNominalCovariateWithOneLevelAddsNoColumnButStillSelectsRows() {
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            rows.add(new Object[] {
                "gender", i < 6 ? "F" : null, "leftamygdala", 1.0 + i * i * 0.1, "lefthippocampus", 2.0 + (i % 3) * 0.2
            });
        }
        JsonNode result = run(
                Map.of("edsd0", dataset("edsd0", rows.toArray(Object[][]::new))),
                List.of("gender", "leftamygdala"),
                "lefthippocampus");
        assertThat(result.get("indep_vars").toString()).isEqualTo("[\"Intercept\",\"leftamygdala\"]");
        assertThat(result.get("n_obs").asLong()).isEqualTo(6);
    }

    @Test
    void refusesCollinearCovariatesNamingThem() {
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            rows.add(new Object[] {
                "leftamygdala", 1.0 + i, "rightamygdala", 2.0 + 2 * i, "lefthippocampus", 2.0 + (i % 3)
            });
        }
        assertThatThrownBy(() -> run(
                        Map.of("edsd0", dataset("edsd0", rows.toArray(Object[][]::new))),
                        List.of("leftamygdala", "rightamygdala"),
                        "lefthippocampus"))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.status()).isEqualTo(400);
                    assertThat(p.detail())
                            .contains(
                                    "'rightamygdala' is (almost) a linear combination of the intercept and leftamygdala");
                });
    }

    @Test
    void refusesTooFewRows() {
        Object[][] rows = {
            {"leftamygdala", 1.0, "rightamygdala", 2.0, "lefthippocampus", 2.0},
            {"leftamygdala", 2.0, "rightamygdala", 1.0, "lefthippocampus", 3.0},
            {"leftamygdala", 3.0, "rightamygdala", 5.0, "lefthippocampus", 1.0}
        };
        assertThatThrownBy(() -> run(
                        Map.of("edsd0", dataset("edsd0", rows)),
                        List.of("leftamygdala", "rightamygdala"),
                        "lefthippocampus"))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.status()).isEqualTo(400);
                    assertThat(p.detail()).contains("needs more rows than coefficients: 3 rows");
                });
    }

    @Test
    void refusesTheDependentVariableAsACovariate() {
        Object[][] rows = {{"leftamygdala", 1.0, "lefthippocampus", 2.0}};
        assertThatThrownBy(() ->
                        run(Map.of("edsd0", dataset("edsd0", rows)), List.of("lefthippocampus"), "lefthippocampus"))
                .isInstanceOfSatisfying(
                        Problem.class,
                        p -> assertThat(p.detail()).contains("is both the dependent variable (y) and a covariate"));
    }

    @Test
    void refusesWhenNothingVaries() {
        Object[][] rows = {
            {"gender", "F", "lefthippocampus", 2.0},
            {"gender", "F", "lefthippocampus", 3.0},
            {"gender", "F", "lefthippocampus", 1.0}
        };
        assertThatThrownBy(() -> run(Map.of("edsd0", dataset("edsd0", rows)), List.of("gender"), "lefthippocampus"))
                .isInstanceOfSatisfying(
                        Problem.class, p -> assertThat(p.detail()).contains("None of the covariates varies"));
    }

    @Test
    void refusesWhenNoRowIsComplete() {
        Object[][] rows = {{"gender", "F", "lefthippocampus", null}, {"gender", null, "lefthippocampus", 3.0}};
        assertThatThrownBy(() -> run(Map.of("edsd0", dataset("edsd0", rows)), List.of("gender"), "lefthippocampus"))
                .isInstanceOfSatisfying(
                        Problem.class, p -> assertThat(p.detail()).contains("No row of the selected datasets"));
    }

    private static JsonNode run(Map<String, List<Map<String, Object>>> data, List<String> x, String y) {
        InMemoryFederation federation = InMemoryFederation.spread(TestData.dementiaModel(), data, 2, 1);
        AnalysisInput input = RequestValidator.validate(
                ALGORITHM, request(List.copyOf(data.keySet()), x, List.of(y)), federation.model());
        return ALGORITHM.run(input, federation.context(input)).toJson();
    }
}
