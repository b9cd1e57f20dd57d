package org.mipfed.algorithms.naivebayes;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mipfed.algorithms.crossvalidation.CrossValidation;
import org.mipfed.algorithms.spi.AlgorithmResult;

/**
 * What {@code naive_bayes_gaussian_cv} and {@code naive_bayes_categorical_cv} answer, in Exareme2's names.
 *
 * @param confusionMatrix actual class by predicted class, summed over the folds
 * @param classificationSummary per class (one against the rest) and per fold, the figures and the training rows
 */
public record NaiveBayesCvResult(ConfusionMatrix confusionMatrix, ClassificationSummary classificationSummary)
        implements AlgorithmResult {
    public NaiveBayesCvResult {
        requireNonNull(confusionMatrix, "confusionMatrix is null");
        requireNonNull(classificationSummary, "classificationSummary is null");
    }

    /**
     * @param data one row per actual class, one column per predicted class, both in the order of {@code labels}
     * @param labels the classes of the selected rows, in code point order
     */
    public record ConfusionMatrix(List<List<Long>> data, List<String> labels) {
        public ConfusionMatrix {
            data = data.stream().map(List::copyOf).toList();
            labels = List.copyOf(labels);
        }
    }

    /**
     * Each figure keyed by class, in the order of the labels.
     *
     * @param nObs each fold's training rows, keyed "fold0", "fold1"...
     */
    public record ClassificationSummary(
            Map<String, FoldFigures> accuracy,
            Map<String, FoldFigures> precision,
            Map<String, FoldFigures> recall,
            Map<String, FoldFigures> fscore,
            Map<String, Long> nObs) {
        public ClassificationSummary {
            accuracy = ordered(accuracy);
            precision = ordered(precision);
            recall = ordered(recall);
            fscore = ordered(fscore);
            nObs = ordered(nObs);
        }

        /** An unmodifiable copy that keeps the order (Map.copyOf would not). */
        private static <V> Map<String, V> ordered(Map<String, V> values) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(values));
        }
    }

    /**
     * One figure of one class, fold by fold; written as Exareme2 does, keyed "fold0", "fold1"..., then "average" and
     * "stdev" (the sample standard deviation over the folds).
     *
     * @param folds the figure of each fold, in fold order
     */
    public record FoldFigures(List<Double> folds) {
        public FoldFigures {
            folds = List.copyOf(folds);
        }

        /** How Exareme2 writes it. */
        @JsonValue
        public Map<String, Double> byFold() {
            double[] values = folds.stream().mapToDouble(Double::doubleValue).toArray();
            Map<String, Double> out = new LinkedHashMap<>();
            for (int fold = 0; fold < values.length; fold++) {
                out.put("fold" + fold, values[fold]);
            }
            out.put("average", CrossValidation.mean(values));
            out.put("stdev", CrossValidation.stdev(values));
            return out;
        }
    }
}
