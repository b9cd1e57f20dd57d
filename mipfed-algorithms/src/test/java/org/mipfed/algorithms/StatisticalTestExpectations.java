package org.mipfed.algorithms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.mipfed.algorithms.ExpectedResults.assertClose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mipfed.algorithms.ExpectedResults.Tolerance;

/**
 * The comparisons Exareme2's validation tests make for the t-tests and the analyses of variance (see
 * VALIDATION.md), kept apart from {@link ExpectedResults} so that file stays small.
 */
public final class StatisticalTestExpectations {
    /** The t-tests' tolerance upstream. */
    public static final Tolerance T_TESTS = new Tolerance(1e-8, 1e-10);
    /** numpy's isclose defaults, used upstream for the one-way ANOVA table. */
    public static final Tolerance IS_CLOSE = new Tolerance(1e-5, 1e-8);

    public static final Tolerance TUKEY = new Tolerance(1e-7, 1e-10);
    /**
     * Exareme2's Tukey p-values come from statsmodels' psturng, an interpolation of tables clamped to
     * [0.001, 0.9], not the exact tail this project computes; they agree within this absolute
     * difference (the worst seen is 0.04, with 30 levels), and the clamped ones only bound the tail.
     */
    public static final double PSTURNG_ACCURACY = 0.05;

    private StatisticalTestExpectations() {}

    public static void assertOneSampleTTestMatches(JsonNode expected, JsonNode actual) {
        assertThat(actual.path("n_obs").asLong())
                .as("n_obs")
                .isEqualTo(expected.path("n_obs").asLong());
        assertClose("t_stat", first(expected, "t_value"), actual.get("t_stat"), T_TESTS);
        assertClose("p", first(expected, "p_value"), actual.get("p"), T_TESTS);
        assertClose("df", first(expected, "df"), actual.get("df"), T_TESTS);
        assertClose("mean_diff", first(expected, "mean_diff"), actual.get("mean_diff"), T_TESTS);
        assertClose("se_diff", first(expected, "se_diff"), actual.get("se_diff"), T_TESTS);
        assertClose(
                "|cohens_d|",
                DoubleNode.valueOf(Math.abs(first(expected, "cohens_d").asDouble())),
                DoubleNode.valueOf(Math.abs(actual.path("cohens_d").asDouble())),
                T_TESTS);
    }

    public static void assertPairedTTestMatches(JsonNode expected, JsonNode actual) {
        assertTwoSampleTTest(expected, actual, T_TESTS);
    }

    /** As paired; upstream allows the p-value an absolute 1e-3 (its df is not the statistic's), pass it here for that. */
    public static void assertIndependentTTestMatches(JsonNode expected, JsonNode actual, Tolerance pValue) {
        assertTwoSampleTTest(expected, actual, pValue);
    }

    private static void assertTwoSampleTTest(JsonNode expected, JsonNode actual, Tolerance pValue) {
        assertClose("t_stat", first(expected, "statistic"), actual.get("t_stat"), T_TESTS);
        assertClose("p", first(expected, "p_value"), actual.get("p"), pValue);
        assertClose("df", first(expected, "df"), actual.get("df"), T_TESTS);
        assertClose("mean_diff", first(expected, "mean_diff"), actual.get("mean_diff"), T_TESTS);
        assertClose("se_diff", first(expected, "se_difference"), actual.get("se_diff"), T_TESTS);
        assertClose("cohens_d", first(expected, "cohens_d"), actual.get("cohens_d"), T_TESTS);
    }

