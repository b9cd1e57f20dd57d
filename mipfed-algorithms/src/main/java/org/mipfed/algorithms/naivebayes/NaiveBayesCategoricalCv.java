package org.mipfed.algorithms.naivebayes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.proto.v1.NaiveBayesScore;
import org.mipfed.proto.v1.NominalFeature;

/**
 * Exareme2's {@code naive_bayes_categorical_cv}: nominal features, each categorical within a class,
 * as scikit-learn's CategoricalNB with Laplace smoothing (α = 1) over all of the feature's levels in
 * the data model: P(x = t | c) = (N_tc + 1) / (N_c + levels); priors from the class counts of the
 * training rows.
 */
public final class NaiveBayesCategoricalCv extends NaiveBayesCv {
    public static final String NAME = "naive_bayes_categorical_cv";
    /** The smoothing of the level counts. */
    static final double ALPHA = 1;

    public NaiveBayesCategoricalCv() {
        super(NAME);
    }

    @Override
    void checkFeature(Cde cde) {
        if (!cde.categorical()) {
            throw Problem.badRequest(NAME + " takes nominal covariates only; '" + cde.code()
                    + "' is not nominal (for numerical ones use " + "naive_bayes_gaussian_cv)");
        }
    }

    @Override
    ClassStatistics statistics(FederationContext training, String y, List<String> x, List<String> completeIn) {
        return ClassStatistics.compute(training, y, List.of(), x, completeIn);
    }

    @Override
    NaiveBayesScore.Builder model(
            DataModel model, String y, List<String> x, ClassStatistics statistics, int fold, int nSplits) {
        return fit(model, y, x, statistics);
    }

    /** The fitted classifier: log priors and, per feature, the smoothed log probability of each level in each class. */
    static NaiveBayesScore.Builder fit(DataModel model, String y, List<String> x, ClassStatistics statistics) {
        NaiveBayesScore.Builder fitted = NaiveBayesScore.newBuilder().setResponse(y);
        for (Map.Entry<String, ClassStatistics.Group> entry :
                statistics.classes().entrySet()) {
            fitted.addClasses(entry.getKey())
                    .addLogPrior(Math.log((double) entry.getValue().n() / statistics.n()));
        }
        for (int f = 0; f < x.size(); f++) {
            // String order is code point order for these codes, as scikit-learn's sorted categories.
            List<String> levels = new ArrayList<>(
                    new TreeSet<>(model.cde(x.get(f)).enumerations().keySet()));
            NominalFeature.Builder feature =
                    NominalFeature.newBuilder().setVariable(x.get(f)).addAllLevels(levels);
            for (ClassStatistics.Group group : statistics.classes().values()) {
                for (String level : levels) {
                    long count = group.levels().get(f).getOrDefault(level, 0L);
                    feature.addLogProbability(Math.log((count + ALPHA) / (group.n() + ALPHA * levels.size())));
                }
            }
            fitted.addNominal(feature);
        }
        return fitted;
    }
}
