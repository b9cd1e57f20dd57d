package org.mipfed.algorithms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The comparisons must catch what they are there to catch. */
class TestExpectedResults {
    private static final List<ExpectedResults.Case> LINEAR =
            ExpectedResults.load(ExpectedResults.expectedFile("linear_regression"));
    private static final List<ExpectedResults.Case> DESCRIPTIVE =
            ExpectedResults.load(ExpectedResults.expectedFile("descriptive_stats"));

    @Test
    void loadsEveryCase() {
        assertThat(LINEAR).hasSize(100);
        assertThat(DESCRIPTIVE).hasSize(52);
    }

    @Test
    void linearRegressionToleranceIsRelative() {
        JsonNode expected = LINEAR.get(0).output();
        ObjectNode actual = expected.deepCopy();
        ArrayNode coefficients = (ArrayNode) actual.get("coefficients");
        coefficients.set(1, coefficients.get(1).asDouble() * (1 + 5e-7));
        assertThatCode(() -> ExpectedResults.assertLinearRegressionMatches(expected, actual))
                .doesNotThrowAnyException();
        coefficients.set(1, expected.get("coefficients").get(1).asDouble() * (1 + 2e-6));
        assertThatThrownBy(() -> ExpectedResults.assertLinearRegressionMatches(expected, actual))
                .hasMessageContaining("coefficients[1]");
    }

    @Test
    void linearRegressionNamesAndCountsAreExact() {
        JsonNode expected = LINEAR.get(0).output();
        ObjectNode actual = expected.deepCopy();
        actual.put("n_obs", expected.get("n_obs").asInt() + 1);
        assertThatThrownBy(() -> ExpectedResults.assertLinearRegressionMatches(expected, actual))
                .hasMessageContaining("n_obs");
        ObjectNode renamed = expected.deepCopy();
        ((ArrayNode) renamed.get("indep_vars")).set(1, "other");
        assertThatThrownBy(() -> ExpectedResults.assertLinearRegressionMatches(expected, renamed))
                .hasMessageContaining("indep_vars");
    }

    @Test
    void descriptiveRecordsMustPairUpAndAgree() {
        JsonNode expected = DESCRIPTIVE.get(1).output();
        assertThatCode(() -> ExpectedResults.assertDescriptiveStatsMatches(expected, expected))
                .doesNotThrowAnyException();

        ObjectNode missing = expected.deepCopy();
        ((ArrayNode) missing.get("model_based")).remove(0);
        assertThatThrownBy(() -> ExpectedResults.assertDescriptiveStatsMatches(expected, missing))
                .hasMessageContaining("model_based records");

        ObjectNode nulled = expected.deepCopy();
        for (JsonNode record : nulled.get("variable_based")) {
            if (!record.get("data").isNull()) {
                ((ObjectNode) record).putNull("data");
                break;
            }
        }
        assertThatThrownBy(() -> ExpectedResults.assertDescriptiveStatsMatches(expected, nulled))
                .hasMessageContaining("null in one");

        ObjectNode quartiles = expected.deepCopy();
        for (JsonNode record : quartiles.get("variable_based")) {
            if (record.get("dataset").asText().equals("all datasets")
                    && record.get("data").has("q1")) {
                ((ObjectNode) record.get("data")).put("q1", 1.0);
                break;
            }
        }
        assertThatThrownBy(() -> ExpectedResults.assertDescriptiveStatsMatches(expected, quartiles))
                .hasMessageContaining("q1 present");
    }
}
