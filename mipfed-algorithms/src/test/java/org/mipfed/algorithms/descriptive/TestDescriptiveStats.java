package org.mipfed.algorithms.descriptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mipfed.algorithms.Rows.dataset;
import static org.mipfed.algorithms.Rows.request;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mipfed.algorithms.InMemoryFederation;
import org.mipfed.algorithms.RequestValidator;
import org.mipfed.algorithms.TestData;
import org.mipfed.algorithms.spi.AnalysisInput;

class TestDescriptiveStats {
    private static final DescriptiveStats ALGORITHM = new DescriptiveStats();

    private static final Map<String, List<Map<String, Object>>> DATA = new LinkedHashMap<>();

    static {
        DATA.put(
                "edsd0",
                dataset(
                        "edsd0",
                        new Object[] {"lefthippocampus", 2.0, "gender", "F"},
                        new Object[] {"lefthippocampus", 3.0, "gender", "M"},
                        new Object[] {"lefthippocampus", null, "gender", "F"}));
        DATA.put(
                "edsd1",
                dataset(
                        "edsd1",
                        new Object[] {"lefthippocampus", 4.0, "gender", "F"},
                        new Object[] {"lefthippocampus", 6.0, "gender", null},
                        new Object[] {"lefthippocampus", 5.0, "gender", "M"},
                        new Object[] {"lefthippocampus", 1.0, "gender", "F"}));
        DATA.put("edsd2", dataset("edsd2", new Object[] {"lefthippocampus", 7.0, "gender", "M"}));
    }

    @Test
    void combinesDatasetsExactlyAndLeavesQuartilesOut() {
        JsonNode result = run(DATA, List.of("edsd0", "edsd1", "edsd2"), 1);
        JsonNode all = record(result, "variable_based", "lefthippocampus", DescriptiveStats.ALL_DATASETS);
        assertThat(all.get("num_dtps").asLong()).isEqualTo(7);
        assertThat(all.get("num_na").asLong()).isEqualTo(1);
        assertThat(all.get("num_total").asLong()).isEqualTo(8);
        assertThat(all.get("mean").asDouble()).isEqualTo(4.0);
        // values 2,3,4,6,5,1,7: Σ(x - 4)² = 28, sample std = sqrt(28 / 6)
        assertThat(all.get("std").asDouble())
                .isCloseTo(Math.sqrt(28.0 / 6), org.assertj.core.api.Assertions.within(1e-15));
        assertThat(all.get("min").asDouble()).isEqualTo(1.0);
        assertThat(all.get("max").asDouble()).isEqualTo(7.0);
        assertThat(all.get("q1").isNull()).isTrue();

        JsonNode single = record(result, "variable_based", "lefthippocampus", "edsd2");
        assertThat(single.get("std").isNull()).isTrue();
        assertThat(single.get("q2").asDouble()).isEqualTo(7.0);

        JsonNode gender = record(result, "model_based", "gender", DescriptiveStats.ALL_DATASETS);
        assertThat(gender.get("counts").toString()).isEqualTo("{\"M\":3,\"F\":3}");
        assertThat(gender.get("num_total").asLong()).isEqualTo(6);
    }

    @Test
    void suppressedAndMissingDatasetsHaveNullDataAndDoNotCount() {
        JsonNode result = run(DATA, List.of("edsd0", "edsd1", "edsd2", "edsd3"), 2);
        assertThat(record(result, "variable_based", "lefthippocampus", "edsd2").isNull())
                .isTrue();
        assertThat(record(result, "variable_based", "lefthippocampus", "edsd3").isNull())
                .isTrue();
        assertThat(record(result, "variable_based", "lefthippocampus", DescriptiveStats.ALL_DATASETS)
                        .get("num_dtps")
                        .asLong())
                .isEqualTo(6);
        assertThat(result.get("variable_based").size()).isEqualTo(2 * 5);
    }

    @Test
    void theDatasetVariableIsNotDescribed() {
        JsonNode result = run(DATA, List.of("edsd0"), 1, List.of("dataset"));
        assertThat(result.get("variable_based").isEmpty()).isTrue();
        assertThat(result.get("model_based").isEmpty()).isTrue();
    }

    private static JsonNode record(JsonNode result, String group, String variable, String dataset) {
        for (JsonNode record : result.get(group)) {
            if (record.get("variable").asText().equals(variable)
                    && record.get("dataset").asText().equals(dataset)) {
                return record.get("data");
            }
        }
        throw new AssertionError("no record " + variable + " / " + dataset + " in " + group);
    }

    private static JsonNode run(Map<String, List<Map<String, Object>>> data, List<String> datasets, int minRows) {
        return run(data, datasets, minRows, List.of("lefthippocampus", "gender"));
    }

    private static JsonNode run(
            Map<String, List<Map<String, Object>>> data, List<String> datasets, int minRows, List<String> y) {
        InMemoryFederation federation = InMemoryFederation.spread(TestData.dementiaModel(), data, 2, minRows);
        AnalysisInput input = RequestValidator.validate(ALGORITHM, request(datasets, List.of(), y), federation.model());
        return ALGORITHM.run(input, federation.context(input)).toJson();
    }
}
