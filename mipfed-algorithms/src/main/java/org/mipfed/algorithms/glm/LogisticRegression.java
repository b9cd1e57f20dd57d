package org.mipfed.algorithms.glm;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.special.Erf;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.core.model.Cde;
import org.mipfed.core.problem.Problem;
import org.mipfed.proto.v1.GlmColumn;

/**
 * Exareme2's {@code logistic_regression}: a nominal variable, 1 at its positive class and 0 elsewhere,
 * on numerical and nominal covariates by maximum likelihood, with the statistics of statsmodels'
 * Logit summary (Wald z tests and intervals, log-likelihoods, AIC, BIC, McFadden's R²), over the
 * rows complete in all variables. Fitted over the nodes by {@link FisherScoring}.
 */
public final class LogisticRegression extends SpecifiedAlgorithm {
    public static final String NAME = "logistic_regression";
    /** The 0.975 quantile of the standard normal, as statsmodels' conf_int(alpha=0.05). */
    static final double Z_975 = 1.959963984540054;

    public LogisticRegression() {
        super(NAME);
    }

    @Override
    public LogisticRegressionResult run(AnalysisInput input, FederationContext federation) {
        GlmColumn response = response(NAME, input, "linear_regression");
        String y = response.getVariable();
        GlmModel model = GlmDesign.build(federation, NAME, input.x(), response, Family.BINOMIAL, Link.LOGIT);
        GlmFit fit = FisherScoring.fit(federation, model);
        return result(y, model, fit);
    }

    /**
     * The response of a logistic regression once checked: the one nominal dependent variable, 1 at the
     * {@code positive_class} level; {@code forNumerical} names the algorithm to use for a numerical one.
     */
    static GlmColumn response(String algorithm, AnalysisInput input, String forNumerical) {
        if (input.y().size() != 1) {
            throw Problem.badRequest(algorithm + " takes exactly one dependent variable (y), not "
                    + input.y().size());
        }
        String y = input.y().get(0);
        Cde cde = input.dataModel().cde(y);
        if (cde == null || !cde.categorical()) {
            throw Problem.badRequest(algorithm + " needs a nominal dependent variable (y); '" + y + "' is "
                    + (cde == null
                            ? "not in the data model " + input.dataModel().id()
                            : "not nominal; for a numerical one use " + forNumerical));
        }
        if (input.x().isEmpty()) {
            throw Problem.badRequest(algorithm + " needs at least one covariate (x)");
        }
        String positive = input.parameters().path("positive_class").asText("");
        if (!cde.enumerations().containsKey(positive)) {
            throw Problem.badRequest(
                    "The parameter 'positive_class' ('" + positive + "') is not a level of '" + y + "'; its levels are "
                            + String.join(", ", cde.enumerations().keySet()));
        }
        return GlmColumn.newBuilder().setVariable(y).setLevel(positive).build();
    }

    private static LogisticRegressionResult result(String y, GlmModel model, GlmFit fit) {
        int p = fit.p();
        long n = fit.n();
        double[] stderr = new double[p];
        double[] z = new double[p];
        double[] pvalues = new double[p];
        double[] lower = new double[p];
        double[] upper = new double[p];
        for (int i = 0; i < p; i++) {
            stderr[i] = Math.sqrt(fit.covariance()[i * p + i]);
            z[i] = fit.coefficients()[i] / stderr[i];
            pvalues[i] = normalTwoSided(z[i]);
            lower[i] = fit.coefficients()[i] - Z_975 * stderr[i];
            upper[i] = fit.coefficients()[i] + Z_975 * stderr[i];
        }
        double ll = fit.logLikelihood();
        double ll0 = fit.nullLogLikelihood();
        List<String> names = new ArrayList<>();
        names.add("Intercept");
        names.addAll(model.names());
        LogisticRegressionResult.Summary summary = new LogisticRegressionResult.Summary(
                n,
                fit.coefficients(),
                stderr,
                lower,
                upper,
                z,
                pvalues,
                p - 1,
                n - p,
                -Math.expm1(2.0 / n * (ll0 - ll)),
                1 - ll / ll0,
                ll0,
                ll,
                -2 * ll + 2 * p,
                -2 * ll + Math.log(n) * p);
        return new LogisticRegressionResult(y, names, summary);
    }

    /** P(|Z| >= |z|) = erfc(|z| / √2), exact in the tail (never 1 - cdf). */
    static double normalTwoSided(double z) {
        if (Double.isNaN(z)) {
            return Double.NaN;
        }
        return Erf.erfc(Math.abs(z) / Math.sqrt(2));
    }
}
