package org.mipfed.algorithms.kmeans;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import org.mipfed.algorithms.spi.AlgorithmResult;

/**
 * The result of {@code kmeans}, in Exareme2's shape.
 *
 * @param title Exareme2's fixed title
 * @param centers the final centres, one list of coordinates (in the order of y) per cluster
 * @param nObs the rows complete in every variable
 * @param iterations the Lloyd rounds run
 */
public record KMeansResult(String title, double[][] centers, long nObs, int iterations) implements AlgorithmResult {
    public KMeansResult {
        requireNonNull(title, "title is null");
        centers = Arrays.stream(centers).map(double[]::clone).toArray(double[][]::new);
    }
}
