package org.mipfed.algorithms.regression;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.mipfed.algorithms.spi.AlgorithmResult;

/**
 * The result of {@code linear_mixed_model}: lme4's {@code lmer(y ~ x + (1 | g))} or {@code lmer(y ~ x + (1 + z | g))}
 * fit, with lmerTest's Satterthwaite degrees of freedom or the residual ones. The arrays of fixed effects are parallel
 * to {@code indepVars}.
 *
 * @param dependentVar the variable modelled (y)
 * @param indepVars {@code Intercept}, then the regressors (dummies named {@code variable[level]})
 * @param method REML or ML
 * @param groupVar what the random effects are grouped by: {@code dataset} or {@code node}
 * @param randomSlope the covariate with a random slope, or null (random intercept only)
 * @param nObs the rows complete in y and every covariate
 * @param nGroups the groups with such rows
 * @param dfMethod how the t tests' degrees of freedom are counted: {@code satterthwaite} (lmerTest's default) or
 *     {@code residual}, n minus the fixed effects
 * @param df those degrees of freedom, per fixed effect
 * @param coefficients the fixed effects
 * @param stdErr their standard errors
 * @param tValues their t statistics
 * @param pvalues their two-sided p-values on {@code df}
 * @param lowerCi the lower ends of their 95% Wald intervals (t on {@code df})
 * @param upperCi the upper ends
 * @param groupVariance the variance of the random intercepts
 * @param slopeVariance the variance of the random slopes, or null
 * @param interceptSlopeCorrelation the correlation of the random intercepts and slopes, or null
 * @param residualVariance the residual variance, σ²
 * @param logLikelihood the (REML or ML) log-likelihood at the optimum, as lme4's {@code logLik}
 * @param aic −2 logLik + 2 k, k = fixed effects + variance parameters (2 or 4), as lme4's {@code AIC}
 * @param bic −2 logLik + log(n) k
 * @param randomEffects the estimated random effects of each group (lme4's {@code ranef})
 * @param pAdjust the method the p-values were adjusted by (R's p.adjust name), when the request asked
 * @param pvaluesAdjusted the adjusted p-values, beside {@code pvalues}, when the request asked
 */
public record LinearMixedModelResult(
        String dependentVar,
        List<String> indepVars,
        String method,
        String groupVar,
        @JsonInclude(JsonInclude.Include.NON_NULL) String randomSlope,
        long nObs,
        int nGroups,
        String dfMethod,
        double[] df,
        double[] coefficients,
        double[] stdErr,
        double[] tValues,
        double[] pvalues,
        double[] lowerCi,
        double[] upperCi,
        double groupVariance,
        @JsonInclude(JsonInclude.Include.NON_NULL) Double slopeVariance,
        @JsonInclude(JsonInclude.Include.NON_NULL) Double interceptSlopeCorrelation,
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
        df = df.clone();
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
     * The random effects.
     *
     * @param groups the datasets (in the data model's order) or nodes
     * @param intercepts each one's estimated intercept, its deviation from the fixed intercept
     * @param slopes each one's estimated slope deviation, or null without a random slope
     */
    public record RandomEffects(
            List<String> groups,
            double[] intercepts,
            @JsonInclude(JsonInclude.Include.NON_NULL) double[] slopes) {
        public RandomEffects {
            groups = List.copyOf(groups);
            intercepts = intercepts.clone();
            slopes = slopes == null ? null : slopes.clone();
        }
    }
}
