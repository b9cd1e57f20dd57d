package org.mipfed.algorithms;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mipfed.algorithms.ExpectedResults.Case;

/**
 * The results of the t-tests, the analyses of variance and the cross-validated classifiers and regressions keep
 * Exareme2's field names, their order and its encodings (one-sided interval ends as strings, "m-s", camelCase Tukey
 * fields, nulls where a figure does not exist), which the records' snake_case naming alone would not give.
 */
class TestResultNames {
    private static final Algorithms ALGORITHMS = Algorithms.standard();
    private static final InMemoryFederation FEDERATION = InMemoryFederation.dementia(3);

    @Test
    void tTestsWriteAnOpenIntervalEndAsExareme2Does() {
        JsonNode greater = run("ttest_onesample", caseWith("ttest_onesample", "greater"));
        assertThat(names(greater))
                .containsExactly(
                        "n_obs",
                        "t_stat",
                        "df",
                        "std",
                        "p",
                        "mean_diff",
                        "se_diff",
                        "ci_lower",
                        "ci_upper",
                        "cohens_d");
        assertThat(greater.get("ci_lower").isNumber()).isTrue();
        assertThat(greater.get("ci_upper").asText()).isEqualTo("Infinity");
        JsonNode less = run("ttest_paired", caseWith("ttest_paired", "less"));
        assertThat(names(less))
                .containsExactly(
                        "n_obs", "t_stat", "df", "p", "mean_diff", "se_diff", "ci_lower", "ci_upper", "cohens_d");
        assertThat(less.get("ci_lower").asText()).isEqualTo("-Infinity");
        assertThat(less.get("ci_upper").isNumber()).isTrue();
        JsonNode independent = run("ttest_independent", caseWith("ttest_independent", "two-sided"));
        assertThat(names(independent))
                .containsExactly(
                        "n_obs",
                        "t_stat",
                        "df",
                        "welch_df",
                        "p",
                        "mean_diff",
                        "se_diff",
                        "ci_lower",
                        "ci_upper",
                        "cohens_d");
        assertThat(independent.get("df").isIntegralNumber()).isTrue();
    }

    @Test
    void oneWayAnovaKeepsExareme2sSpellings() {
        JsonNode result = run("anova_oneway", first("anova_oneway"));
        assertThat(names(result)).containsExactly("anova_table", "tuckey_test", "min_max_per_group", "ci_info");
        assertThat(names(result.get("anova_table")))
                .containsExactly(
                        "n_obs",
                        "y_label",
                        "x_label",
                        "df_residual",
                        "df_explained",
                        "ss_residual",
                        "ss_explained",
                        "ms_residual",
                        "ms_explained",
                        "p_value",
                        "f_stat");
        assertThat(names(result.get("tuckey_test").get(0)))
                .containsExactly("groupA", "groupB", "meanA", "meanB", "diff", "se", "t_stat", "p_tuckey");
        assertThat(names(result.get("ci_info"))).containsExactly("sample_stds", "means", "m-s", "m+s");
        List<String> levels = new ArrayList<>();
        result.get("min_max_per_group").get("categories").forEach(level -> levels.add(level.asText()));
        assertThat(names(result.get("ci_info").get("means")))
                .as("keyed by level, in level order")
                .isEqualTo(levels);
    }

    @Test
    void twoWayAnovaHasNoStatisticForTheResiduals() {
        JsonNode result = run("anova", first("anova_twoway"));
        assertThat(names(result)).containsExactly("terms", "sum_sq", "df", "f_stat", "f_pvalue", "n_obs", "sstype");
        assertThat(result.get("terms").get(3).asText()).isEqualTo("Residuals");
        assertThat(result.get("f_stat").get(3).isNull()).isTrue();
        assertThat(result.get("f_pvalue").get(3).isNull()).isTrue();
    }

    @Test
    void crossValidatedRegressionsGiveMeanAndStdevAsPairs() {
        JsonNode linear = run("linear_regression_cv", first("linear_regression_cv"));
        assertThat(names(linear))
                .containsExactly(
                        "dependent_var",
                        "indep_vars",
                        "n_obs",
                        "mean_sq_error",
                        "r_squared",
                        "mean_abs_error",
                        "folds");
        assertThat(linear.get("r_squared").size()).isEqualTo(2);
        assertThat(names(linear.get("folds")))
                .containsExactly("n_obs_train", "n_obs_test", "mean_sq_error", "r_squared", "mean_abs_error");

        JsonNode logistic = run("logistic_regression_cv", first("logistic_regression_cv"));
        assertThat(names(logistic))
                .containsExactly("dependent_var", "indep_vars", "summary", "confusion_matrix", "roc_curves");
        JsonNode summary = logistic.get("summary");
        int folds = summary.get("row_names").size() - 2;
        assertThat(summary.get("n_obs").get(folds).isNull())
                .as("no count in the average row")
                .isTrue();
        assertThat(summary.get("n_obs").get(folds + 1).isNull())
                .as("nor in the stdev row")
                .isTrue();
        assertThat(names(logistic.get("confusion_matrix"))).containsExactly("tp", "fp", "tn", "fn");
        assertThat(names(logistic.get("roc_curves").get(0))).containsExactly("name", "tpr", "fpr", "auc");
        assertThat(logistic.get("roc_curves").get(0).get("name").asText()).isEqualTo("fold_0");
    }

    @Test
    void naiveBayesKeysEachFigureByClassThenFold() {
        JsonNode result = run("naive_bayes_gaussian_cv", first("naive_bayes_gauss_cv"));
        assertThat(names(result)).containsExactly("confusion_matrix", "classification_summary");
        assertThat(names(result.get("confusion_matrix"))).containsExactly("data", "labels");
        JsonNode summary = result.get("classification_summary");
        assertThat(names(summary)).containsExactly("accuracy", "precision", "recall", "fscore", "n_obs");
        String label = result.get("confusion_matrix").get("labels").get(0).asText();
        List<String> keys = names(summary.get("fscore").get(label));
        assertThat(keys).startsWith("fold0", "fold1").endsWith("average", "stdev");
        assertThat(names(summary.get("n_obs"))).isEqualTo(keys.subList(0, keys.size() - 2));
    }

    private static JsonNode run(String algorithm, Case testCase) {
        return FEDERATION.run(ALGORITHMS.get(algorithm), testCase.input());
    }

    private static Case first(String file) {
        return ExpectedResults.load(ExpectedResults.expectedFile(file)).get(0);
    }

    private static Case caseWith(String file, String alternative) {
        return ExpectedResults.load(ExpectedResults.expectedFile(file)).stream()
                .filter(c -> c.input()
                        .path("parameters")
                        .path("alt_hypothesis")
                        .asText()
                        .equals(alternative))
                .findFirst()
                .orElseThrow();
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
