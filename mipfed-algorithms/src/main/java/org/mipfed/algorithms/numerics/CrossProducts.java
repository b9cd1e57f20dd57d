package org.mipfed.algorithms.numerics;

import java.util.Arrays;

/**
 * Row count, column means and centred cross-products (co-moments) of a design matrix: everything OLS,
 * correlation and covariance need, in a form that combines exactly across nodes.
 *
 * @param n number of rows
 * @param means column means (length p; NaN or anything when n is 0)
 * @param comoments p x p row-major: sum over rows of (x_i - mean_i)(x_j - mean_j)
 */
public record CrossProducts(long n, double[] means, double[] comoments) {
    public CrossProducts {
        if (n < 0) {
            throw new IllegalArgumentException("n is negative: " + n);
        }
        if (comoments.length != means.length * means.length) {
            throw new IllegalArgumentException("comoments must hold p x p = " + means.length * means.length
                    + " values for " + means.length + " columns, not " + comoments.length);
        }
        means = means.clone();
        comoments = comoments.clone();
    }

    /** No rows over p columns: the neutral element of {@link #combine}. */
    public static CrossProducts empty(int p) {
        return new CrossProducts(0, new double[p], new double[p * p]);
    }

    public int columns() {
        return means.length;
    }

    public double mean(int i) {
        return means[i];
    }

    public double comoment(int i, int j) {
        return comoments[i * means.length + j];
    }

    @Override
    public double[] means() {
        return means.clone();
    }

    @Override
    public double[] comoments() {
        return comoments.clone();
    }

    /**
     * The cross-products of the union of both sets of rows (pairwise update):
     * C = C_a + C_b + (n_a n_b / n) d dᵀ with d = mean_b - mean_a, which is
     * Σ C_k + Σ n_k (m_k - m)(m_k - m)ᵀ for two parts, without cancellation.
     */
    public CrossProducts combine(CrossProducts other) {
        if (other.columns() != columns()) {
            throw new IllegalArgumentException(
                    "cannot combine cross-products over " + columns() + " and " + other.columns() + " columns");
        }
        if (other.n == 0) {
            return this;
        }
        if (n == 0) {
            return other;
        }
        int p = columns();
        long total = n + other.n;
        double weight = (double) other.n / total;
        double factor = (double) n * other.n / total;
        double[] delta = new double[p];
        double[] mean = new double[p];
        for (int i = 0; i < p; i++) {
            delta[i] = other.means[i] - means[i];
            mean[i] = means[i] + delta[i] * weight;
        }
        double[] c = new double[p * p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                int k = i * p + j;
                c[k] = comoments[k] + other.comoments[k] + factor * delta[i] * delta[j];
            }
        }
        return new CrossProducts(total, mean, c);
    }

    /** The cross-products of the given columns only, in the given order. */
    public CrossProducts select(int... columns) {
        int p = means.length;
        int k = columns.length;
        double[] m = new double[k];
        double[] c = new double[k * k];
        for (int i = 0; i < k; i++) {
            m[i] = means[columns[i]];
            for (int j = 0; j < k; j++) {
                c[i * k + j] = comoments[columns[i] * p + columns[j]];
            }
        }
        return new CrossProducts(n, m, c);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CrossProducts other
                && n == other.n
                && Arrays.equals(means, other.means)
                && Arrays.equals(comoments, other.comoments);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Long.hashCode(n) + Arrays.hashCode(means)) + Arrays.hashCode(comoments);
    }

    @Override
    public String toString() {
        return "CrossProducts[n=" + n + ", means=" + Arrays.toString(means) + "]";
    }
}
