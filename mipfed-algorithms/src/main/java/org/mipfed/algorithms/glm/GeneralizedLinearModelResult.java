package org.mipfed.algorithms.glm;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.mipfed.algorithms.spi.AlgorithmResult;

/**
 * The result of {@code glm}: the figures of R's {@code summary.glm}, Wald intervals and BIC. The arrays are parallel to
 * {@code indepVars}.
 *
 * @param dependentVar the variable modelled (y)
 * @param family the family's name as R spells it
 * @param link the link's name as R spells it
 * @param indepVars {@code Intercept}, then the regressors (dummies named {@code variable[level]})
 * @param nObs the rows complete in y and every covariate
 * @param stdErr the coefficients' standard errors, scaled by the dispersion
 * @param tValues the t statistics, for a family whose dispersion is estimated (gaussian); absent otherwise
 * @param zValues the z statistics, for a family with a fixed dispersion; absent otherwise
 * @param pvalues the statistics' two-sided p-values
 * @param lowerCi the lower ends of the 95% Wald intervals (t or normal)
 * @param upperCi the upper ends of the 95% Wald intervals
 * @param dispersion the estimated dispersion (gaussian), else 1
 * @param dfResidual the rows minus the coefficients
 * @param nullDeviance the deviance of the intercept-only model
 * @param dfNull the rows minus one
 * @param logLikelihood as R's {@code logLik}
 * @param aic counting an estimated dispersion as a parameter, as R does
 * @param bic likewise
 * @param iterations the Fisher scoring rounds taken
 * @param pAdjust the method the p-values were adjusted by (R's p.adjust name), when the request asked
 * @param pvaluesAdjusted the adjusted p-values, beside {@code pvalues}, when the request asked
 */
public record GeneralizedLinearModelResult(
        String dependentVar,
        String family,
        String link,
        List<String> indepVars,
        long nObs,
        double[] coefficients,
        double[] stdErr,
        @JsonInclude(JsonInclude.Include.NON_NULL) double[] tValues,
        @JsonInclude(JsonInclude.Include.NON_NULL) double[] zValues,
        double[] pvalues,
        double[] lowerCi,
        double[] upperCi,
        double dispersion,
        double deviance,
        long dfResidual,
        double nullDeviance,
        long dfNull,
        double logLikelihood,
        double aic,
        double bic,
        int iterations,
        @JsonInclude(JsonInclude.Include.NON_NULL) String pAdjust,
        @JsonInclude(JsonInclude.Include.NON_NULL) double[] pvaluesAdjusted)
        implements AlgorithmResult {
    public GeneralizedLinearModelResult {
        requireNonNull(dependentVar, "dependentVar is null");
        requireNonNull(family, "family is null");
        requireNonNull(link, "link is null");
        indepVars = List.copyOf(indepVars);
        if ((tValues == null) == (zValues == null)) {
            throw new IllegalArgumentException("exactly one of t values and z values is needed");
        }
    }
}
