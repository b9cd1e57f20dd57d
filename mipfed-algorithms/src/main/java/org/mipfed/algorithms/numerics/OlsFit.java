package org.mipfed.algorithms.numerics;

import java.util.Arrays;

/**
 * A fitted linear model with an intercept, and the statistics statsmodels' OLS reports for it.
 *
 * @param n number of observations
 * @param coefficients the intercept first, then one per regressor
 * @param standardErrors standard errors of the coefficients, in the same order
 * @param tss total sum of squares of the response about its mean
 * @param sse residual sum of squares
 */
public record OlsFit(long n, double[] coefficients, double[] standardErrors, double tss, double sse) {
    public OlsFit {
        if (coefficients.length != standardErrors.length) {
            throw new IllegalArgumentException("one standard error per coefficient is needed");
        }
        coefficients = coefficients.clone();
        standardErrors = standardErrors.clone();
    }

    @Override
    public double[] coefficients() {
        return coefficients.clone();
    }

    @Override
    public double[] standardErrors() {
        return standardErrors.clone();
    }

    /** Number of regressors besides the intercept. */
    public double dfModel() {
        return coefficients.length - 1;
    }

    public double dfResid() {
        return n - coefficients.length;
    }

    /** Residual standard error. */
    public double rse() {
        return Math.sqrt(sse / dfResid());
    }

    public double rSquared() {
        return 1 - sse / tss;
    }

    public double rSquaredAdjusted() {
        return 1 - (1 - rSquared()) * (n - 1) / dfResid();
    }

    public double fStat() {
        return (tss - sse) / dfModel() / (sse / dfResid());
    }

    public double fPValue() {
        return Distributions.fUpperTail(fStat(), dfModel(), dfResid());
    }

    public double[] tStats() {
        double[] t = new double[coefficients.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = coefficients[i] / standardErrors[i];
        }
        return t;
    }

    /** Two-sided p-values of the t statistics. */
    public double[] pValues() {
        double[] t = tStats();
        double[] p = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            p[i] = Distributions.studentTwoSidedPValue(t[i], dfResid());
        }
        return p;
    }

    /** Lower (sign -1) or upper (sign +1) bounds of two-sided t confidence intervals at {@code level}, e.g. 0.95. */
    public double[] confidenceBounds(double level, int sign) {
        double quantile = Distributions.studentQuantile(0.5 + level / 2, dfResid());
        double[] bounds = new double[coefficients.length];
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = coefficients[i] + Math.signum(sign) * quantile * standardErrors[i];
        }
        return bounds;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OlsFit other
                && n == other.n
                && tss == other.tss
                && sse == other.sse
                && Arrays.equals(coefficients, other.coefficients)
                && Arrays.equals(standardErrors, other.standardErrors);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(coefficients) * 31 + Long.hashCode(n);
    }

    @Override
    public String toString() {
        return "OlsFit[n=" + n + ", coefficients=" + Arrays.toString(coefficients) + "]";
    }
}
