package org.mipfed.algorithms.regression;

import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Derivatives by central differences with Richardson extrapolation, the scheme of R's numDeriv (a first step of d times
 * each coordinate, or 1e-4 where a coordinate is near 0, halved 4 times, and 4 rounds of extrapolation), which lmerTest
 * uses for its Satterthwaite degrees of freedom. numDeriv's default d is 1e-4; here d is 1e-2: from steps of 1e-4 θ the
 * deviance's rounding, amplified by 1 / h², moves the df of a random slope's model by up to 1% (measured in R and here),
 * while from 1e-3 and 1e-2 they agree to 1e-4 and the extrapolation's error is far below that.
 */
final class Richardson {
    private static final double EPS = 1e-4;
    private static final double D = 1e-2;
    private static final double ZERO_TOL = Math.sqrt(Math.ulp(1.0) / 7e-7);
    private static final int R = 4;

    private Richardson() {}

    private static double[] steps(double[] x) {
        double[] h = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            h[i] = Math.abs(D * x[i]) + (Math.abs(x[i]) < ZERO_TOL ? EPS : 0);
        }
        return h;
    }

    private static double extrapolate(double[] a) {
        double[] b = a.clone();
        for (int m = 1; m < R; m++) {
            for (int k = 0; k < R - m; k++) {
                double f = Math.pow(4, m);
                b[k] = (b[k + 1] * f - b[k]) / (f - 1);
            }
        }
        return b[0];
    }

    private static double[] shifted(double[] x, double[] h, double scale, int i, int j, double sign) {
        double[] y = x.clone();
        y[i] += sign * h[i] * scale;
        if (j >= 0) {
            y[j] += sign * h[j] * scale;
        }
        return y;
    }

    /** The Hessian of f at x, as numDeriv's {@code hessian} (genD). */
    static double[][] hessian(ToDoubleFunction<double[]> f, double[] x) {
        int n = x.length;
        double f0 = f.applyAsDouble(x);
        double[] h0 = steps(x);
        double[][] hessian = new double[n][n];
        double[] diagonal = new double[n];
        for (int i = 0; i < n; i++) {
            double[] approx = new double[R];
            double scale = 1;
            for (int k = 0; k < R; k++) {
                double f1 = f.applyAsDouble(shifted(x, h0, scale, i, -1, 1));
                double f2 = f.applyAsDouble(shifted(x, h0, scale, i, -1, -1));
                double h = h0[i] * scale;
                approx[k] = (f1 - 2 * f0 + f2) / (h * h);
                scale /= 2;
            }
            diagonal[i] = extrapolate(approx);
            hessian[i][i] = diagonal[i];
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                double[] approx = new double[R];
                double scale = 1;
                for (int k = 0; k < R; k++) {
                    double f1 = f.applyAsDouble(shifted(x, h0, scale, i, j, 1));
                    double f2 = f.applyAsDouble(shifted(x, h0, scale, i, j, -1));
                    double hi = h0[i] * scale;
                    double hj = h0[j] * scale;
                    approx[k] = (f1 - 2 * f0 + f2 - diagonal[i] * hi * hi - diagonal[j] * hj * hj) / (2 * hi * hj);
                    scale /= 2;
                }
                hessian[i][j] = extrapolate(approx);
                hessian[j][i] = hessian[i][j];
            }
        }
        return hessian;
    }

    /** The Jacobian of a vector function f at x (rows: f's entries), as numDeriv's {@code jacobian}. */
    static double[][] jacobian(Function<double[], double[]> f, double[] x) {
        int n = x.length;
        double[] h0 = steps(x);
        int m = f.apply(x).length;
        double[][][] approx = new double[m][n][R];
        double scale = 1;
        for (int k = 0; k < R; k++) {
            for (int i = 0; i < n; i++) {
                double[] f1 = f.apply(shifted(x, h0, scale, i, -1, 1));
                double[] f2 = f.apply(shifted(x, h0, scale, i, -1, -1));
                for (int e = 0; e < m; e++) {
                    approx[e][i][k] = (f1[e] - f2[e]) / (2 * h0[i] * scale);
                }
            }
            scale /= 2;
        }
        double[][] jacobian = new double[m][n];
        for (int e = 0; e < m; e++) {
            for (int i = 0; i < n; i++) {
                jacobian[e][i] = extrapolate(approx[e][i]);
            }
        }
        return jacobian;
    }
}
