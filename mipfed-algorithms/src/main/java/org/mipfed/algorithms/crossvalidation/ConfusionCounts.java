package org.mipfed.algorithms.crossvalidation;

/**
 * A binary classifier's confusion counts on some test rows (for several classes: one class against the rest). Counts
 * add up exactly over nodes and folds, so the figures derived from them are those of the pooled rows. Written as
 * Exareme2's {@code confusion_matrix} of {@code logistic_regression_cv}.
 *
 * @param tp positive rows predicted positive
 * @param fp negative rows predicted positive
 * @param tn negative rows predicted negative
 * @param fn positive rows predicted negative
 */
public record ConfusionCounts(long tp, long fp, long tn, long fn) {
    public static final ConfusionCounts NONE = new ConfusionCounts(0, 0, 0, 0);

    /** The counts of both sets of rows together. */
    public ConfusionCounts plus(ConfusionCounts other) {
        return new ConfusionCounts(tp + other.tp, fp + other.fp, tn + other.tn, fn + other.fn);
    }

    /** Accuracy, precision, recall and F-score of these counts. */
    public ClassificationMetrics metrics() {
        return ClassificationMetrics.of(this);
    }
}
