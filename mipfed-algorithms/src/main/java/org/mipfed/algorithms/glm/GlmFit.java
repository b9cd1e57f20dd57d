package org.mipfed.algorithms.glm;

/**
 * A converged fit.
 *
 * @param covariance row-major p × p inverse of the Fisher information XᵀWX (not yet scaled by the dispersion)
 * @param logLikelihood for gaussian, at the maximum-likelihood dispersion deviance / n, as R's logLik
 * @param nullDeviance the deviance of the intercept-only model
 * @param nullLogLikelihood the log-likelihood of the intercept-only model
 */
public record GlmFit(
        long n,
        double[] coefficients,
        double[] covariance,
        double deviance,
        double logLikelihood,
        double nullDeviance,
        double nullLogLikelihood,
        int iterations) {
    public int p() {
        return coefficients.length;
    }
}
