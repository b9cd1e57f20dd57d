package org.mipfed.algorithms;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * What Exareme2's validation suite checks of a cross-validation result (range and shape; its folds are
 * not ours), and what the folds guarantee besides: the test folds hold every row once, so the rows a
 * fold is trained on and the rows it is tested on add up to the same total in every fold.
 */
public final class CrossValidationChecks {
    private CrossValidationChecks() {}

    /** Checks {@code result} of {@code algorithm} for the request {@code input} (Exareme2's case input). */
    public static void check(String algorithm, JsonNode input, JsonNode result) {
        int k = input.path("parameters").path("n_splits").asInt(5);
        switch (algorithm) {
            case "linear_regression_cv" -> linear(input, result, k);
            case "logistic_regression_cv" -> logistic(input, result, k);
            case "naive_bayes_gaussian_cv", "naive_bayes_categorical_cv" -> naiveBayes(result, k);
            default -> throw new IllegalArgumentException(algorithm);
        }
    }

    private static void linear(JsonNode input, JsonNode result, int k) {
        assertThat(result.path("dependent_var").asText())
                .isEqualTo(input.path("inputdata").path("y").get(0).asText());
        assertThat(result.path("indep_vars").get(0).asText()).isEqualTo("Intercept");
        assertThat(result.path("n_obs")).hasSize(k);
        long total = result.path("n_obs").get(0).asLong()
                + result.path("folds").path("n_obs_test").get(0).asLong();
        long tested = 0;
        for (int f = 0; f < k; f++) {
            long train = result.path("n_obs").get(f).asLong();
            long test = result.path("folds").path("n_obs_test").get(f).asLong();
            assertThat(train).isPositive();
            assertThat(test).isPositive();
            assertThat(train + test).as("training and test rows of fold %d", f).isEqualTo(total);
            tested += test;
            assertThat(result.path("folds").path("mean_sq_error").get(f).asDouble())
                    .isGreaterThanOrEqualTo(0);
            assertThat(result.path("folds").path("mean_abs_error").get(f).asDouble())
                    .isGreaterThanOrEqualTo(0);
            assertThat(result.path("folds").path("r_squared").get(f).asDouble()).isLessThanOrEqualTo(1);
        }
        assertThat(tested).as("test folds cover every row once").isEqualTo(total);
        for (String field : new String[] {"mean_sq_error", "mean_abs_error", "r_squared"}) {
            JsonNode stats = result.path(field);
            assertThat(stats).as(field).hasSize(2);
            assertThat(stats.get(1).asDouble()).as(field + " std").isGreaterThanOrEqualTo(0);
            if (!field.equals("r_squared")) {
                assertThat(stats.get(0).asDouble()).as(field + " mean").isGreaterThanOrEqualTo(0);
            }
        }
    }

    private static void logistic(JsonNode input, JsonNode result, int k) {
        assertThat(result.path("dependent_var").asText())
                .isEqualTo(input.path("inputdata").path("y").get(0).asText());
        JsonNode summary = result.path("summary");
        assertThat(summary.path("row_names")).hasSize(k + 2);
        long trained = 0;
        for (int f = 0; f < k; f++) {
            assertThat(summary.path("n_obs").get(f).asLong()).isPositive();
            trained += summary.path("n_obs").get(f).asLong();
        }
        assertThat(summary.path("n_obs").get(k).isNull()).isTrue();
        for (String metric : new String[] {"accuracy", "precision", "recall", "fscore"}) {
            assertThat(summary.path(metric)).as(metric).hasSize(k + 2);
            for (int i = 0; i <= k; i++) {
                assertThat(summary.path(metric).get(i).asDouble()).as(metric).isBetween(0.0, 1.0);
            }
            assertThat(summary.path(metric).get(k + 1).asDouble())
                    .as(metric + " stdev")
                    .isGreaterThanOrEqualTo(0);
        }
        JsonNode confusion = result.path("confusion_matrix");
        long entries = 0;
        for (String cell : new String[] {"tp", "fp", "tn", "fn"}) {
            assertThat(confusion.path(cell).asLong()).as(cell).isGreaterThanOrEqualTo(0);
            entries += confusion.path(cell).asLong();
        }
        // Each row is tested once and trained on k - 1 times.
        assertThat(entries * (k - 1))
                .as("confusion entries against training rows")
                .isEqualTo(trained);
        assertThat(result.path("roc_curves")).hasSize(k);
        for (JsonNode curve : result.path("roc_curves")) {
            assertThat(curve.path("auc").asDouble()).isBetween(0.0, 1.0);
            for (String rate : new String[] {"tpr", "fpr"}) {
                assertThat(curve.path(rate)).hasSize(200);
                curve.path(rate).forEach(v -> assertThat(v.asDouble()).isBetween(0.0, 1.0));
            }
        }
    }

    private static void naiveBayes(JsonNode result, int k) {
        JsonNode confusion = result.path("confusion_matrix");
        int labels = confusion.path("labels").size();
        assertThat(labels).isPositive();
        assertThat(confusion.path("data")).hasSize(labels);
        long entries = 0;
        for (JsonNode row : confusion.path("data")) {
            assertThat(row).hasSize(labels);
            for (JsonNode cell : row) {
                assertThat(cell.asLong()).isGreaterThanOrEqualTo(0);
                entries += cell.asLong();
            }
        }
        JsonNode summary = result.path("classification_summary");
        long trained = 0;
        assertThat(summary.path("n_obs")).hasSize(k);
        for (JsonNode n : summary.path("n_obs")) {
            assertThat(n.asLong()).isPositive();
            trained += n.asLong();
        }
        // Rows of a class absent from their fold's training rows are in no cell, as in Exareme2.
        assertThat(entries * (k - 1)).isPositive().isLessThanOrEqualTo(trained);
        for (String metric : new String[] {"accuracy", "precision", "recall", "fscore"}) {
            assertThat(summary.path(metric)).as(metric).hasSize(labels);
            for (Iterator<Map.Entry<String, JsonNode>> it =
                            summary.path(metric).properties().iterator();
                    it.hasNext(); ) {
                Map.Entry<String, JsonNode> perClass = it.next();
                assertThat(perClass.getValue()).hasSize(k + 2);
                perClass.getValue()
                        .properties()
                        .forEach(e -> assertThat(e.getValue().asDouble())
                                .as(metric + " of " + perClass.getKey() + " in " + e.getKey())
                                .isBetween(0.0, 1.0));
            }
        }
    }

    /** Two results agree: same shape, same texts, numbers within {@code tolerance}. */
    public static void assertSame(
            String where, JsonNode expected, JsonNode actual, ExpectedResults.Tolerance tolerance) {
        if (expected.isObject()) {
            assertThat(actual.isObject()).as(where).isTrue();
            assertThat(actual.size()).as(where + " fields").isEqualTo(expected.size());
            expected.properties()
                    .forEach(
                            e -> assertSame(where + "." + e.getKey(), e.getValue(), actual.get(e.getKey()), tolerance));
        } else if (expected.isArray()) {
            assertThat(actual.size()).as(where + " length").isEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertSame(where + "[" + i + "]", expected.get(i), actual.get(i), tolerance);
            }
        } else if (expected.isNumber()) {
            ExpectedResults.assertClose(where, expected, actual, tolerance);
        } else {
            assertThat(actual).as(where).isEqualTo(expected);
        }
    }
}
