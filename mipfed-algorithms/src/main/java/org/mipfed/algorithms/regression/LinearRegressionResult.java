package org.mipfed.algorithms.regression;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.mipfed.algorithms.spi.AlgorithmResult;

/**
 * The result of {@code linear_regression}: statsmodels' OLS summary, in Exareme2's shape. The arrays are parallel to
 * {@code indepVars}.
 *
 * @param dependentVar the variable explained (y)
 * @param nObs the rows complete in y and every covariate
 * @param dfResid the residual degrees of freedom, n minus the coefficients
 * @param dfModel the model's degrees of freedom, the coefficients minus the intercept
 * @param rse the residual standard error
 * @param fStat the F statistic of the model against the intercept alone
 * @param fPvalue its p-value
 * @param indepVars {@code Intercept}, then the regressors (dummies named {@code variable[level]})
 * @param stdErr the coefficients' standard errors
 * @param tStats the coefficients' t statistics
 * @param pvalues their two-sided p-values
 * @param lowerCi the lower ends of the 95% confidence intervals
 * @param upperCi the upper ends of the 95% confidence intervals
 * @param pAdjust the method the p-values were adjusted by (R's p.adjust name), when the request asked
 * @param pvaluesAdjusted the adjusted p-values, beside {@code pvalues}, when the request asked
 */
public record LinearRegressionResult(
        String dependentVar,
        long nObs,
        double dfResid,
        double dfModel,
        double rse,
        double rSquared,
        double rSquaredAdjusted,
        double fStat,
        double fPvalue,
        List<String> indepVars,
        double[] coefficients,
        double[] stdErr,
        double[] tStats,
        double[] pvalues,
        double[] lowerCi,
        double[] upperCi,
        @JsonInclude(JsonInclude.Include.NON_NULL) String pAdjust,
        @JsonInclude(JsonInclude.Include.NON_NULL) double[] pvaluesAdjusted)
        implements AlgorithmResult {
    public LinearRegressionResult {
        requireNonNull(dependentVar, "dependentVar is null");
        indepVars = List.copyOf(indepVars);
        coefficients = coefficients.clone();
        stdErr = stdErr.clone();
        tStats = tStats.clone();
        pvalues = pvalues.clone();
        lowerCi = lowerCi.clone();
        upperCi = upperCi.clone();
        pvaluesAdjusted = pvaluesAdjusted == null ? null : pvaluesAdjusted.clone();
    }
}
