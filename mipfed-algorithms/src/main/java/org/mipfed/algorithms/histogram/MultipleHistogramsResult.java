package org.mipfed.algorithms.histogram;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.mipfed.algorithms.spi.AlgorithmResult;

/**
 * The result of {@code multiple_histograms}, in Exareme2's shape.
 *
 * @param histogram the histogram over all rows first, then one per level of each grouping variable
 * @param nObs the rows the histograms were drawn from (not in Exareme2's shape: every mipfed result says it)
 */
public record MultipleHistogramsResult(List<Histogram> histogram, long nObs) implements AlgorithmResult {
    public MultipleHistogramsResult {
        histogram = List.copyOf(histogram);
    }

    /**
     * One histogram.
     *
     * @param var the variable distributed among the bins (y)
     * @param groupingVar the grouping variable, or null for the histogram over all rows
     * @param groupingEnum the grouping variable's level, or null
     * @param bins a nominal variable's levels, or a numerical one's bin edges (one more than the counts)
     * @param counts per bin; null where the count is zero or some node withheld its part of it
     */
    public record Histogram(String var, String groupingVar, String groupingEnum, List<?> bins, List<Long> counts) {
        public Histogram {
            requireNonNull(var, "var is null");
            bins = List.copyOf(bins);
            // Not List.copyOf: a count may be null.
            counts = Collections.unmodifiableList(new ArrayList<>(counts));
        }
    }
}
