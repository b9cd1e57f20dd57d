package org.mipfed.algorithms.naivebayes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import org.mipfed.algorithms.crossvalidation.ClassificationMetrics;
import org.mipfed.algorithms.crossvalidation.ConfusionCounts;
import org.mipfed.algorithms.crossvalidation.CrossValidation;
import org.mipfed.algorithms.naivebayes.NaiveBayesCvResult.ClassificationSummary;
import org.mipfed.algorithms.naivebayes.NaiveBayesCvResult.ConfusionMatrix;
import org.mipfed.algorithms.naivebayes.NaiveBayesCvResult.FoldFigures;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
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
    abstract NaiveBayesScore.Builder model(
            DataModel model, String y, List<String> x, ClassStatistics statistics, int fold, int nSplits);

    /** Asks for the class statistics this classifier needs. */
    abstract ClassStatistics statistics(FederationContext training, String y, List<String> x, List<String> completeIn);

    @Override
    public NaiveBayesCvResult run(AnalysisInput input, FederationContext federation) {
        CrossValidation cv = CrossValidation.of(input);
        Cde yCde = check(input);
        String y = input.y().get(0);
        List<String> completeIn = new ArrayList<>(input.y());
        completeIn.addAll(input.x());
        String anyLevel = yCde.enumerations().keySet().iterator().next();
        cv.checkRows(
                federation,
                name(),
                DesignColumn.newBuilder().setVariable(y).setLevel(anyLevel).build(),
                completeIn);
        List<FoldOutcome> folds = new ArrayList<>();
        for (int fold = 0; fold < cv.nSplits(); fold++) {
            folds.add(fold(input, federation, cv, fold, completeIn));
        }
        TreeSet<String> labels = new TreeSet<>();
        folds.forEach(fold -> labels.addAll(fold.classes()));
        return result(new ArrayList<>(labels), folds);
    }

    /** Refuses a request this classifier cannot answer; returns the class variable. */
    private Cde check(AnalysisInput input) {
        DataModel model = input.dataModel();
        if (input.y().size() != 1) {
            throw Problem.badRequest(name() + " takes exactly one dependent variable (y), not "
                    + input.y().size());
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
        return yCde;
    }

    /** One round: the classifier fitted on every fold but {@code fold}, and its confusion matrix on {@code fold}. */
    private FoldOutcome fold(
            AnalysisInput input, FederationContext federation, CrossValidation cv, int fold, List<String> completeIn) {
        String y = input.y().get(0);
        ClassStatistics statistics = statistics(cv.training(federation, fold), y, input.x(), completeIn);
        if (statistics.n() == 0) {
            throw Problem.badRequest("Fold " + (fold + 1) + " of " + cv.nSplits()
                    + " has no training rows; lower 'n_splits' or add datasets");
        }
        NaiveBayesScore.Builder fitted = model(input.dataModel(), y, input.x(), statistics, fold, cv.nSplits());
        List<String> classes = fitted.getClassesList();
        long[] confusion = new long[classes.size() * classes.size()];
        long n = 0;
        for (ModelScoreResult score : cv.score(
                federation,
                fold,
                ModelScoreQuery.newBuilder().addAllCompleteIn(completeIn).setNaiveBayes(fitted))) {
            if (score.getN() == 0) {
                continue;
            }
            n += score.getN();
            for (int i = 0; i < confusion.length; i++) {
                confusion[i] += score.getConfusion(i);
            }
        }
        cv.checkTestRows(n, fold);
        return new FoldOutcome(statistics.n(), List.copyOf(classes), confusion);
    }

    /** The confusion matrices over all labels, summed, and each class's figures fold by fold. */
    private static NaiveBayesCvResult result(List<String> labels, List<FoldOutcome> folds) {
        int l = labels.size();
        long[][] total = new long[l][l];
        // perClass.get(c).get(fold): class c against the rest on that fold's test rows.
        List<List<ClassificationMetrics>> perClass = new ArrayList<>();
        labels.forEach(label -> perClass.add(new ArrayList<>()));
        Map<String, Long> nObs = new LinkedHashMap<>();
        for (int fold = 0; fold < folds.size(); fold++) {
            long[][] matrix = folds.get(fold).over(labels);
            long all = 0;
            for (int a = 0; a < l; a++) {
                for (int p = 0; p < l; p++) {
                    total[a][p] += matrix[a][p];
                    all += matrix[a][p];
                }
            }
            for (int c = 0; c < l; c++) {
                perClass.get(c).add(oneAgainstTheRest(matrix, c, all).metrics());
            }
            nObs.put("fold" + fold, folds.get(fold).train());
        }
        List<List<Long>> data = new ArrayList<>();
        for (long[] row : total) {
            data.add(Arrays.stream(row).boxed().toList());
        }
        return new NaiveBayesCvResult(
                new ConfusionMatrix(data, labels),
                new ClassificationSummary(
                        byClass(labels, perClass, ClassificationMetrics::accuracy),
                        byClass(labels, perClass, ClassificationMetrics::precision),
                        byClass(labels, perClass, ClassificationMetrics::recall),
                        byClass(labels, perClass, ClassificationMetrics::fscore),
                        nObs));
    }

    /** Class {@code c} as the positive class of a binary classifier, the others as the negative one. */
    private static ConfusionCounts oneAgainstTheRest(long[][] matrix, int c, long all) {
        long tp = matrix[c][c];
        long fn = -tp;
        long fp = -tp;
        for (int o = 0; o < matrix.length; o++) {
            fn += matrix[c][o];
            fp += matrix[o][c];
        }
        return new ConfusionCounts(tp, fp, all - tp - fn - fp, fn);
    }

    private static Map<String, FoldFigures> byClass(
            List<String> labels,
            List<List<ClassificationMetrics>> perClass,
            ToDoubleFunction<ClassificationMetrics> figure) {
        Map<String, FoldFigures> out = new LinkedHashMap<>();
        for (int c = 0; c < labels.size(); c++) {
            out.put(
                    labels.get(c),
                    new FoldFigures(
                            perClass.get(c).stream().map(figure::applyAsDouble).toList()));
        }
        return out;
    }

    /**
     * One fold's round.
     *
     * @param train the rows the classifier was fitted on
     * @param classes the classes it knows (those of its training rows), in code point order
     * @param confusion its confusion matrix on the fold's test rows, actual by predicted over {@code classes}, row by row
     */
    private record FoldOutcome(long train, List<String> classes, long[] confusion) {
        /** The confusion matrix over {@code labels}, a superset of this fold's classes; zero where a class was unknown. */
        long[][] over(List<String> labels) {
            int k = classes.size();
            long[][] matrix = new long[labels.size()][labels.size()];
            for (int a = 0; a < k; a++) {
                for (int p = 0; p < k; p++) {
                    matrix[labels.indexOf(classes.get(a))][labels.indexOf(classes.get(p))] += confusion[a * k + p];
                }
            }
            return matrix;
        }
    }
}
