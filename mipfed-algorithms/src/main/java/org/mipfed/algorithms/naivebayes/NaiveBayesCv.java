package org.mipfed.algorithms.naivebayes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.mipfed.algorithms.spi.AlgorithmResult;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.JsonTree;
import org.mipfed.algorithms.support.ResultJson;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.algorithms.crossvalidation.CrossValidation;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.proto.v1.DesignColumn;
import org.mipfed.proto.v1.ModelScoreQuery;
import org.mipfed.proto.v1.ModelScoreResult;
import org.mipfed.proto.v1.NaiveBayesScore;

/**
 * K-fold cross-validation of a naive Bayes classifier, as Exareme2's {@code naive_bayes_*_cv}: per
 * fold the classifier is fitted from the {@code class_summary} of the other folds' rows and its
 * confusion matrix on the fold's rows counted by {@code model_score}; both add up exactly over nodes.
 * The result is the confusion matrix summed over folds (actual class by predicted class, over the
 * classes of the selected rows in code point order) and, per class (one against the rest) and per fold,
 * accuracy, precision, recall and F-score with their average and sample standard deviation, and each
 * fold's training rows.
 */
abstract class NaiveBayesCv extends SpecifiedAlgorithm {
    NaiveBayesCv(String name) {
        super(name);
    }

    /** Whether a covariate's kind suits this classifier; refuses otherwise. */
    abstract void checkFeature(Cde cde);

    /** The fitted model of one fold, to be scored on its test rows. */
    abstract NaiveBayesScore.Builder model(DataModel model, String y, List<String> x, ClassStatistics statistics, int fold, int nSplits);

    /** Asks for the class statistics this classifier needs. */
    abstract ClassStatistics statistics(FederationContext training, String y, List<String> x, List<String> completeIn);

    @Override
    public AlgorithmResult run(AnalysisInput input, FederationContext federation) {
        return new JsonTree(runJson(input, federation));
    }

    private ObjectNode runJson(AnalysisInput input, FederationContext federation) {
        DataModel model = input.dataModel();
        CrossValidation cv = CrossValidation.of(input);
        if (input.y().size() != 1) {
            throw Problem.badRequest(name() + " takes exactly one dependent variable (y), not " + input.y().size());
        }
        String y = input.y().get(0);
        Cde yCde = model.cde(y);
        if (yCde == null || !yCde.categorical()) {
            throw Problem.badRequest(name() + " needs a nominal dependent variable (y), the class; '" + y + "' is "
                    + (yCde == null ? "not in the data model " + model.id() : "not nominal"));
        }
        if (input.x().isEmpty()) {
            throw Problem.badRequest(name() + " needs at least one covariate (x)");
        }
        if (input.x().contains(y)) {
            throw Problem.badRequest("'" + y + "' is both the class (y) and a covariate (x); remove it from x");
        }
        for (String variable : input.x()) {
            Cde cde = model.cde(variable);
            if (cde == null) {
                throw Problem.badRequest("The covariate '" + variable + "' is not in the data model " + model.id());
            }
            checkFeature(cde);
        }
        List<String> completeIn = new ArrayList<>(input.y());
        completeIn.addAll(input.x());
        String anyLevel = yCde.enumerations().keySet().iterator().next();
        cv.checkRows(federation, name(), DesignColumn.newBuilder().setVariable(y).setLevel(anyLevel).build(), completeIn);
        int k = cv.nSplits();
        long[] train = new long[k];
        List<List<String>> foldClasses = new ArrayList<>();
        List<long[]> foldConfusions = new ArrayList<>();
        TreeSet<String> labels = new TreeSet<>();
        for (int fold = 0; fold < k; fold++) {
            ClassStatistics statistics = statistics(cv.training(federation, fold), y, input.x(), completeIn);
            if (statistics.n() == 0) {
                throw Problem.badRequest("Fold " + (fold + 1) + " of " + k + " has no training rows; lower 'n_splits' or add datasets");
            }
            train[fold] = statistics.n();
            NaiveBayesScore.Builder fitted = model(model, y, input.x(), statistics, fold, k);
            List<String> classes = fitted.getClassesList();
            long[] confusion = new long[classes.size() * classes.size()];
            long n = 0;
            for (ModelScoreResult score : cv.score(federation, fold, ModelScoreQuery.newBuilder().addAllCompleteIn(completeIn)
                    .setNaiveBayes(fitted))) {
                if (score.getN() == 0) {
                    continue;
                }
                n += score.getN();
                for (int i = 0; i < confusion.length; i++) {
                    confusion[i] += score.getConfusion(i);
                }
            }
            cv.checkTestRows(n, fold);
            labels.addAll(classes);
            foldClasses.add(classes);
            foldConfusions.add(confusion);
        }
        List<String> labelList = new ArrayList<>(labels);
        int l = labelList.size();
        long[][] total = new long[l][l];
        double[][][] metrics = new double[4][l][k];
        for (int fold = 0; fold < k; fold++) {
            List<String> classes = foldClasses.get(fold);
            long[][] matrix = new long[l][l];
            for (int a = 0; a < classes.size(); a++) {
                for (int p = 0; p < classes.size(); p++) {
                    matrix[labelList.indexOf(classes.get(a))][labelList.indexOf(classes.get(p))] += foldConfusions.get(fold)[a * classes.size() + p];
                }
            }
            long all = 0;
            for (int a = 0; a < l; a++) {
                for (int p = 0; p < l; p++) {
                    total[a][p] += matrix[a][p];
                    all += matrix[a][p];
                }
            }
            for (int c = 0; c < l; c++) {
                long tp = matrix[c][c];
                long fn = -tp;
                long fp = -tp;
                for (int o = 0; o < l; o++) {
                    fn += matrix[c][o];
                    fp += matrix[o][c];
                }
                long tn = all - tp - fn - fp;
                double precision = CrossValidation.ratio(tp, tp + fp);
                double recall = CrossValidation.ratio(tp, tp + fn);
                metrics[0][c][fold] = CrossValidation.ratio(tp + tn, all);
                metrics[1][c][fold] = precision;
                metrics[2][c][fold] = recall;
                metrics[3][c][fold] = CrossValidation.ratio(2 * precision * recall, precision + recall);
            }
        }
        ObjectNode out = ResultJson.object();
        ObjectNode confusion = out.putObject("confusion_matrix");
        ArrayNode data = confusion.putArray("data");
        for (long[] row : total) {
            ArrayNode cells = data.addArray();
            for (long cell : row) {
                cells.add(cell);
            }
        }
        confusion.set("labels", ResultJson.strings(labelList));
        ObjectNode summary = out.putObject("classification_summary");
        String[] names = {"accuracy", "precision", "recall", "fscore"};
        for (int m = 0; m < names.length; m++) {
            ObjectNode metric = summary.putObject(names[m]);
            for (int c = 0; c < l; c++) {
                ObjectNode perClass = metric.putObject(labelList.get(c));
                for (int fold = 0; fold < k; fold++) {
                    ResultJson.put(perClass, "fold" + fold, metrics[m][c][fold]);
                }
                ResultJson.put(perClass, "average", CrossValidation.mean(metrics[m][c]));
                ResultJson.put(perClass, "stdev", CrossValidation.stdev(metrics[m][c]));
            }
        }
        ObjectNode nObs = summary.putObject("n_obs");
        for (int fold = 0; fold < k; fold++) {
            nObs.put("fold" + fold, train[fold]);
        }
        return out;
    }
}
