package org.mipfed.algorithms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.mipfed.core.json.Json;

/**
 * Exareme2's validation suite (its {@code *_expected.json} files) and the comparisons its tests make,
 * so the same checks run against the in-memory federation here and a real one elsewhere.
 *
 * <p>Numbers match when |actual - expected| <= atol + rtol |expected| (numpy's assert_allclose), by
 * default with Exareme2's rtol 1e-6 and atol 1e-9. Integers and names must be equal.
 */
public final class ExpectedResults {
    /** Each case on 3, 1 and 5 nodes: the arguments (case, nodes) of a parameterized validation test. */
    public static Stream<Arguments> onOneThreeFiveNodes(List<Case> cases) {
        return Stream.of(3, 1, 5).flatMap(nodes -> cases.stream().map(c -> Arguments.of(c, nodes)));
    }

    /** Where the expected files are, relative to a module directory of the project. */
    public static final Path EXPECTED_DIR =
            Path.of("..", "mipfed-testing", "src", "test", "resources", "exareme2", "expected");

    public static final Tolerance DEFAULT = new Tolerance(1e-6, 1e-9);

    private ExpectedResults() {}

    /** A numpy-style tolerance. */
    public record Tolerance(double rtol, double atol) {
        boolean close(double expected, double actual) {
            if (Double.isNaN(expected) || Double.isNaN(actual)) {
                return Double.isNaN(expected) && Double.isNaN(actual);
            }
            if (expected == actual) {
                return true;
            }
            return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
        }
    }

    /**
     * One test case: the request body ({@code inputdata}, {@code parameters}) and the expected result.
     *
     * @param number the case's {@code test_case_num}, or its position in the file when it has none
     */
    public record Case(int number, JsonNode input, JsonNode output) {
        @Override
        public String toString() {
            return "case " + number;
        }
    }

    /** {@code <EXPECTED_DIR>/<algorithm>_expected.json}, resolved against the current directory. */
    public static Path expectedFile(String algorithm) {
        return EXPECTED_DIR.resolve(algorithm + "_expected.json");
    }

