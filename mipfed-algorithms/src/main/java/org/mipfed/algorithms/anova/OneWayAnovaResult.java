package org.mipfed.algorithms.anova;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mipfed.algorithms.spi.AlgorithmResult;

/**
 * What {@code anova_oneway} answers, in Exareme2's names (its misspelt {@code tuckey_test} included, which the portal
 * reads).
 *
 * @param anovaTable the analysis of variance
 * @param tuckeyTest Tukey's honest significant difference for every pair of levels present, in level order
 * @param minMaxPerGroup the smallest and largest y per level, for the portal's box plot
 * @param ciInfo mean and standard deviation per level, for the portal's error bars
 */
public record OneWayAnovaResult(
        AnovaTable anovaTable, List<TukeyPair> tuckeyTest, MinMaxPerGroup minMaxPerGroup, CiInfo ciInfo)
        implements AlgorithmResult {
    public OneWayAnovaResult {
        requireNonNull(anovaTable, "anovaTable is null");
        tuckeyTest = List.copyOf(tuckeyTest);
        requireNonNull(minMaxPerGroup, "minMaxPerGroup is null");
        requireNonNull(ciInfo, "ciInfo is null");
    }

    /**
     * The table: explained (between the levels) and residual (within them) variation.
     *
     * @param nObs the rows with values for y and x
     * @param yLabel the variable y
     * @param xLabel the covariate x
     * @param dfResidual n - k, k the levels present
     * @param dfExplained k - 1
     * @param ssResidual Σ over levels of the centred sum of squares of y
     * @param ssExplained Σ n_level (mean_level - grand mean)²
     * @param msResidual ssResidual / dfResidual
     * @param msExplained ssExplained / dfExplained
     * @param pValue the upper tail of F at fStat
     * @param fStat msExplained / msResidual
     */
    public record AnovaTable(
            long nObs,
            String yLabel,
            String xLabel,
            long dfResidual,
            long dfExplained,
            double ssResidual,
            double ssExplained,
            double msResidual,
            double msExplained,
            double pValue,
            double fStat) {
        public AnovaTable {
            requireNonNull(yLabel, "yLabel is null");
            requireNonNull(xLabel, "xLabel is null");
        }
    }

    /**
     * One pair of levels, A before B in level order; Exareme2 spells these names in camelCase.
     *
     * @param diff meanA - meanB
     * @param se the standard error of diff from the residual mean square
     * @param tStat diff / se
     * @param pTuckey the studentized range's upper tail at √2 |tStat| (null when tStat is undefined)
     * @param pTTest with {@code p_adjust}: the pair's t-test on the pooled standard deviation, 2 P(T ≥ |tStat|) on the
     *     residual df (R's pairwise.t.test before adjustment)
     * @param pTTestAdjusted with {@code p_adjust}: those p-values adjusted over the pairs (R's pairwise.t.test)
     */
    public record TukeyPair(
            @JsonProperty("groupA") String groupA,
            @JsonProperty("groupB") String groupB,
            @JsonProperty("meanA") double meanA,
            @JsonProperty("meanB") double meanB,
            double diff,
            double se,
            double tStat,
            double pTuckey,

            @JsonProperty("p_t_test") @JsonInclude(JsonInclude.Include.NON_NULL)
            Double pTTest,

            @JsonProperty("p_t_test_adjusted") @JsonInclude(JsonInclude.Include.NON_NULL)
            Double pTTestAdjusted) {
        public TukeyPair {
            requireNonNull(groupA, "groupA is null");
            requireNonNull(groupB, "groupB is null");
        }
    }

    /**
     * @param categories the levels present, in the data model's order
     * @param min the smallest y of each level, in the same order
     * @param max the largest y of each level
     */
    public record MinMaxPerGroup(List<String> categories, List<Double> min, List<Double> max) {
        public MinMaxPerGroup {
            categories = List.copyOf(categories);
            min = List.copyOf(min);
            max = List.copyOf(max);
        }
    }

    /**
     * Per level, keyed by level as Exareme2 does, in the levels' order.
     *
     * @param sampleStds the sample standard deviation of y
     * @param means the mean of y
     * @param meanMinusStd mean - sd
     * @param meanPlusStd mean + sd
     */
    public record CiInfo(
            Map<String, Double> sampleStds,
            Map<String, Double> means,
            @JsonProperty("m-s") Map<String, Double> meanMinusStd,
            @JsonProperty("m+s") Map<String, Double> meanPlusStd) {
        public CiInfo {
            sampleStds = ordered(sampleStds);
            means = ordered(means);
            meanMinusStd = ordered(meanMinusStd);
            meanPlusStd = ordered(meanPlusStd);
        }

        /** An unmodifiable copy that keeps the levels' order (Map.copyOf would not). */
        private static Map<String, Double> ordered(Map<String, Double> values) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(values));
        }
    }
}
