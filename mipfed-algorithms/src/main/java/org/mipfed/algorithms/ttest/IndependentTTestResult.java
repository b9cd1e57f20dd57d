package org.mipfed.algorithms.ttest;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import org.mipfed.algorithms.spi.AlgorithmResult;

/**
 * What {@code ttest_independent} answers, in Exareme2's names (see {@link IndependentTTest} on the two degrees of
 * freedom).
 *
 * @param nObs the rows of both groups with a value for y
 * @param tStat the difference of the group means over Welch's standard error
 * @param df Exareme2's n_A + n_B - 2, kept for compatibility
 * @param welchDf the Welch–Satterthwaite degrees of freedom, which {@code p} and the interval use
 * @param p Welch's p-value under the chosen alternative
 * @param meanDiff mean of group A - mean of group B
 * @param seDiff Welch's standard error of that difference
 * @param ciLower the interval's lower bound; "-Infinity" for the alternative "less"
 * @param ciUpper the interval's upper bound; "Infinity" for the alternative "greater"
 * @param cohensD the difference over the pooled standard deviation
 */
public record IndependentTTestResult(
        long nObs,
        double tStat,
        long df,
        double welchDf,
        double p,
        double meanDiff,
        double seDiff,
        @JsonSerialize(using = IntervalBound.class) double ciLower,
        @JsonSerialize(using = IntervalBound.class) double ciUpper,
        double cohensD)
        implements AlgorithmResult {}
