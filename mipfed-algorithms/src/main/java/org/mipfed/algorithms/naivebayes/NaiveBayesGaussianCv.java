package org.mipfed.algorithms.naivebayes;

import java.util.List;
import java.util.Map;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.proto.v1.NaiveBayesScore;

/**
 * Exareme2's {@code naive_bayes_gaussian_cv}: numerical features, each normal within a class with the
 * class's mean and (population) variance, as scikit-learn's GaussianNB fits them: the classes present
 * in the training rows, priors from their counts, variances raised to at least 1e-9 times the largest
 * one. Prediction compares log posteriors, which gives the classes of the products of densities
 * without their underflow.
 */
public final class NaiveBayesGaussianCv extends NaiveBayesCv {
    public static final String NAME = "naive_bayes_gaussian_cv";
    /** scikit-learn's var_smoothing. */
    static final double VAR_SMOOTHING = 1e-9;

    public NaiveBayesGaussianCv() {
        super(NAME);
    }

    @Override
    void checkFeature(Cde cde) {
        if (!cde.numerical()) {
            throw Problem.badRequest(NAME + " takes numerical covariates only; '" + cde.code()
                    + "' is not numerical (for nominal ones use " + "naive_bayes_categorical_cv)");
        }
    }

    @Override
    ClassStatistics statistics(FederationContext training, String y, List<String> x, List<String> completeIn) {
        return ClassStatistics.compute(training, y, x, List.of(), completeIn);
    }

    @Override
    NaiveBayesScore.Builder model(
            DataModel model, String y, List<String> x, ClassStatistics statistics, int fold, int nSplits) {
        return fit(y, x, statistics, "fold " + (fold + 1) + " of " + nSplits);
    }

    /** The fitted classifier, as scikit-learn's GaussianNB(var_smoothing=1e-9) fits it from the class statistics. */
    static NaiveBayesScore.Builder fit(String y, List<String> x, ClassStatistics statistics, String where) {
        double largest = 0;
        for (ClassStatistics.Group group : statistics.classes().values()) {
            for (int j = 0; j < x.size(); j++) {
                largest = Math.max(largest, group.m2()[j] / group.n());
            }
        }
        if (!(largest > 0)) {
            throw Problem.badRequest("Every covariate is constant within each class in the training rows of " + where
                    + ", so no normal density can be fitted; choose other covariates or datasets");
        }
        double epsilon = VAR_SMOOTHING * largest;
        NaiveBayesScore.Builder fitted =
                NaiveBayesScore.newBuilder().setResponse(y).addAllNumerical(x);
        for (Map.Entry<String, ClassStatistics.Group> entry :
                statistics.classes().entrySet()) {
            ClassStatistics.Group group = entry.getValue();
            fitted.addClasses(entry.getKey()).addLogPrior(Math.log((double) group.n() / statistics.n()));
            for (int j = 0; j < x.size(); j++) {
                fitted.addTheta(group.mean()[j]).addVar(Math.max(group.m2()[j] / group.n(), epsilon));
            }
        }
        return fitted;
    }
}
