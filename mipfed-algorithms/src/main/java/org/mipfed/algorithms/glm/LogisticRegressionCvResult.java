package org.mipfed.algorithms.glm;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.mipfed.algorithms.crossvalidation.ClassificationMetrics;
import org.mipfed.algorithms.crossvalidation.ConfusionCounts;
import org.mipfed.algorithms.crossvalidation.CrossValidation;
import org.mipfed.algorithms.spi.AlgorithmResult;

/**
 * What {@code logistic_regression_cv} answers, in Exareme2's names.
 *
 * @param dependentVar y
 * @param indepVars "Intercept", then the regressors (numerical covariates and dummy levels)
 * @param summary the figures per fold and over the folds, as a table
 * @param confusionMatrix the confusion counts at the threshold 0.5, summed over the folds
 * @param rocCurves one ROC curve per fold, on each fold's test rows
 */
public record LogisticRegressionCvResult(
        String dependentVar,
        List<String> indepVars,
        Summary summary,
        ConfusionCounts confusionMatrix,
        List<RocCurve> rocCurves)
        implements AlgorithmResult {
    public LogisticRegressionCvResult {
        requireNonNull(dependentVar, "dependentVar is null");
        indepVars = List.copyOf(indepVars);
        requireNonNull(summary, "summary is null");
        requireNonNull(confusionMatrix, "confusionMatrix is null");
        rocCurves = List.copyOf(rocCurves);
    }

    /**
     * A table in columns, as Exareme2 gives it: one row per fold ("fold_1"...), then "average" and "stdev".
     *
     * @param rowNames the rows' names
     * @param nObs each fold's training rows, then null for the average and stdev rows
     * @param accuracy per fold, then the mean and sample standard deviation over folds; likewise the figures below
     */
    public record Summary(
            List<String> rowNames,
            List<Long> nObs,
            List<Double> accuracy,
            List<Double> precision,
            List<Double> recall,
            List<Double> fscore) {
        public Summary {
            rowNames = List.copyOf(rowNames);
            // Not List.copyOf: the average and stdev rows have no count, written as null.
            nObs = Collections.unmodifiableList(new ArrayList<>(nObs));
            accuracy = List.copyOf(accuracy);
            precision = List.copyOf(precision);
            recall = List.copyOf(recall);
            fscore = List.copyOf(fscore);
        }

        /** The table of these folds' training rows and figures, in fold order. */
        static Summary of(List<Long> train, List<ClassificationMetrics> folds) {
            List<String> rowNames = new ArrayList<>();
            for (int fold = 1; fold <= folds.size(); fold++) {
                rowNames.add("fold_" + fold);
            }
            rowNames.add("average");
            rowNames.add("stdev");
            List<Long> nObs = new ArrayList<>(train);
            nObs.add(null);
            nObs.add(null);
            return new Summary(
                    rowNames,
                    nObs,
                    withSummary(folds.stream()
                            .mapToDouble(ClassificationMetrics::accuracy)
                            .toArray()),
                    withSummary(folds.stream()
                            .mapToDouble(ClassificationMetrics::precision)
                            .toArray()),
                    withSummary(folds.stream()
                            .mapToDouble(ClassificationMetrics::recall)
                            .toArray()),
                    withSummary(folds.stream()
                            .mapToDouble(ClassificationMetrics::fscore)
                            .toArray()));
        }

        /** The per-fold figures, then their mean and sample standard deviation. */
        private static List<Double> withSummary(double[] values) {
            List<Double> out = new ArrayList<>();
            for (double value : values) {
                out.add(value);
            }
            out.add(CrossValidation.mean(values));
            out.add(CrossValidation.stdev(values));
            return out;
        }
    }

    /**
     * One fold's ROC curve at Exareme2's 200 thresholds from 1 down to 0.
     *
     * @param name "fold_0", "fold_1"... (numbered from 0, unlike the summary's rows, as Exareme2 does)
     * @param tpr the true positive rate at each threshold
     * @param fpr the false positive rate (1 - specificity) at each threshold
     * @param auc the trapezoidal area under the curve
     */
    public record RocCurve(String name, List<Double> tpr, List<Double> fpr, double auc) {
        public RocCurve {
            requireNonNull(name, "name is null");
            tpr = List.copyOf(tpr);
            fpr = List.copyOf(fpr);
        }
    }
}
