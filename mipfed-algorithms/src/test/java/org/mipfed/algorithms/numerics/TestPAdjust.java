package org.mipfed.algorithms.numerics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.mipfed.algorithms.TestData;
import org.mipfed.core.json.Json;

/** {@link PAdjust} against R's p.adjust (src/test/resources/r/p_adjust.R): ties, NAs, ones, one test, 40 tests. */
class TestPAdjust {
    @Test
    void everyMethodEqualsRsPAdjust() throws IOException {
        JsonNode root = Json.mapper().readTree(TestData.resource("/r/p_adjust_expected.json"));
        assertThat(root.path("cases")).hasSizeGreaterThanOrEqualTo(6);
        int checked = 0;
        for (JsonNode c : root.path("cases")) {
            double[] p = numbers(c.path("p"));
            for (PAdjust method : PAdjust.values()) {
                double[] expected = numbers(c.path("adjusted").path(method.rName()));
                double[] actual = method.adjust(p);
                assertThat(actual).hasSameSizeAs(expected);
                for (int i = 0; i < p.length; i++) {
                    if (Double.isNaN(expected[i])) {
                        assertThat(actual[i]).as(method + " keeps NA at " + i).isNaN();
                    } else {
                        assertThat(actual[i])
                                .as(method + " of " + c.path("p") + " at " + i)
                                .isCloseTo(expected[i], within(1e-9 + 1e-12 * expected[i]));
                        checked++;
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(300);
    }

    @Test
    void methodsAreNamedAsInRAndAnUnknownOneIsRefusedWithTheList() {
        assertThat(PAdjust.of("BH")).isEqualTo(PAdjust.BH);
        assertThat(PAdjust.of("fdr")).isEqualTo(PAdjust.BH);
        assertThat(PAdjust.of("none")).isNull();
        assertThatThrownBy(() -> PAdjust.of("sidak")).hasMessageContaining("holm, hochberg, bonferroni, BH, BY");
    }

    private static double[] numbers(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).isNull() ? Double.NaN : array.get(i).asDouble();
        }
        return out;
    }
}
