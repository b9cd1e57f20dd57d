package org.mipfed.algorithms.anova;

import java.util.List;
import org.mipfed.algorithms.spi.AlgorithmResult;

/**
 * What {@code anova} (two-way) answers, in Exareme2's names: one entry per term in each list, in the order of
 * {@code terms} (A, B, A:B, Residuals).
 *
 * @param terms the two covariates, their interaction and "Residuals"
 * @param sumSq each term's sum of squares (type 1 or 2, see {@code sstype}); the residual one last
 * @param df each term's degrees of freedom, R's (a column that adds nothing to the model counts for none)
 * @param fStat each term's F statistic; null for the residuals and for a term with no degree of freedom
 * @param fPvalue the upper tail of F at fStat; null where fStat is
 * @param nObs the rows with values for y and both covariates
 * @param sstype 1 (sequential) or 2
 */
public record TwoWayAnovaResult(
        List<String> terms,
        List<Double> sumSq,
        List<Long> df,
        List<Double> fStat,
        List<Double> fPvalue,
        long nObs,
        long sstype)
        implements AlgorithmResult {
    public TwoWayAnovaResult {
        terms = List.copyOf(terms);
        sumSq = List.copyOf(sumSq);
        df = List.copyOf(df);
        // NaN (written as null) stands for "no statistic": List.copyOf takes no null.
        fStat = List.copyOf(fStat);
        fPvalue = List.copyOf(fPvalue);
    }
}
