package org.mipfed.algorithms.glm;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.mipfed.algorithms.spi.AlgorithmResult;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.JsonTree;
import org.mipfed.algorithms.support.ResultJson;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.algorithms.crossvalidation.CrossValidation;
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
    public AlgorithmResult run(AnalysisInput input, FederationContext federation) {
        return new JsonTree(runJson(input, federation));
    }

    private ObjectNode runJson(AnalysisInput input, FederationContext federation) {
        CrossValidation cv = CrossValidation.of(input);
        GlmColumn response = LogisticRegression.response(NAME, input, "linear_regression_cv");
        String y = response.getVariable();
        String positive = response.getLevel();
        GlmModel model = GlmDesign.build(federation, NAME, input.x(), response, Family.BINOMIAL, Link.LOGIT);
        cv.checkRows(federation, NAME, DesignColumn.newBuilder().setVariable(y).setLevel(positive).build(), model.completeIn());
        List<Double> thresholds = new ArrayList<>();
        thresholds.add(THRESHOLD);
        for (int i = 0; i < ROC_POINTS; i++) {
            thresholds.add(1.0 - (double) i / (ROC_POINTS - 1));
        }
        int k = cv.nSplits();
        long[] train = new long[k];
        double[] accuracy = new double[k];
        double[] precision = new double[k];
        double[] recall = new double[k];
        double[] fscore = new double[k];
        long tp = 0;
        long fp = 0;
        long tn = 0;
        long fn = 0;
        ArrayNode curves = ResultJson.array();
        for (int fold = 0; fold < k; fold++) {
            GlmFit fit;
            try {
                fit = FisherScoring.fit(cv.training(federation, fold), model);
            }
            catch (Problem e) {
                throw cv.inFold(fold, e);
            }
            train[fold] = fit.n();
            List<Double> beta = new ArrayList<>();
            for (double coefficient : fit.coefficients()) {
                beta.add(coefficient);
            }
            long n = 0;
            long positives = 0;
            long[] truePositives = new long[thresholds.size()];
            long[] falsePositives = new long[thresholds.size()];
            for (ModelScoreResult score : cv.score(federation, fold, ModelScoreQuery.newBuilder().addAllCompleteIn(model.completeIn())
                    .setLogistic(LogisticScore.newBuilder().addAllColumns(model.columns()).addAllBeta(beta).setResponse(response)
                            .addAllThresholds(thresholds)))) {
                if (score.getN() == 0) {
                    continue;
                }
                n += score.getN();
                positives += score.getPositives();
                for (int t = 0; t < thresholds.size(); t++) {
                    truePositives[t] += score.getTruePositives(t);
                    falsePositives[t] += score.getFalsePositives(t);
                }
            }
            cv.checkTestRows(n, fold);
            long negatives = n - positives;
            long foldTp = truePositives[0];
            long foldFp = falsePositives[0];
            long foldFn = positives - foldTp;
            long foldTn = negatives - foldFp;
            tp += foldTp;
            fp += foldFp;
            tn += foldTn;
            fn += foldFn;
            accuracy[fold] = CrossValidation.ratio(foldTp + foldTn, n);
            precision[fold] = CrossValidation.ratio(foldTp, foldTp + foldFp);
            recall[fold] = CrossValidation.ratio(foldTp, foldTp + foldFn);
            fscore[fold] = CrossValidation.ratio(2 * precision[fold] * recall[fold], precision[fold] + recall[fold]);
            double[] tpr = new double[ROC_POINTS];
            double[] fpr = new double[ROC_POINTS];
            double auc = 0;
            for (int i = 0; i < ROC_POINTS; i++) {
                tpr[i] = CrossValidation.ratio(truePositives[i + 1], positives);
                // 1 - specificity, as Exareme2 gives it (1 when the fold has no negative rows).
                fpr[i] = negatives == 0 ? 1 : 1 - (double) (negatives - falsePositives[i + 1]) / negatives;
                if (i > 0) {
                    auc += (fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2;
                }
            }
            ObjectNode curve = curves.addObject();
            curve.put("name", "fold_" + fold);
            curve.set("tpr", ResultJson.numbers(tpr));
            curve.set("fpr", ResultJson.numbers(fpr));
            ResultJson.put(curve, "auc", auc);
        }
        List<String> names = new ArrayList<>();
        names.add("Intercept");
        names.addAll(model.names());
        List<String> rowNames = new ArrayList<>();
        for (int fold = 1; fold <= k; fold++) {
            rowNames.add("fold_" + fold);
        }
        rowNames.add("average");
        rowNames.add("stdev");
        ObjectNode summary = ResultJson.object();
        summary.set("row_names", ResultJson.strings(rowNames));
        ArrayNode nObs = summary.putArray("n_obs");
        for (long n : train) {
            nObs.add(n);
        }
        nObs.addNull();
        nObs.addNull();
        summary.set("accuracy", withSummary(accuracy));
        summary.set("precision", withSummary(precision));
        summary.set("recall", withSummary(recall));
        summary.set("fscore", withSummary(fscore));
        ObjectNode out = ResultJson.object();
        out.put("dependent_var", y);
        out.set("indep_vars", ResultJson.strings(names));
        out.set("summary", summary);
        ObjectNode confusion = out.putObject("confusion_matrix");
        confusion.put("tp", tp);
        confusion.put("fp", fp);
        confusion.put("tn", tn);
        confusion.put("fn", fn);
        out.set("roc_curves", curves);
        return out;
    }

    /** The per-fold figures, then their mean and sample standard deviation. */
    private static ArrayNode withSummary(double[] values) {
        double[] out = new double[values.length + 2];
        System.arraycopy(values, 0, out, 0, values.length);
        out[values.length] = CrossValidation.mean(values);
        out[values.length + 1] = CrossValidation.stdev(values);
        return ResultJson.numbers(out);
    }
}
