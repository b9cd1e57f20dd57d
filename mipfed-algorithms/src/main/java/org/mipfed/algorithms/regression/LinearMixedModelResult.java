package org.mipfed.algorithms.regression;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.mipfed.algorithms.spi.AlgorithmResult;

/**
 * The result of {@code linear_mixed_model}: lme4's {@code lmer(y ~ x + (1 | dataset))} fit. The arrays of fixed
 * effects are parallel to {@code indepVars}.
 *
 * @param dependentVar the variable modelled (y)
 * @param indepVars {@code Intercept}, then the regressors (dummies named {@code variable[level]})
 * @param method REML or ML
 * @param groupVar the variable of the random intercept
 * @param nObs the rows complete in y and every covariate
 * @param nGroups the datasets with such rows
 * @param dfMethod how the t tests' degrees of freedom are counted: {@code residual}, n minus the fixed effects
 * @param df those degrees of freedom
 * @param coefficients the fixed effects
 * @param stdErr their standard errors
 * @param tValues their t statistics
 * @param pvalues their two-sided p-values on {@code df}
 * @param lowerCi the lower ends of their 95% Wald intervals (t on {@code df})
 * @param upperCi the upper ends
 * @param groupVariance the variance of the random intercepts, τ²
 * @param residualVariance the residual variance, σ²
 * @param logLikelihood the (REML or ML) log-likelihood at the optimum, as lme4's {@code logLik}
 * @param aic −2 logLik + 2 (fixed effects + 2), as lme4's {@code AIC}
 * @param bic −2 logLik + log(n) (fixed effects + 2)
 * @param randomEffects the estimated random intercept of each dataset (lme4's {@code ranef})
 * @param pAdjust the method the p-values were adjusted by (R's p.adjust name), when the request asked
 * @param pvaluesAdjusted the adjusted p-values, beside {@code pvalues}, when the request asked
 */
public record LinearMixedModelResult(
        String dependentVar,
        List<String> indepVars,
        String method,
        String groupVar,
        long nObs,
        int nGroups,
        String dfMethod,
        long df,
        double[] coefficients,
        double[] stdErr,
        double[] tValues,
        double[] pvalues,
        double[] lowerCi,
        double[] upperCi,
        double groupVariance,
        double residualVariance,
        double logLikelihood,
        double aic,
        double bic,
        RandomEffects randomEffects,
        @JsonInclude(JsonInclude.Include.NON_NULL) String pAdjust,
        @JsonInclude(JsonInclude.Include.NON_NULL) double[] pvaluesAdjusted)
        implements AlgorithmResult {
    public LinearMixedModelResult {
        requireNonNull(dependentVar, "dependentVar is null");
        indepVars = List.copyOf(indepVars);
        coefficients = coefficients.clone();
        stdErr = stdErr.clone();
        tValues = tValues.clone();
        pvalues = pvalues.clone();
        lowerCi = lowerCi.clone();
        upperCi = upperCi.clone();
        requireNonNull(randomEffects, "randomEffects is null");
        pvaluesAdjusted = pvaluesAdjusted == null ? null : pvaluesAdjusted.clone();
    }

    /**
     * The random intercepts.
     *
     * @param groups the datasets, in the data model's order
     * @param intercepts each one's estimated intercept, its deviation from the fixed intercept
     */
    public record RandomEffects(List<String> groups, double[] intercepts) {
        public RandomEffects {
            groups = List.copyOf(groups);
            intercepts = intercepts.clone();
        }
    }
}
