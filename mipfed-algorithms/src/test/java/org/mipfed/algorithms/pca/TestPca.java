package org.mipfed.algorithms.pca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;
import static org.mipfed.algorithms.Rows.dataset;
import static org.mipfed.algorithms.Rows.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mipfed.algorithms.Algorithms;
import org.mipfed.algorithms.ExpectedResults;
import org.mipfed.algorithms.InMemoryFederation;
import org.mipfed.algorithms.RequestValidator;
import org.mipfed.algorithms.TestData;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.core.problem.Problem;

class TestPca {
    private static final Pca ALGORITHM = new Pca();
    private static final List<String> DATASETS = List.of("edsd0", "edsd1", "ppmi0", "desd-synthdata0");

    @Test
    void isRegistered() {
        assertThat(Algorithms.standard().get(Pca.NAME)).isInstanceOf(Pca.class);
        assertThat(Algorithms.standard().get(PcaWithTransformation.NAME)).isInstanceOf(PcaWithTransformation.class);
    }

    @Test
    void givesOrthonormalEigenvectorsWithTheirLargestComponentPositiveAndEigenvaluesSummingToP() {
        List<String> y = List.of("leftamygdala", "rightamygdala", "subjectageyears", "lefthippocampus");
        JsonNode result = run(InMemoryFederation.dementia(3), DATASETS, y);
        assertThat(result.get("title").asText()).isEqualTo("Eigenvalues and Eigenvectors");
        JsonNode values = result.get("eigenvalues");
        JsonNode vectors = result.get("eigenvectors");
        double sum = 0;
        for (int k = 0; k < y.size(); k++) {
            sum += values.get(k).asDouble();
            if (k > 0) {
                assertThat(values.get(k).asDouble())
                        .isLessThanOrEqualTo(values.get(k - 1).asDouble());
            }
            double largest = 0;
            for (JsonNode component : vectors.get(k)) {
                largest = Math.abs(component.asDouble()) > Math.abs(largest) ? component.asDouble() : largest;
            }
            assertThat(largest).isPositive();
            for (int l = 0; l < y.size(); l++) {
                double dot = 0;
                for (int i = 0; i < y.size(); i++) {
                    dot += vectors.get(k).get(i).asDouble()
                            * vectors.get(l).get(i).asDouble();
                }
                assertThat(dot).isCloseTo(k == l ? 1 : 0, offset(1e-12));
            }
        }
        // The trace of a correlation matrix is its dimension.
        assertThat(sum).isCloseTo(y.size(), offset(1e-12));
    }

    @Test
    void oneVariableHasOneComponent() {
        JsonNode result = run(InMemoryFederation.dementia(1), DATASETS, List.of("leftamygdala"));
        assertThat(result.get("eigenvalues").toString()).isEqualTo("[1.0]");
        assertThat(result.get("eigenvectors").toString()).isEqualTo("[[1.0]]");
    }

    @Test
    void refusesAConstantVariableNamingIt() {
        Object[][] rows = new Object[12][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new Object[] {"leftamygdala", 1.0 + i * 0.1 + (i % 3) * 0.05, "lefthippocampus", 2.5};
        }
        InMemoryFederation federation =
                InMemoryFederation.spread(TestData.dementiaModel(), Map.of("edsd0", dataset("edsd0", rows)), 1, 1);
        assertThatThrownBy(() -> run(federation, List.of("edsd0"), List.of("leftamygdala", "lefthippocampus")))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.status()).isEqualTo(400);
                    assertThat(p.detail()).contains("'lefthippocampus' has the same value in all 12 selected rows");
                });
    }

    @Test
    void refusesWhenNoRowIsComplete() {
        Object[][] rows = {
            {"leftamygdala", 1.0, "lefthippocampus", null}, {"leftamygdala", null, "lefthippocampus", 3.0}
        };
        InMemoryFederation federation =
                InMemoryFederation.spread(TestData.dementiaModel(), Map.of("edsd0", dataset("edsd0", rows)), 1, 1);
        assertThatThrownBy(() -> run(federation, List.of("edsd0"), List.of("leftamygdala", "lefthippocampus")))
                .isInstanceOfSatisfying(
                        Problem.class, p -> assertThat(p.detail()).contains("needs at least 2 rows", "no row has"));
    }

    /** The validation check takes eigenvectors up to sign, and nothing more. */
    @Test
    void theExpectedResultComparisonIgnoresOnlyTheSignOfEigenvectors() {
        JsonNode expected = ExpectedResults.load(ExpectedResults.expectedFile(Pca.NAME))
                .get(0)
                .output();
        ObjectNode actual = expected.deepCopy();
        actual.set("eigenvalues", expected.get("eigen_vals"));
        ArrayNode vectors = actual.putArray("eigenvectors");
        for (int k = 0; k < expected.get("eigen_vecs").size(); k++) {
            ArrayNode vector = vectors.addArray();
            double sign = k % 2 == 0 ? -1 : 1;
            expected.get("eigen_vecs").get(k).forEach(c -> vector.add(sign * c.asDouble()));
        }
        assertThatCode(() -> ExpectedResults.assertPcaMatches(expected, actual)).doesNotThrowAnyException();
        ArrayNode first = (ArrayNode) vectors.get(0);
        first.set(0, first.get(0).asDouble() + 1e-3);
        assertThatThrownBy(() -> ExpectedResults.assertPcaMatches(expected, actual))
                .hasMessageContaining("eigenvectors[0]");
    }

    private static JsonNode run(InMemoryFederation federation, List<String> datasets, List<String> y) {
        AnalysisInput input = RequestValidator.validate(ALGORITHM, request(datasets, List.of(), y), federation.model());
        return ALGORITHM.run(input, federation.context(input)).toJson();
    }
}
