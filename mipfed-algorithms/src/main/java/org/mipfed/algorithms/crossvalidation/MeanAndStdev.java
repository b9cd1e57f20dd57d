package org.mipfed.algorithms.crossvalidation;

import com.fasterxml.jackson.annotation.JsonFormat;

/**
 * A figure's mean over the folds and its sample standard deviation (ddof 1), written as Exareme2's two-element list
 * {@code [mean, stdev]}.
 */
@JsonFormat(shape = JsonFormat.Shape.ARRAY)
public record MeanAndStdev(double mean, double stdev) {
    /** The summary of one figure per fold. */
    public static MeanAndStdev of(double[] perFold) {
        return new MeanAndStdev(CrossValidation.mean(perFold), CrossValidation.stdev(perFold));
    }
}
