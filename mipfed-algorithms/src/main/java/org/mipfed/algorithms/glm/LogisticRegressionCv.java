package org.mipfed.algorithms.glm;

import java.util.ArrayList;
import java.util.List;
import org.mipfed.algorithms.crossvalidation.ClassificationMetrics;
import org.mipfed.algorithms.crossvalidation.ConfusionCounts;
import org.mipfed.algorithms.crossvalidation.CrossValidation;
import org.mipfed.algorithms.glm.LogisticRegressionCvResult.RocCurve;
import org.mipfed.algorithms.glm.LogisticRegressionCvResult.Summary;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.core.problem.Problem;
import org.mipfed.proto.v1.DesignColumn;
import org.mipfed.proto.v1.GlmColumn;
import org.mipfed.proto.v1.LogisticScore;
import org.mipfed.proto.v1.ModelScoreQuery;
import org.mipfed.proto.v1.ModelScoreResult;

/**
 * Exareme2's {@code logistic_regression_cv}: k-fold cross-validation of {@code logistic_regression}.
 * The design is built once over all selected rows; per fold the model is fitted on the other folds'
 * rows by {@link FisherScoring} and scored on the fold's rows by {@code model_score}, which counts,
 * per probability threshold, the positive and negative rows predicted positive (p &gt; t). The counts
 * add up over nodes, so the confusion matrices (at 0.5) and the ROC curves (at Exareme2's 200
 * thresholds from 1 to 0) are those of the pooled rows; AUC is the trapezoidal area under them.
 *
 * <p>The summary lists per fold (training rows, accuracy, precision, recall, F-score), then their
 * average and sample standard deviation; the confusion matrix is summed over folds.
 */
public final class LogisticRegressionCv extends SpecifiedAlgorithm {
    public static final String NAME = "logistic_regression_cv";
    /** The classification threshold of the confusion matrices. */
    static final double THRESHOLD = 0.5;
    /** Exareme2's ROC thresholds: numpy.linspace(1, 0, 200). */
    static final int ROC_POINTS = 200;

    public LogisticRegressionCv() {
        super(NAME);
    }

    @Override
    public LogisticRegressionCvResult run(AnalysisInput input, FederationContext federation) {
        CrossValidation cv = CrossValidation.of(input);
        GlmColumn response = LogisticRegression.response(NAME, input, "linear_regression_cv");
        GlmModel model = GlmDesign.build(federation, NAME, input.x(), response, Family.BINOMIAL, Link.LOGIT);
        cv.checkRows(
                federation,
                NAME,
                DesignColumn.newBuilder()
                        .setVariable(response.getVariable())
                        .setLevel(response.getLevel())
                        .build(),
                model.completeIn());
        List<Double> thresholds = thresholds();
        List<Long> train = new ArrayList<>();
        List<ThresholdCounts> folds = new ArrayList<>();
        for (int fold = 0; fold < cv.nSplits(); fold++) {
            GlmFit fit;
            try {
                fit = FisherScoring.fit(cv.training(federation, fold), model);
            } catch (Problem e) {
                throw cv.inFold(fold, e);
            }
            List<Double> beta = new ArrayList<>();
            for (double coefficient : fit.coefficients()) {
                beta.add(coefficient);
            }
            ThresholdCounts counts = ThresholdCounts.add(
                    cv.score(
                            federation,
                            fold,
                            ModelScoreQuery.newBuilder()
                                    .addAllCompleteIn(model.completeIn())
                                    .setLogistic(LogisticScore.newBuilder()
                                            .addAllColumns(model.columns())
                                            .addAllBeta(beta)
                                            .setResponse(response)
                                            .addAllThresholds(thresholds))),
                    thresholds.size());
            cv.checkTestRows(counts.n(), fold);
            train.add(fit.n());
            folds.add(counts);
        }
        return result(response.getVariable(), model, train, folds);
    }

    /** The classification threshold, then Exareme2's ROC thresholds. */
    private static List<Double> thresholds() {
        List<Double> thresholds = new ArrayList<>();
        thresholds.add(THRESHOLD);
        for (int i = 0; i < ROC_POINTS; i++) {
            thresholds.add(1.0 - (double) i / (ROC_POINTS - 1));
        }
        return thresholds;
    }

    private static LogisticRegressionCvResult result(
            String y, GlmModel model, List<Long> train, List<ThresholdCounts> folds) {
        List<String> names = new ArrayList<>();
        names.add("Intercept");
        names.addAll(model.names());
        ConfusionCounts total = ConfusionCounts.NONE;
        List<ClassificationMetrics> metrics = new ArrayList<>();
        List<RocCurve> curves = new ArrayList<>();
        for (int fold = 0; fold < folds.size(); fold++) {
            ConfusionCounts counts = folds.get(fold).atClassificationThreshold();
            total = total.plus(counts);
            metrics.add(counts.metrics());
            curves.add(folds.get(fold).roc("fold_" + fold));
        }
        return new LogisticRegressionCvResult(y, names, Summary.of(train, metrics), total, curves);
    }

    /**
     * One fold's test rows, added over nodes: how many, how many positive, and at each threshold (the classification
     * one first, then the ROC ones) how many positive and negative rows were predicted positive.
     */
    private record ThresholdCounts(long n, long positives, long[] truePositives, long[] falsePositives) {
        static ThresholdCounts add(List<ModelScoreResult> scores, int thresholds) {
            long n = 0;
            long positives = 0;
            long[] truePositives = new long[thresholds];
            long[] falsePositives = new long[thresholds];
            for (ModelScoreResult score : scores) {
                if (score.getN() == 0) {
                    continue;
                }
                n += score.getN();
                positives += score.getPositives();
                for (int t = 0; t < thresholds; t++) {
                    truePositives[t] += score.getTruePositives(t);
                    falsePositives[t] += score.getFalsePositives(t);
                }
            }
            return new ThresholdCounts(n, positives, truePositives, falsePositives);
        }

        ConfusionCounts atClassificationThreshold() {
            long negatives = n - positives;
            return new ConfusionCounts(
                    truePositives[0], falsePositives[0], negatives - falsePositives[0], positives - truePositives[0]);
        }

        RocCurve roc(String name) {
            long negatives = n - positives;
            List<Double> tpr = new ArrayList<>();
            List<Double> fpr = new ArrayList<>();
            double auc = 0;
            for (int i = 0; i < ROC_POINTS; i++) {
                tpr.add(CrossValidation.ratio(truePositives[i + 1], positives));
                // 1 - specificity, as Exareme2 gives it (1 when the fold has no negative rows).
                fpr.add(negatives == 0 ? 1 : 1 - (double) (negatives - falsePositives[i + 1]) / negatives);
                if (i > 0) {
                    auc += (fpr.get(i) - fpr.get(i - 1)) * (tpr.get(i) + tpr.get(i - 1)) / 2;
                }
            }
            return new RocCurve(name, tpr, fpr, auc);
        }
    }
}
