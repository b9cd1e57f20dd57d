package org.mipfed.algorithms.contingency;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
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
 * @param stratumVar a stratified table's third variable (the second x); the figures above are then of the table of
 *     all strata together (R's {@code table(y, x)} over the rows complete in all three)
 * @param strata a stratified table's 2-way table and tests per level of the stratum variable present
 * @param mantelHaenszel a stratified table's Cochran–Mantel–Haenszel test, as R's {@code mantelhaen.test}
 * @param pAdjust the method the strata's p-values were adjusted by (R's p.adjust name), when asked
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
        List<String> warnings,
        @JsonInclude(JsonInclude.Include.NON_NULL) String stratumVar,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<Stratum> strata,
        @JsonInclude(JsonInclude.Include.NON_NULL) MantelHaenszel mantelHaenszel,
        @JsonInclude(JsonInclude.Include.NON_NULL) String pAdjust)
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
        strata = strata == null ? null : List.copyOf(strata);
    }

    /** This table with the parts of a stratified table. */
    ContingencyTableResult stratified(
            String stratum, List<Stratum> tables, MantelHaenszel test, String adjusted, List<String> notes) {
        List<String> all = new ArrayList<>(warnings);
        all.addAll(notes);
        return new ContingencyTableResult(
                rowVar,
                colVar,
                rowLevels,
                colLevels,
                n,
                counts,
                expected,
                rowTotals,
                colTotals,
                chiSquared,
                likelihoodRatio,
                fisherExact,
                cramersV,
                all,
                stratum,
                tables,
                test,
                adjusted);
    }

    /**
     * One stratum of a stratified table.
     *
     * @param level the stratum variable's level
     * @param table the 2-way table of the rows at that level, with its tests (none where a variable has a single level)
     * @param pValuesAdjusted with {@code p_adjust}: the chi-squared, G and Fisher p-values adjusted over the strata
     */
    public record Stratum(
            String level,
            ContingencyTableResult table,
            @JsonInclude(JsonInclude.Include.NON_NULL) AdjustedPValues pValuesAdjusted) {
        public Stratum {
            requireNonNull(level, "level is null");
            requireNonNull(table, "table is null");
        }
    }

    /**
     * A stratum's p-values adjusted over the strata, each test over its own p-values (R's p.adjust).
     *
     * @param chiSquared Pearson's chi-squared test's
     * @param likelihoodRatio the G test's
     * @param fisherExact Fisher's exact test's (null where it was not computed)
     */
    public record AdjustedPValues(double chiSquared, double likelihoodRatio, double fisherExact) {}

    /**
     * The Cochran–Mantel–Haenszel test of conditional independence of the row and column variables given the
     * stratum, as R's {@code mantelhaen.test} (asymptotic).
     *
     * @param statistic for a 2 × 2 × K table (Δ − c)² / Σ var, with the continuity correction c = 0.5 when asked and
     *     |Δ| ≥ 0.5; for I × J × K the generalized statistic nᵀ V⁻¹ n
     * @param df 1, or (I − 1)(J − 1)
     * @param pValue P(χ²(df) ≥ statistic)
     * @param continuityCorrection whether the correction was applied (2 × 2 × K only)
     * @param commonOddsRatio 2 × 2 × K: the Mantel–Haenszel estimate of the common odds ratio
     * @param commonOddsRatioCi 2 × 2 × K: its 95 % interval (Robins, Breslow and Greenland's variance)
     */
    public record MantelHaenszel(
            double statistic,
            int df,
            double pValue,
            boolean continuityCorrection,
            @JsonInclude(JsonInclude.Include.NON_NULL) Double commonOddsRatio,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<Double> commonOddsRatioCi) {
        public MantelHaenszel {
            commonOddsRatioCi = commonOddsRatioCi == null ? null : List.copyOf(commonOddsRatioCi);
        }
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
