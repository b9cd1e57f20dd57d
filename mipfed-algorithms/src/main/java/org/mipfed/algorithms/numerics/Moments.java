package org.mipfed.algorithms.numerics;

/**
 * Count, mean, sum of squared deviations, minimum and maximum of one numerical variable over some rows:
 * the summary that combines exactly across nodes or datasets.
 *
 * <p>Combining uses Chan, Golub and LeVeque's pairwise update rather than pooled Σx and Σx², whose
 * difference loses every significant digit when the mean is large relative to the spread.
 *
 * @param n number of values
 * @param mean their mean (NaN when n is 0)
 * @param m2 the sum of squared deviations from the mean
 */
public record Moments(long n, double mean, double m2, double min, double max) {
    /** Nothing yet: the neutral element of {@link #combine}. */
    public static final Moments EMPTY = new Moments(0, Double.NaN, 0, Double.NaN, Double.NaN);

    public Moments {
        if (n < 0) {
            throw new IllegalArgumentException("n is negative: " + n);
        }
    }

    /** The moments of the union of both sets of rows. */
    public Moments combine(Moments other) {
        if (other.n == 0) {
            return this;
        }
        if (n == 0) {
            return other;
        }
        long total = n + other.n;
        double delta = other.mean - mean;
        double combinedMean = mean + delta * ((double) other.n / total);
        double combinedM2 = m2 + other.m2 + delta * delta * ((double) n * other.n / total);
        return new Moments(total, combinedMean, combinedM2, Math.min(min, other.min), Math.max(max, other.max));
    }

    /** The sample standard deviation (n - 1 in the denominator), or NaN with fewer than two values. */
    public double sampleStd() {
        return n < 2 ? Double.NaN : Math.sqrt(m2 / (n - 1));
    }
}
