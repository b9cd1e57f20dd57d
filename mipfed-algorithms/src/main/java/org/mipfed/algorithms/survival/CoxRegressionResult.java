package org.mipfed.algorithms.survival;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.mipfed.algorithms.spi.AlgorithmResult;

/**
 * The result of {@code cox_regression}: R's {@code coxph(Surv(time, event) ~ x + strata(s), ties = ...)} on the binned
 * times, and {@code cox.zph(fit)} (transform "km"). The arrays of coefficients are parallel to {@code covariates}.
 *
 * @param timeVar the time variable (y)
 * @param eventVar the event variable (the first x)
 * @param eventLevel its level that means the event happened
 * @param binWidth the width of the time bins (a time t is moved up to {@code ceil(t / binWidth) * binWidth})
 * @param ties how tied event times are handled: {@code efron} (R's default) or {@code breslow}
 * @param strataVar the variable whose levels have a baseline hazard of their own, or null
 * @param nObs the rows complete in every variable used
 * @param nEvents the events among them
 * @param covariates the model's columns: numerical covariates by name, dummies named {@code variable[level]}
 * @param coefficients the log hazard ratios β
 * @param stdErr their standard errors (the inverse information at β)
 * @param zValues β over its standard error
 * @param pvalues the two-sided Wald p-values
 * @param hazardRatios exp(β)
 * @param hrLowerCi the lower ends of the 95% intervals of the hazard ratios, exp(β − 1.96 se)
 * @param hrUpperCi their upper ends
 * @param logLikelihoodNull the partial log-likelihood at β = 0
 * @param logLikelihood the partial log-likelihood at the estimate
 * @param likelihoodRatioTest 2 (logLik − logLik at 0), on as many degrees of freedom as coefficients
 * @param waldTest βᵀ I β at the estimate
 * @param scoreTest Uᵀ I⁻¹ U at β = 0 (the log-rank test for a single nominal covariate)
 * @param iterations the Newton steps taken (each one round of {@code cox_step} on the nodes)
 * @param proportionalHazards cox.zph's test per covariate and global
 * @param pAdjust the method the p-values were adjusted by (R's p.adjust name), when the request asked
 * @param pvaluesAdjusted the adjusted p-values, beside {@code pvalues}, when the request asked
 */
public record CoxRegressionResult(
        String timeVar,
        String eventVar,
        String eventLevel,
        double binWidth,
        String ties,
        String strataVar,
        long nObs,
        long nEvents,
        List<String> covariates,
        double[] coefficients,
        double[] stdErr,
        double[] zValues,
        double[] pvalues,
        double[] hazardRatios,
        double[] hrLowerCi,
        double[] hrUpperCi,
        double logLikelihoodNull,
        double logLikelihood,
        Test likelihoodRatioTest,
        Test waldTest,
        Test scoreTest,
        int iterations,
        ProportionalHazards proportionalHazards,
        @JsonInclude(JsonInclude.Include.NON_NULL) String pAdjust,
        @JsonInclude(JsonInclude.Include.NON_NULL) double[] pvaluesAdjusted)
        implements AlgorithmResult {
    public CoxRegressionResult {
        requireNonNull(timeVar, "timeVar is null");
        covariates = List.copyOf(covariates);
        coefficients = coefficients.clone();
        stdErr = stdErr.clone();
        zValues = zValues.clone();
        pvalues = pvalues.clone();
        hazardRatios = hazardRatios.clone();
        hrLowerCi = hrLowerCi.clone();
        hrUpperCi = hrUpperCi.clone();
        pvaluesAdjusted = pvaluesAdjusted == null ? null : pvaluesAdjusted.clone();
    }

    /** A chi-squared test. */
    public record Test(double chisq, int df, double pValue) {}

    /**
     * cox.zph's score tests of proportional hazards: for each covariate (a nominal one's dummies together), whether its
     * coefficient varies with g(t) = 1 − KM(t−) centred over the events, and for all at once.
     *
     * @param transform {@code km}
     * @param terms the covariates as requested (nominal first), one test each
     */
    public record ProportionalHazards(
            String transform, List<String> terms, double[] chisq, int[] df, double[] pvalues, Test global) {
        public ProportionalHazards {
            terms = List.copyOf(terms);
            chisq = chisq.clone();
            df = df.clone();
            pvalues = pvalues.clone();
        }
    }
}
