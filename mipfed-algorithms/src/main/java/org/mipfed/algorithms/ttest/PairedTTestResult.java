package org.mipfed.algorithms.ttest;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import org.mipfed.algorithms.spi.AlgorithmResult;

/**
 * What {@code ttest_paired} answers, in Exareme2's names.
 *
 * @param nObs the rows with both values
 * @param tStat the mean of the differences x - y over its standard error
 * @param df n - 1
 * @param p the p-value under the chosen alternative
 * @param meanDiff the mean of the differences x - y
 * @param seDiff its standard error
 * @param ciLower the interval's lower bound; "-Infinity" for the alternative "less"
 * @param ciUpper the interval's upper bound; "Infinity" for the alternative "greater"
 * @param cohensD Exareme2's: the mean difference over the root mean of the two variances
 */
public record PairedTTestResult(
        long nObs,
        double tStat,
        long df,
        double p,
        double meanDiff,
        double seDiff,
        @JsonSerialize(using = IntervalBound.class) double ciLower,
        @JsonSerialize(using = IntervalBound.class) double ciUpper,
        double cohensD)
        implements AlgorithmResult {}
