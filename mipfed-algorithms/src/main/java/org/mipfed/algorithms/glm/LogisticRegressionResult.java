package org.mipfed.algorithms.glm;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.mipfed.algorithms.spi.AlgorithmResult;

/**
 * The result of {@code logistic_regression}: statsmodels' Logit summary, in Exareme2's shape.
 *
 * @param dependentVar the nominal variable modelled (y)
 * @param indepVars {@code Intercept}, then the regressors (dummies named {@code variable[level]})
 * @param summary the fit's figures, parallel to {@code indepVars} where they are arrays
 */
public record LogisticRegressionResult(String dependentVar, List<String> indepVars, Summary summary)
        implements AlgorithmResult {
    public LogisticRegressionResult {
        requireNonNull(dependentVar, "dependentVar is null");
        indepVars = List.copyOf(indepVars);
        requireNonNull(summary, "summary is null");
    }

    /**
     * The figures of the fit.
     *
     * @param nObs the rows complete in y and every covariate
     * @param stderr the coefficients' standard errors
     * @param lowerCi the lower ends of the 95% Wald intervals
     * @param upperCi the upper ends of the 95% Wald intervals
     * @param zScores the Wald z statistics
     * @param pvalues their two-sided p-values
     * @param dfModel the coefficients minus the intercept
     * @param dfResid the rows minus the coefficients
     * @param rSquaredCs Cox and Snell's pseudo R²
     * @param rSquaredMcf McFadden's pseudo R²
     * @param ll0 the log-likelihood of the intercept-only model
     * @param ll the log-likelihood of the fitted model
     * @param aic Akaike's information criterion
     * @param bic the Bayesian information criterion
     */
    public record Summary(
            long nObs,
            double[] coefficients,
            double[] stderr,
            double[] lowerCi,
            double[] upperCi,
            double[] zScores,
            double[] pvalues,
            int dfModel,
            long dfResid,
            double rSquaredCs,
            double rSquaredMcf,
            double ll0,
            double ll,
            double aic,
            double bic) {
        public Summary {
            coefficients = coefficients.clone();
            stderr = stderr.clone();
            lowerCi = lowerCi.clone();
            upperCi = upperCi.clone();
            zScores = zScores.clone();
            pvalues = pvalues.clone();
        }
    }
}
