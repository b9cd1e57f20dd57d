package org.mipfed.algorithms.numerics;

/**
 * Pearson correlations from pooled cross-products: r = C_ij / sqrt(C_ii C_jj), computed from the
 * centred co-moments rather than from raw sums, so large offsets lose no precision.
 */
public final class Correlations {
    /**
     * Relative spread below which a column counts as constant: rounding in the nodes' means can leave
     * a co-moment of about (1e-16 |mean|)² per row where every value is the same.
     */
    private static final double CONSTANT_SPREAD = 1e-12;

    private Correlations() {}

    /** Whether column {@code i} has (up to rounding) the same value in every row. */
    public static boolean constant(CrossProducts cross, int i) {
        double c = cross.comoment(i, i);
        double floor = CONSTANT_SPREAD * Math.abs(cross.mean(i));
        return !(c > cross.n() * floor * floor);
    }

    /**
     * The correlation of columns i and j, within [-1, 1]; 0 when either is constant (as Exareme2,
     * where a zero denominator gives 0).
     */
    public static double correlation(CrossProducts cross, int i, int j) {
        if (constant(cross, i) || constant(cross, j)) {
            return 0;
        }
        if (i == j) {
            return 1;
        }
        double r = cross.comoment(i, j) / Math.sqrt(cross.comoment(i, i) * cross.comoment(j, j));
        return Math.max(-1, Math.min(1, r));
    }

    /** The correlation matrix of all columns, exactly symmetric with a unit diagonal. */
    public static double[][] matrix(CrossProducts cross) {
        int p = cross.columns();
        double[][] r = new double[p][p];
        for (int i = 0; i < p; i++) {
            for (int j = i; j < p; j++) {
                r[i][j] = i == j ? 1 : correlation(cross, i, j);
                r[j][i] = r[i][j];
            }
        }
        return r;
    }
}
