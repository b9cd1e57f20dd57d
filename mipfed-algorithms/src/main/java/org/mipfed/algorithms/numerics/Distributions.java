package org.mipfed.algorithms.numerics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.special.Beta;

/**
 * Tail probabilities and quantiles of the t and F distributions, written so that tiny p-values keep
 * their relative precision: a tail is computed directly as a regularized incomplete beta function,
 * never as {@code 1 - cdf}, which would round every p-value below about 1e-16 to 0.
 */
public final class Distributions {
    /** Absolute accuracy of quantiles; Commons Math's default (1e-9) would show at rtol 1e-6 in small intervals. */
    private static final double QUANTILE_ACCURACY = 1e-14;

    /**
     * Quantiles computed before, by probability and degrees of freedom: a quantile is a root found by a few dozen
     * incomplete beta functions, and the same model asked again (a dashboard, a portal's page) asks for the same
     * one. The same value as computing it anew (the function is deterministic); at most {@value #QUANTILES_KEPT} kept.
     */
    private static final Map<Quantile, Double> QUANTILES = new ConcurrentHashMap<>();

    private static final int QUANTILES_KEPT = 4096;

    private record Quantile(double p, double df) {}

    private Distributions() {}

    /** P(|T| >= |t|) for Student's t with {@code df} degrees of freedom. */
    public static double studentTwoSidedPValue(double t, double df) {
        if (Double.isNaN(t) || !(df > 0)) {
            return Double.NaN;
        }
        if (Double.isInfinite(t)) {
            return 0;
        }
        // P(|T| >= |t|) = I_{df/(df+t²)}(df/2, 1/2), exact in both tails.
        return Beta.regularizedBeta(df / (df + t * t), df / 2, 0.5);
    }

    /** The p-quantile of Student's t with {@code df} degrees of freedom. */
    public static double studentQuantile(double p, double df) {
        Quantile key = new Quantile(p, df);
        Double known = QUANTILES.get(key);
        if (known != null) {
            return known;
        }
        // No random generator: the distribution is never sampled.
        double quantile = new TDistribution(null, df, QUANTILE_ACCURACY).inverseCumulativeProbability(p);
        if (QUANTILES.size() >= QUANTILES_KEPT) {
            QUANTILES.clear();
        }
        QUANTILES.put(key, quantile);
        return quantile;
    }

    /** P(F >= f) for Fisher's F with (df1, df2) degrees of freedom. */
    public static double fUpperTail(double f, double df1, double df2) {
        if (Double.isNaN(f) || !(df1 > 0) || !(df2 > 0)) {
            return Double.NaN;
        }
        if (f <= 0) {
            return 1;
        }
        if (Double.isInfinite(f)) {
            return 0;
        }
        // P(F >= f) = I_{df2/(df2+df1 f)}(df2/2, df1/2): the upper tail itself, not 1 - cdf.
        return Beta.regularizedBeta(df2 / (df2 + df1 * f), df2 / 2, df1 / 2);
    }
}