    /**
     * The table has exactly the expected keys (plus x_label and y_label), each close; Tukey pairs are
     * matched in either order (a swapped pair flips diff and t_stat), with p_tuckey held to
     * {@link #PSTURNG_ACCURACY} or, where upstream clamped it, to the side of the clamp.
     */
    public static void assertOneWayAnovaMatches(JsonNode expected, JsonNode actual) {
        JsonNode table = actual.path("anova_table");
        Set<String> keys = new HashSet<>();
        table.fieldNames().forEachRemaining(keys::add);
        keys.remove("x_label");
        keys.remove("y_label");
        Set<String> expectedKeys = new HashSet<>();
        expected.fieldNames().forEachRemaining(expectedKeys::add);
        expectedKeys.remove("tuckey_test");
        assertThat(keys).as("anova_table keys").isEqualTo(expectedKeys);
        for (String key : expectedKeys) {
            assertClose("anova_table." + key, expected.get(key), table.get(key), IS_CLOSE);
        }
        JsonNode pairs = actual.path("tuckey_test");
        assertThat(pairs.size())
                .as("Tukey pairs")
                .isEqualTo(expected.path("tuckey_test").size());
        for (JsonNode pair : expected.path("tuckey_test")) {
            String a = pair.path("groupA").asText();
            String b = pair.path("groupB").asText();
            JsonNode match = null;
            boolean swapped = false;
            for (JsonNode candidate : pairs) {
                if (candidate.path("groupA").asText().equals(a)
                        && candidate.path("groupB").asText().equals(b)) {
                    match = candidate;
                } else if (candidate.path("groupA").asText().equals(b)
                        && candidate.path("groupB").asText().equals(a)) {
                    match = candidate;
                    swapped = true;
                }
            }
            if (match == null) {
                fail("Tukey pair " + a + " - " + b + " is missing from " + pairs);
            }
            String where = "tuckey " + a + " - " + b + " ";
            double sign = swapped ? -1 : 1;
            assertClose(where + "meanA", pair.get("meanA"), match.get(swapped ? "meanB" : "meanA"), TUKEY);
            assertClose(where + "meanB", pair.get("meanB"), match.get(swapped ? "meanA" : "meanB"), TUKEY);
            assertClose(
                    where + "diff",
                    pair.get("diff"),
                    DoubleNode.valueOf(sign * match.path("diff").asDouble()),
                    TUKEY);
            assertClose(where + "se", pair.get("se"), match.get("se"), TUKEY);
            assertClose(
                    where + "t_stat",
                    pair.get("t_stat"),
                    DoubleNode.valueOf(sign * match.path("t_stat").asDouble()),
                    TUKEY);
            double p = match.path("p_tuckey").asDouble();
            double e = pair.path("p_tuckey").asDouble();
            if (e == 0.9) {
                assertThat(p)
                        .as(where + "p_tuckey (psturng's 0.9 means at least 0.9)")
                        .isGreaterThanOrEqualTo(0.9);
            } else if (e == 0.001) {
                assertThat(p)
                        .as(where + "p_tuckey (psturng's 0.001 means at most 0.001)")
                        .isLessThanOrEqualTo(0.001);
            } else {
                assertThat(Math.abs(p - e))
                        .as(where + "p_tuckey: expected " + e + ", got " + p)
                        .isLessThanOrEqualTo(PSTURNG_ACCURACY);
            }
        }
    }

    /**
     * Sums of squares of every expected term at the default tolerance; degrees of freedom exactly (R's,
     * which upstream sometimes misses by one and then skips the rest); F and p where ours are not null.
     */
    public static void assertTwoWayAnovaMatches(JsonNode expected, JsonNode actual) {
        List<String> terms = new ArrayList<>();
        actual.path("terms").forEach(t -> terms.add(t.asText()));
        for (Map.Entry<String, JsonNode> entry : expected.path("sum_sq").properties()) {
            String term = entry.getKey();
            int i = terms.indexOf(term);
            assertThat(i).as("term " + term + " in " + terms).isGreaterThanOrEqualTo(0);
            assertClose(
                    "sum_sq " + term, entry.getValue(), actual.path("sum_sq").get(i), ExpectedResults.DEFAULT);
            assertThat(actual.path("df").get(i).asLong())
                    .as("df " + term)
                    .isEqualTo(expected.path("df").path(term).asLong());
            JsonNode f = actual.path("f_stat").get(i);
            if (f != null && !f.isNull()) {
                assertClose("f_stat " + term, expected.path("f_stat").get(term), f, ExpectedResults.DEFAULT);
            }
            JsonNode p = actual.path("f_pvalue").get(i);
            if (p != null && !p.isNull()) {
                assertClose("f_pvalue " + term, expected.path("f_pvalue").get(term), p, ExpectedResults.DEFAULT);
            }
        }
    }

    /** A number, or the first element of a list of one (some expected files wrap scalars). */
    private static JsonNode first(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isArray() ? value.get(0) : value;
    }
}
