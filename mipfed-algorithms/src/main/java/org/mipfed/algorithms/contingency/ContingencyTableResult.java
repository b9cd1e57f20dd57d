package org.mipfed.algorithms.contingency;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.mipfed.algorithms.spi.AlgorithmResult;

/**
 * What {@code contingency_table} answers: the pooled table of two nominal variables, as R's {@code table(y, x)} over the
 * rows complete in both, and its tests of independence.
 *
 * @param rowVar the row variable (y)
 * @param colVar the column variable (x)
 * @param rowLevels the row variable's levels present in the rows, in the data model's order
 * @param colLevels the column variable's levels present, likewise
 * @param n the rows counted
 * @param counts per row level, the count of each column level
 * @param expected per cell, row total × column total / n: the counts expected under independence
 * @param rowTotals per row level, its rows
 * @param colTotals per column level, its rows
 * @param chiSquared Pearson's chi-squared test, as R's {@code chisq.test}
 * @param likelihoodRatio the likelihood-ratio (G) test on the same degrees of freedom
 * @param fisherExact Fisher's exact test, as R's {@code fisher.test}, where the tables can be enumerated
 * @param cramersV Cramér's V, sqrt(χ² / (n (min(r, c) − 1))) from the uncorrected χ²
 * @param warnings what to know before reading the tests (R's "approximation may be incorrect")
 */
public record ContingencyTableResult(
        String rowVar,
        String colVar,
        List<String> rowLevels,
        List<String> colLevels,
        long n,
        List<List<Long>> counts,
        List<List<Double>> expected,
        List<Long> rowTotals,
        List<Long> colTotals,
        ChiSquaredTest chiSquared,
        Test likelihoodRatio,
        FisherTest fisherExact,
        double cramersV,
        List<String> warnings)
        implements AlgorithmResult {
    public ContingencyTableResult {
        requireNonNull(rowVar, "rowVar is null");
        requireNonNull(colVar, "colVar is null");
        rowLevels = List.copyOf(rowLevels);
        colLevels = List.copyOf(colLevels);
        counts = counts.stream().map(List::copyOf).toList();
        expected = expected.stream().map(List::copyOf).toList();
        rowTotals = List.copyOf(rowTotals);
        colTotals = List.copyOf(colTotals);
        requireNonNull(chiSquared, "chiSquared is null");
        requireNonNull(likelihoodRatio, "likelihoodRatio is null");
        requireNonNull(fisherExact, "fisherExact is null");
        warnings = List.copyOf(warnings);
    }

    /**
     * Pearson's chi-squared test.
     *
     * @param statistic Σ (|O − E| − c)² / E, with c = min(0.5, |O − E|) under Yates' correction, else 0
     * @param df (r − 1)(c − 1)
     * @param pValue P(χ²(df) ≥ statistic)
     * @param yatesCorrection whether Yates' continuity correction was applied (asked for, and the table is 2 × 2)
     */
    public record ChiSquaredTest(double statistic, int df, double pValue, boolean yatesCorrection) {}

    /**
     * A test whose statistic follows χ²(df) under independence.
     *
     * @param statistic for the G test, 2 Σ O log(O / E) over the cells with counts
     * @param df (r − 1)(c − 1)
     * @param pValue P(χ²(df) ≥ statistic)
     */
    public record Test(double statistic, int df, double pValue) {}

    /**
     * Fisher's exact test, two-sided.
     *
     * @param pValue the probability of the tables with the observed margins no more probable than the observed one;
     *     null where they were too many to enumerate
     * @param note why there is no p-value, when there is none
     */
    public record FisherTest(
            double pValue,
            @JsonInclude(JsonInclude.Include.NON_NULL) String note) {}
}
