package org.mipfed.algorithms.ttest;

import static java.util.Objects.requireNonNull;

import org.apache.commons.math3.special.Beta;
import org.mipfed.algorithms.numerics.Distributions;

/**
 * A t statistic, its p-value under an alternative and the confidence interval of the estimate at
 * level 1 - alpha (one-sided for a one-sided alternative, so the interval and the test agree).
 * Tails are computed directly as incomplete beta functions: p-values far below 1e-16 keep their
 * precision, where {@code 1 - cdf} would give 0.
 *
 * @param estimate the estimated quantity (a mean or a difference of means)
 * @param se its standard error
 * @param t the statistic: (estimate - null value) / se
 * @param df the degrees of freedom of the t distribution used for p and the interval
 */
public record TTest(double estimate, double se, double t, double df, double p, double ciLower, double ciUpper) {
    /**
     * @param nullValue the estimate's value under the null hypothesis
     * @param alpha the significance level: the interval's confidence is 1 - alpha
     */
    public static TTest of(
            double estimate, double nullValue, double se, double df, Alternative alternative, double alpha) {
        requireNonNull(alternative, "alternative is null");
        double t = (estimate - nullValue) / se;
        double p = switch (alternative) {
            case TWO_SIDED -> Distributions.studentTwoSidedPValue(t, df);
            case GREATER -> upperTail(t, df);
            case LESS -> upperTail(-t, df);
        };
        double lower;
        double upper;
        if (alternative == Alternative.TWO_SIDED) {
            double q = quantile(1 - alpha / 2, df);
            lower = estimate - q * se;
            upper = estimate + q * se;
        } else {
            double q = quantile(1 - alpha, df);
            lower = alternative == Alternative.GREATER ? estimate - q * se : Double.NEGATIVE_INFINITY;
            upper = alternative == Alternative.LESS ? estimate + q * se : Double.POSITIVE_INFINITY;
        }
        return new TTest(estimate, se, t, df, p, lower, upper);
    }

    /** P(T >= t) for Student's t with {@code df} degrees of freedom, exact in both tails. */
    public static double upperTail(double t, double df) {
        if (Double.isNaN(t) || !(df > 0)) {
            return Double.NaN;
        }
        if (Double.isInfinite(t)) {
            return t > 0 ? 0 : 1;
        }
        // P(T >= |t|) = I_{df/(df+t²)}(df/2, 1/2) / 2; the other side is its complement, which is never tiny.
        double half = Beta.regularizedBeta(df / (df + t * t), df / 2, 0.5) / 2;
        return t >= 0 ? half : 1 - half;
    }

    private static double quantile(double p, double df) {
        if (!(df > 0) || !(p > 0 && p < 1)) {
            return Double.NaN;
        }
        return Distributions.studentQuantile(p, df);
    }
}
