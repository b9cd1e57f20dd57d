package org.mipfed.algorithms.descriptive;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mipfed.algorithms.spi.AlgorithmResult;

/**
 * The result of {@code descriptive_stats}, in Exareme2's shape.
 *
 * @param variableBased per variable, one record per dataset then one for "all datasets", each over every row of its dataset
 * @param modelBased the same records over the rows complete in all the variables
 * @param nObs the rows the nodes selected (not in Exareme2's shape: every mipfed result says it); absent when there was
 *     no variable to describe and so no node was asked
 */
public record DescriptiveStatsResult(
        List<DatasetRecord> variableBased,
        List<DatasetRecord> modelBased,
        @JsonInclude(JsonInclude.Include.NON_NULL) Long nObs)
        implements AlgorithmResult {
    public DescriptiveStatsResult {
        variableBased = List.copyOf(variableBased);
        modelBased = List.copyOf(modelBased);
    }

    /**
     * One variable described over one dataset (or over "all datasets").
     *
     * @param data null when the dataset's node withheld it (too few rows) or no node answered for it
     */
    public record DatasetRecord(String variable, String dataset, Data data) {
        public DatasetRecord {
            requireNonNull(variable, "variable is null");
            requireNonNull(dataset, "dataset is null");
        }
    }

    /** What is known of one variable over one dataset: its counts, then what its kind (numerical or nominal) allows. */
    public sealed interface Data permits Numerical, Nominal {}

    /**
     * A numerical variable's data; a figure that cannot be computed (no value, or quartiles of combined
     * datasets, which per-dataset summaries cannot give) is null.
     *
     * @param numDtps the rows with a value
     * @param numNa the rows without one
     * @param numTotal all rows
     * @param std the sample standard deviation
     */
    public record Numerical(
            long numDtps,
            long numNa,
            long numTotal,
            double mean,
            double std,
            double min,
            Double q1,
            Double q2,
            Double q3,
            double max)
            implements Data {}

    /**
     * A nominal variable's data.
     *
     * @param counts by level: those present (count above zero), in the data model's order, then any others alphabetically
     */
    public record Nominal(long numDtps, long numNa, long numTotal, Map<String, Long> counts) implements Data {
        public Nominal {
            counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
        }
    }
}