    public static List<Case> load(Path file) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file.toAbsolutePath(), e);
        }
        List<Case> cases = new ArrayList<>();
        JsonNode list = root.path("test_cases");
        for (int i = 0; i < list.size(); i++) {
            JsonNode testCase = list.get(i);
            JsonNode number = testCase.has("test_case_num")
                    ? testCase.get("test_case_num")
                    : testCase.path("input").get("test_case_num");
            cases.add(new Case(
                    number != null && number.canConvertToInt() ? number.asInt() : i,
                    testCase.get("input"),
                    testCase.get("output")));
        }
        return cases;
    }

    /** Exareme2's linear regression check, at its default tolerance. */
    public static void assertLinearRegressionMatches(JsonNode expected, JsonNode actual) {
        assertLinearRegressionMatches(expected, actual, DEFAULT);
    }

    public static void assertLinearRegressionMatches(JsonNode expected, JsonNode actual, Tolerance tolerance) {
        assertThat(actual.path("dependent_var").asText())
                .as("dependent_var")
                .isEqualTo(expected.path("dependent_var").asText());
        assertThat(texts(actual.path("indep_vars"))).as("indep_vars").isEqualTo(texts(expected.path("indep_vars")));
        for (String field : List.of("n_obs", "df_resid", "df_model")) {
            assertThat(number(actual, field)).as(field).isEqualTo(number(expected, field));
        }
        for (String field : List.of(
                "coefficients",
                "std_err",
                "t_stats",
                "pvalues",
                "lower_ci",
                "upper_ci",
                "rse",
                "r_squared",
                "r_squared_adjusted",
                "f_stat",
                "f_pvalue")) {
            assertClose(field, expected.get(field), actual.get(field), tolerance);
        }
    }

    /**
     * Exareme2's logistic regression check, under {@code result["summary"]}: counts exact; aic, bic, ll,
     * ll0, r_squared_mcf and coefficients at the default tolerance; the Wald statistics at rtol 1e-5,
     * atol 1e-5.
     */
    public static void assertLogisticRegressionMatches(JsonNode expected, JsonNode actual) {
        JsonNode summary = actual.path("summary");
        for (String field : List.of("n_obs", "df_model", "df_resid")) {
            assertThat(number(summary, field)).as(field).isEqualTo(number(expected, field));
        }
        for (String field : List.of("aic", "bic", "ll", "ll0", "r_squared_mcf", "coefficients")) {
            assertClose(field, expected.get(field), summary.get(field), DEFAULT);
        }
        for (String field : List.of("stderr", "z_scores", "pvalues", "lower_ci", "upper_ci")) {
            assertClose(field, expected.get(field), summary.get(field), new Tolerance(1e-5, 1e-5));
        }
    }

    /** Exareme2's descriptive statistics check, at its default tolerance. */
    public static void assertDescriptiveStatsMatches(JsonNode expected, JsonNode actual) {
        assertDescriptiveStatsMatches(expected, actual, DEFAULT);
    }

    /**
     * Records are sorted by variable + dataset on both sides and must pair up one to one; data must be
     * null on both sides or on neither; counts are exact; mean, min, max at the tolerance; std when
     * both are non-null; q1..q3 present on both sides or absent on both, and close when present.
     */
    public static void assertDescriptiveStatsMatches(JsonNode expected, JsonNode actual, Tolerance tolerance) {
        for (String group : List.of("variable_based", "model_based")) {
            List<JsonNode> exp = sortedRecords(expected.path(group));
            List<JsonNode> act = sortedRecords(actual.path(group));
            assertThat(keys(act)).as(group + " records (variable / dataset)").isEqualTo(keys(exp));
            for (int i = 0; i < exp.size(); i++) {
                String where = group + " " + exp.get(i).path("variable").asText() + " / "
                        + exp.get(i).path("dataset").asText();
                compareData(where, exp.get(i).get("data"), act.get(i).get("data"), tolerance);
            }
        }
    }

    /**
     * Exareme2's multiple histograms check: {@code result["histogram"] == expected["histogram"]} as
     * Python compares them, so numbers by value (191 equals 191.0; bin edges bit for bit), nulls as
     * nulls, lists and objects element by element.
     */
    public static void assertMultipleHistogramsMatches(JsonNode expected, JsonNode actual) {
        assertSameJson("histogram", expected.path("histogram"), actual.path("histogram"));
    }

    private static void assertSameJson(String where, JsonNode expected, JsonNode actual) {
        if (expected.isNumber() && actual.isNumber()) {
            assertThat(actual.doubleValue()).as(where).isEqualTo(expected.doubleValue());
            return;
        }
        if (!expected.isContainerNode() || actual.getNodeType() != expected.getNodeType()) {
            assertThat(actual).as(where).isEqualTo(expected);
            return;
        }
        assertThat(actual.size())
                .as(where + " size (expected " + expected + ", got " + actual + ")")
                .isEqualTo(expected.size());
        if (expected.isArray()) {
            for (int i = 0; i < expected.size(); i++) {
                assertSameJson(where + "[" + i + "]", expected.get(i), actual.get(i));
            }
            return;
        }
        for (Map.Entry<String, JsonNode> field : expected.properties()) {
            assertSameJson(where + "." + field.getKey(), field.getValue(), actual.path(field.getKey()));
        }
    }

    /**
     * Exareme2's k-means check: {@code centers} at rtol 1e-7, atol 1e-10, in order (mipfed draws the
     * initial centres as Exareme2 does, so the clusters come out in the same order).
     */
    public static void assertKmeansMatches(JsonNode expected, JsonNode actual) {
        assertClose("centers", expected.get("centers"), actual.get("centers"), new Tolerance(1e-7, 1e-10));
    }

    private static void compareData(String where, JsonNode expected, JsonNode actual, Tolerance tolerance) {
        boolean expectedNull = expected == null || expected.isNull();
        boolean actualNull = actual == null || actual.isNull();
        if (expectedNull || actualNull) {
            assertThat(actualNull)
                    .as(where + ": data is null in one and not the other: expected " + expected + ", got " + actual)
                    .isEqualTo(expectedNull);
            return;
        }
        for (String field : List.of("num_dtps", "num_na", "num_total")) {
            assertThat(number(actual, field)).as(where + " " + field).isEqualTo(number(expected, field));
        }
        if (expected.has("counts")) {
            assertThat(counts(actual.path("counts"))).as(where + " counts").isEqualTo(counts(expected.get("counts")));
            return;
        }
        assertClose(where + " mean", expected.get("mean"), actual.get("mean"), tolerance);
        if (present(expected.get("std")) && present(actual.get("std"))) {
            assertClose(where + " std", expected.get("std"), actual.get("std"), tolerance);
        }
        assertClose(where + " min", expected.get("min"), actual.get("min"), tolerance);
        assertClose(where + " max", expected.get("max"), actual.get("max"), tolerance);
        for (String q : List.of("q1", "q2", "q3")) {
            boolean e = present(expected.get(q));
            assertThat(present(actual.get(q)))
                    .as(where + " " + q + " present: expected " + expected.get(q) + ", got " + actual.get(q))
                    .isEqualTo(e);
            if (e) {
                assertClose(where + " " + q, expected.get(q), actual.get(q), tolerance);
            }
        }
    }

    /** Exareme2's PCA check (pca and pca_with_transformation): the same n, eigenvalues, and eigenvectors up to sign. */
    public static void assertPcaMatches(JsonNode expected, JsonNode actual) {
        assertThat(expected.has("errors"))
                .as("the case expects a refusal (" + expected.get("errors") + "), not a result")
                .isFalse();
        Tolerance tolerance = new Tolerance(1e-7, 1e-10);
        assertThat(number(actual, "n_obs")).as("n_obs").isEqualTo(number(expected, "n_obs"));
        assertClose("eigenvalues", expected.get("eigen_vals"), actual.get("eigenvalues"), tolerance);
        JsonNode vectors = expected.path("eigen_vecs");
        assertThat(actual.path("eigenvectors").size()).as("eigenvectors").isEqualTo(vectors.size());
        for (int k = 0; k < vectors.size(); k++) {
            JsonNode e = vectors.get(k);
            JsonNode a = actual.path("eigenvectors").get(k);
            assertThat(a.size()).as("eigenvectors[" + k + "] length").isEqualTo(e.size());
            double dot = 0;
            double ee = 0;
            double aa = 0;
            for (int i = 0; i < e.size(); i++) {
                dot += e.get(i).asDouble() * a.get(i).asDouble();
                ee += e.get(i).asDouble() * e.get(i).asDouble();
                aa += a.get(i).asDouble() * a.get(i).asDouble();
            }
            // Eigenvectors are defined up to sign: they must be collinear, |cosine| = 1.
            double cosine = Math.abs(dot) / (Math.sqrt(ee) * Math.sqrt(aa));
            if (!tolerance.close(1, cosine)) {
                fail("eigenvectors[" + k + "] is not collinear with the expected one: |cosine| = " + cosine);
            }
        }
    }

    /**
     * Exareme2's Pearson check: the same n, and for each variable its correlations, p-values and
     * confidence bounds over the covariates (result {@code p_values}, {@code ci_lo}, {@code ci_hi}
     * against expected {@code p-values}, {@code low_confidence_intervals}, {@code high_confidence_intervals}).
     */
    public static void assertPearsonCorrelationMatches(JsonNode expected, JsonNode actual) {
        Tolerance tolerance = new Tolerance(1e-7, 1e-10);
        assertThat(number(actual, "n_obs")).as("n_obs").isEqualTo(number(expected, "n_obs"));
        Map<String, String> fields = Map.of(
                "correlations",
                "correlations",
                "p_values",
                "p-values",
                "ci_lo",
                "low_confidence_intervals",
                "ci_hi",
                "high_confidence_intervals");
        for (Map.Entry<String, String> field : new TreeMap<>(fields).entrySet()) {
            JsonNode table = expected.path(field.getValue());
            for (Map.Entry<String, JsonNode> row : table.properties()) {
                if (!row.getKey().equals("variables")) {
                    assertClose(
                            field.getKey() + "[" + row.getKey() + "]",
                            row.getValue(),
                            actual.path(field.getKey()).get(row.getKey()),
                            tolerance);
                }
            }
        }
    }

    /** A number or an array of numbers, compared element by element. */
    /**
     * A result against a reference written by R (kaplan_meier.R, glm.R): every field of the reference
     * is in the result; numbers within the tolerance, text and nulls equal, lists and objects element
     * by element. Fields the reference lacks are not checked.
     */
    public static void assertMatchesReference(String where, JsonNode expected, JsonNode actual, Tolerance tolerance) {
        if (expected.isObject()) {
            assertThat(actual != null && actual.isObject())
                    .as(where + " is an object: " + actual)
                    .isTrue();
            for (Map.Entry<String, JsonNode> field : expected.properties()) {
                assertMatchesReference(
                        where + "." + field.getKey(), field.getValue(), actual.get(field.getKey()), tolerance);
            }
        } else if (expected.isArray()) {
            assertThat(actual != null && actual.isArray())
                    .as(where + " is a list: " + actual)
                    .isTrue();
            assertThat(actual.size()).as(where + " length").isEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertMatchesReference(where + "[" + i + "]", expected.get(i), actual.get(i), tolerance);
            }
        } else if (expected.isNumber() || expected.isNull()) {
            assertClose(where, expected, actual, tolerance);
        } else {
            assertThat(actual).as(where).isEqualTo(expected);
        }
    }

    public static void assertClose(String what, JsonNode expected, JsonNode actual, Tolerance tolerance) {
        if (expected == null || expected.isNull()) {
            assertThat(present(actual))
                    .as(what + ": expected null, got " + actual)
                    .isFalse();
            return;
        }
        if (actual == null || actual.isNull()) {
            fail(what + ": expected " + expected + ", got " + actual);
        }
        if (expected.isArray()) {
            assertThat(actual.isArray()).as(what + " is a list").isTrue();
            assertThat(actual.size()).as(what + " length").isEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertClose(what + "[" + i + "]", expected.get(i), actual.get(i), tolerance);
            }
            return;
        }
        double e = expected.asDouble();
        double a = actual.asDouble();
        if (!tolerance.close(e, a)) {
            fail(what + ": expected " + e + ", got " + a + " (difference " + Math.abs(a - e) + ", allowed "
                    + (tolerance.atol() + tolerance.rtol() * Math.abs(e)) + ")");
        }
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !node.isMissingNode();
    }

    private static Double number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asDouble();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(value -> out.add(value.asText()));
        return out;
    }

    private static Map<String, Long> counts(JsonNode counts) {
        Map<String, Long> out = new TreeMap<>();
        for (Map.Entry<String, JsonNode> entry : counts.properties()) {
            out.put(entry.getKey(), entry.getValue().asLong());
        }
        return out;
    }

    private static List<JsonNode> sortedRecords(JsonNode records) {
        List<JsonNode> out = new ArrayList<>();
        records.forEach(out::add);
        // Exareme2 sorts by variable + dataset concatenated; so do we, to pair records the same way.
        out.sort(Comparator.comparing(
                r -> r.path("variable").asText() + r.path("dataset").asText()));
        return out;
    }

    private static List<String> keys(List<JsonNode> records) {
        return records.stream()
                .map(r ->
                        r.path("variable").asText() + " / " + r.path("dataset").asText())
                .toList();
    }
}
