package org.mipfed.algorithms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mipfed.algorithms.spi.Algorithm;
import org.mipfed.core.problem.Problem;

class TestAlgorithms {
    @Test
    void listsEveryAlgorithmWithItsSpec() {
        Algorithms algorithms = Algorithms.standard();
        assertThat(algorithms.names())
                .startsWith("descriptive_stats", "linear_regression")
                .contains("logistic_regression", "glm");
        for (Algorithm algorithm : algorithms.all()) {
            assertThat(algorithm.spec().get("name").asText()).isEqualTo(algorithm.name());
            assertThat(algorithm.spec().has("inputdata")).isTrue();
        }
    }

    @Test
    void theAlgorithmsExareme2PairsWithTheLongitudinalTransformerListIt() {
        Algorithms algorithms = Algorithms.standard();
        for (String name : List.of("linear_regression", "logistic_regression", "anova_oneway", "anova")) {
            assertThat(algorithms.get(name).spec().path("preprocessing").findValuesAsText("name"))
                    .containsExactly("longitudinal_transformer");
        }
        assertThat(algorithms.get("descriptive_stats").spec().has("preprocessing"))
                .isFalse();
    }

    @Test
    void specsCannotBeChangedByCallers() {
        Algorithm algorithm = Algorithms.standard().get("linear_regression");
        algorithm.spec().put("name", "changed");
        assertThat(algorithm.spec().get("name").asText()).isEqualTo("linear_regression");
    }

    @Test
    void anUnknownNameIsA404ListingTheOthers() {
        assertThatThrownBy(() -> Algorithms.standard().get("linear_regresion"))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.status()).isEqualTo(404);
                    assertThat(p.detail()).contains("descriptive_stats, linear_regression");
                });
        assertThat(Algorithms.standard().find("nope")).isEmpty();
    }
}
