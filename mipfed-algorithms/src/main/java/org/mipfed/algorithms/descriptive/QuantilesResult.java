package org.mipfed.algorithms.descriptive;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.mipfed.algorithms.spi.AlgorithmResult;

/**
 * What {@code quantiles} answers: per variable, the pooled quantiles at the probabilities asked, as R's
 * {@code quantile(x, probs, type)} over the pooled rows with a value.
 *
 * @param type R's quantile type (1 to 9)
 * @param probabilities the probabilities asked, in their order
 * @param variables per variable asked, in their order
 */
public record QuantilesResult(int type, List<Double> probabilities, List<VariableQuantiles> variables)
        implements AlgorithmResult {
    public QuantilesResult {
        probabilities = List.copyOf(probabilities);
        variables = List.copyOf(variables);
    }

    /**
     * One variable's quantiles.
     *
     * @param variable its code
     * @param n the pooled rows with a value for it
     * @param min the smallest of their values
     * @param max the largest
     * @param quantiles per probability, in the order asked
     * @param rounds the rounds of counts the nodes answered after the first (n, min and max): what the bisection cost
     */
    public record VariableQuantiles(
            String variable, long n, double min, double max, List<Quantile> quantiles, int rounds) {
        public VariableQuantiles {
            requireNonNull(variable, "variable is null");
            quantiles = List.copyOf(quantiles);
        }
    }

    /**
     * A quantile.
     *
     * @param probability the probability asked
     * @param value the quantile: a data value, or a weighted mean of two neighbouring ones
     */
    public record Quantile(double probability, double value) {}
}
