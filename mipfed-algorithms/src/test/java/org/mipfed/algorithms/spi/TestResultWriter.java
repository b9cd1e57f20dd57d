package org.mipfed.algorithms.spi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one writer of results: what every algorithm's JSON on the wire relies on. */
class TestResultWriter {
    record Part(double stdErr, double[] lowerCi, String groupingVar) {}

    record Example(
            String dependentVar,
            long nObs,
            double rSquared,
            Double fPvalue,
            double[] pValues,
            double[][] eigenvectors,
            List<Double> bins,
            Part summary,
            @JsonInclude(JsonInclude.Include.NON_NULL) double[] tValues,
            @JsonProperty("meanA") double meanA,
            Map<String, Long> counts)
            implements AlgorithmResult {}

    private static Example example(double[] tValues) {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("M", 3L);
        counts.put("AD_level", 2L);
        return new Example(
                "y",
                12,
                Double.NaN,
                Double.POSITIVE_INFINITY,
                new double[] {0.5, Double.NaN},
                new double[][] {{1, Double.NEGATIVE_INFINITY}},
                Arrays.asList(1.0, Double.NaN, null),
                new Part(Double.NaN, new double[] {Double.POSITIVE_INFINITY, 2}, null),
                tValues,
                1.5,
                counts);
    }

    @Test
    void writesSnakeCaseNamesInComponentOrderAndNestedRecordsAsObjects() {
        assertThat(ResultWriter.toJson(example(new double[] {1})).toString())
                .isEqualTo("{\"dependent_var\":\"y\",\"n_obs\":12,"
                        + "\"r_squared\":null,\"f_pvalue\":null,\"p_values\":[0.5,null],\"eigenvectors\":[[1.0,null]],\"bins\":[1.0,null,null],"
                        + "\"summary\":{\"std_err\":null,\"lower_ci\":[null,2.0],\"grouping_var\":null},\"t_values\":[1.0],\"meanA\":1.5,"
                        + "\"counts\":{\"M\":3,\"AD_level\":2}}");
    }

    @Test
    void writesEveryNonFiniteNumberAsNull() {
        String json = ResultWriter.toJson(example(null)).toString();
        assertThat(json).doesNotContain("NaN").doesNotContain("Infinity");
    }

    @Test
    void omitsOnlyTheComponentsMarkedSoWhenNull() {
        assertThat(ResultWriter.toJson(example(null)).has("t_values")).isFalse();
        assertThat(ResultWriter.toJson(example(null))
                        .get("summary")
                        .get("grouping_var")
                        .isNull())
                .isTrue();
    }
}
