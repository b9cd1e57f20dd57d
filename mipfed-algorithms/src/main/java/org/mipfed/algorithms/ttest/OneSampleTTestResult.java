package org.mipfed.algorithms.ttest;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import org.mipfed.algorithms.spi.AlgorithmResult;

/**
 * What {@code ttest_onesample} answers, in Exareme2's names.
 *
 * @param nObs the rows with a value for y
 * @param tStat (mean - mu) / se
 * @param df n - 1
 * @param std the sample standard deviation of y
 * @param p the p-value under the chosen alternative
 * @param meanDiff the sample mean itself, as Exareme2 reports it (R's "mean of x"), not mean - mu
 * @param seDiff the standard error of the mean
 * @param ciLower the interval's lower bound; "-Infinity" for the alternative "less"
 * @param ciUpper the interval's upper bound; "Infinity" for the alternative "greater"
 * @param cohensD (mean - mu) / sd
 */
public record OneSampleTTestResult(
        long nObs,
        double tStat,
        long df,
        double std,
        double p,
        double meanDiff,
        double seDiff,
        @JsonSerialize(using = IntervalBound.class) double ciLower,
        @JsonSerialize(using = IntervalBound.class) double ciUpper,
        double cohensD)
        implements AlgorithmResult {}
