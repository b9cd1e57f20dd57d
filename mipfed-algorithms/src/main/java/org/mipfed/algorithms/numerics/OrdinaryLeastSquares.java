package org.mipfed.algorithms.numerics;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.DecompositionSolver;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;

/**
 * Ordinary least squares with an intercept, solved from centred cross-products.
 *
 * <p>Working with centred co-moments removes the intercept column, whose collinearity with
 * large-mean covariates is what makes the raw normal equations ill-conditioned. The remaining
 * matrix is scaled to unit diagonal (a correlation matrix) before its Cholesky decomposition, so
 * that a covariate measured in thousands and a 0/1 dummy are treated alike, and so that a pivot
 * means something scale-free: the pivot of column j is 1 - R² of column j regressed on the columns
 * before it.
 */
public final class OrdinaryLeastSquares {
    /**
     * A pivot below this makes the column collinear (R² on the earlier columns above 1 - 1e-10): the
     * coefficients would carry fewer than about six correct digits, so a result would be noise.
     */
    static final double COLLINEARITY_TOLERANCE = 1e-10;
    /** A column whose spread is this small relative to its mean is constant up to rounding. */
    private static final double CONSTANT_TOLERANCE = 1e-24;
    /** Symmetry is exact (the matrix is symmetrized below), so this check never fires. */
    private static final double SYMMETRY_TOLERANCE = 1e-6;

    private OrdinaryLeastSquares() {}

    /**
     * Fits y on the other columns plus an intercept.
     *
     * @param design cross-products over the regressors followed by the response, which is the last column
     * @throws CollinearColumnException when a regressor is constant or collinear with those before it
     * @throws IllegalArgumentException when there are no more rows than coefficients
     */
    public static OlsFit fit(CrossProducts design) {
        int q = design.columns() - 1;
        if (q < 0) {
            throw new IllegalArgumentException("the design has no response column");
        }
        long n = design.n();
        if (n <= q + 1) {
            throw new IllegalArgumentException(
                    n + " rows for " + (q + 1) + " coefficients: at least " + (q + 2) + " are needed");
        }
        double yMean = design.mean(q);
        double tss = design.comoment(q, q);
        double[] scale = new double[q];
        for (int i = 0; i < q; i++) {
            double cii = design.comoment(i, i);
            double mean = design.mean(i);
            if (!(cii > CONSTANT_TOLERANCE * n * mean * mean)) {
                throw new CollinearColumnException(i, true);
            }
            scale[i] = Math.sqrt(cii);
        }
        double[] coefficients = new double[q + 1];
        double[] variances = new double[q + 1];
        double ssr = 0;
        double interceptExtra = 0;
        if (q > 0) {
            RealMatrix correlation = new Array2DRowRealMatrix(q, q);
            RealVector scaledXy = new ArrayRealVector(q);
            RealVector scaledMeans = new ArrayRealVector(q);
            for (int i = 0; i < q; i++) {
                for (int j = 0; j <= i; j++) {
                    double r = 0.5 * (design.comoment(i, j) + design.comoment(j, i)) / (scale[i] * scale[j]);
                    correlation.setEntry(i, j, r);
                    correlation.setEntry(j, i, r);
                }
                scaledXy.setEntry(i, design.comoment(i, q) / scale[i]);
                scaledMeans.setEntry(i, design.mean(i) / scale[i]);
            }
            DecompositionSolver solver;
            try {
                solver = new CholeskyDecomposition(correlation, SYMMETRY_TOLERANCE, COLLINEARITY_TOLERANCE).getSolver();
            } catch (NonPositiveDefiniteMatrixException e) {
                throw new CollinearColumnException(e.getRow(), false);
            }
            RealVector scaledBeta = solver.solve(scaledXy);
            RealMatrix inverse = solver.getInverse();
            double xMeanBeta = 0;
            for (int i = 0; i < q; i++) {
                double beta = scaledBeta.getEntry(i) / scale[i];
                coefficients[i + 1] = beta;
                ssr += design.comoment(i, q) * beta;
                xMeanBeta += design.mean(i) * beta;
                // (Cxx⁻¹)_ii = (R⁻¹)_ii / d_i²; multiplied by σ² below.
                variances[i + 1] = inverse.getEntry(i, i) / (scale[i] * scale[i]);
            }
            coefficients[0] = yMean - xMeanBeta;
            // x̄ᵀ Cxx⁻¹ x̄ = zᵀ R⁻¹ z with z = D⁻¹ x̄.
            interceptExtra = scaledMeans.dotProduct(solver.solve(scaledMeans));
        } else {
            coefficients[0] = yMean;
        }
        // SSE = Cyy - Cxyᵀβ; rounding can push a perfect fit a hair below zero.
        double sse = Math.max(tss - ssr, 0);
        double sigma2 = sse / (n - q - 1);
        double[] stdErr = new double[q + 1];
        stdErr[0] = Math.sqrt(sigma2 * (1.0 / n + interceptExtra));
        for (int i = 1; i <= q; i++) {
            stdErr[i] = Math.sqrt(sigma2 * variances[i]);
        }
        return new OlsFit(n, coefficients, stdErr, tss, sse);
    }
}
