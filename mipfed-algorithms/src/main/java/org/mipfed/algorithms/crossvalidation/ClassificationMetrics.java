package org.mipfed.algorithms.crossvalidation;

/**
 * The figures Exareme2's classifiers report for one fold (and one class against the rest): each is 0 where it is
 * undefined (0/0), as Exareme2 and scikit-learn's {@code zero_division=0} give it.
 *
 * @param accuracy (tp + tn) / all rows
 * @param precision tp / (tp + fp)
 * @param recall tp / (tp + fn)
 * @param fscore the harmonic mean of precision and recall
 */
public record ClassificationMetrics(double accuracy, double precision, double recall, double fscore) {
    static ClassificationMetrics of(ConfusionCounts counts) {
        long tp = counts.tp();
        double precision = CrossValidation.ratio(tp, tp + counts.fp());
        double recall = CrossValidation.ratio(tp, tp + counts.fn());
        return new ClassificationMetrics(
                CrossValidation.ratio(tp + counts.tn(), tp + counts.fp() + counts.tn() + counts.fn()),
                precision,
                recall,
                CrossValidation.ratio(2 * precision * recall, precision + recall));
    }
}
