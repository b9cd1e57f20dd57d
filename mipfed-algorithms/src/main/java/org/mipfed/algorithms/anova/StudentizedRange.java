package org.mipfed.algorithms.anova;

import org.apache.commons.math3.special.Gamma;

/**
 * The upper tail of the studentized range distribution: P(Q >= q) for the range of {@code k}
 * independent standard normal values divided by an independent sqrt(χ²_ν / ν). Commons Math has no
 * such distribution; this is the textbook double integral, evaluated by Gauss–Legendre quadrature:
 *
 * <pre>
 *   P(Q >= q) = ∫₀^∞ f_ν(s) R_k(q s) ds,    f_ν the density of sqrt(χ²_ν / ν),
 *   R_k(w)    = P(range of k normals >= w) = k ∫ φ(z) Φ(z - w) Σ_{j=0}^{k-2} Φ(z)^j [Φ(z) - Φ(z - w)]^{k-2-j} dz.
 * </pre>
 *
 * The second line is 1 - k∫φ(z)[Φ(z) - Φ(z - w)]^{k-1}dz with the difference of powers factored
 * (Φ(z)^{k-1} - a^{k-1} = Φ(z - w) Σ Φ(z)^j a^{k-2-j}), so the tail is a sum of positive terms and
 * keeps its relative precision however small it is, instead of being 1 minus a number close to 1.
 * Both integrals run over windows placed where their integrands live: z around w/2 (the product
 * φ(z)Φ(z - w) peaks there), s around the peak of f_ν(s) R_k(q s), which moves below 1 as q grows.
 * Checked against the closed form for k = 2 (a t test) and against published values; agrees with
 * SciPy's {@code studentized_range.sf} to about 1e-10.
 */
public final class StudentizedRange {
    private static final double[] NODES;
    private static final double[] WEIGHTS;
    /** Half-width of the z window: the inner integrand is below e^-64 of its peak outside it. */
    private static final double Z_HALF_WIDTH = 8;

    private static final int Z_PANELS = 8;
    /** Half-width of the s window in standard deviations of the outer integrand's peak. */
    private static final double S_HALF_WIDTH = 12;

    private static final int S_PANELS = 12;
    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

    static {
        // 16-point Gauss–Legendre rule on [-1, 1]: exact for polynomials of degree 31.
        int n = 16;
        NODES = new double[n];
        WEIGHTS = new double[n];
        for (int i = 0; i < n; i++) {
            double x = Math.cos(Math.PI * (i + 0.75) / (n + 0.5));
            double derivative = 0;
            for (int iteration = 0; iteration < 100; iteration++) {
                double p0 = 1;
                double p1 = x;
                for (int j = 2; j <= n; j++) {
                    double p2 = ((2 * j - 1) * x * p1 - (j - 1) * p0) / j;
                    p0 = p1;
                    p1 = p2;
                }
                derivative = n * (x * p1 - p0) / (x * x - 1);
                double step = p1 / derivative;
                x -= step;
                if (Math.abs(step) < 1e-16) {
                    break;
                }
            }
            NODES[i] = x;
            WEIGHTS[i] = 2 / ((1 - x * x) * derivative * derivative);
        }
    }

    private StudentizedRange() {}

    /**
     * P(Q >= q) for {@code k} means and {@code df} degrees of freedom.
     *
     * @throws IllegalArgumentException when k < 2 or df is not positive
     */
    public static double upperTail(double q, int k, double df) {
        if (k < 2 || !(df > 0)) {
            throw new IllegalArgumentException(
                    "The studentized range needs k >= 2 and df > 0, not k = " + k + ", df = " + df);
        }
        if (Double.isNaN(q)) {
            return Double.NaN;
        }
        if (q <= 0) {
            return 1;
        }
        if (Double.isInfinite(q)) {
            return 0;
        }
        if (df > 1e7) {
            // sqrt(χ²_ν / ν) is 1 to within double precision's reach of the integral.
            return rangeUpperTail(q, k);
        }
        double logNorm = (df / 2) * Math.log(df / 2) + Math.log(2) - Gamma.logGamma(df / 2);
        // The outer integrand f(s) R(q s) behaves like s^(ν-1) exp(-(ν + q²/2) s² / 2) for large q and like
        // f(s) for small q: cover the peaks of both, each with its own width.
        double peakF = Math.sqrt(Math.max(df - 1, 0) / df);
        double widthF = 1 / Math.sqrt(2 * df);
        double rate = df + q * q / 2;
        double peakG = Math.sqrt(Math.max(df - 1, 0) / rate);
        double widthG = 1 / Math.sqrt(2 * rate);
        double low = Math.max(0, Math.min(peakF - S_HALF_WIDTH * widthF, peakG - S_HALF_WIDTH * widthG));
        double high = Math.max(peakF + S_HALF_WIDTH * widthF, peakG + S_HALF_WIDTH * widthG);
        double panel = (high - low) / S_PANELS;
        double sum = 0;
        for (int p = 0; p < S_PANELS; p++) {
            double centre = low + (p + 0.5) * panel;
            for (int i = 0; i < NODES.length; i++) {
                double s = centre + NODES[i] * panel / 2;
                if (s <= 0) {
                    continue;
                }
                double density = Math.exp(logNorm + (df - 1) * Math.log(s) - df * s * s / 2);
                if (density == 0) {
                    continue;
                }
                sum += WEIGHTS[i] * panel / 2 * density * rangeUpperTail(q * s, k);
            }
        }
        return Math.min(1, sum);
    }

    /** R_k(w): the probability that the range of k standard normal values is at least w. */
    static double rangeUpperTail(double w, int k) {
        if (w <= 0) {
            return 1;
        }
        double centre = w / 2;
        double panel = 2 * Z_HALF_WIDTH / Z_PANELS;
        double sum = 0;
        double[] powers = new double[k - 1];
        for (int p = 0; p < Z_PANELS; p++) {
            double middle = centre - Z_HALF_WIDTH + (p + 0.5) * panel;
            for (int i = 0; i < NODES.length; i++) {
                double z = middle + NODES[i] * panel / 2;
                double density = Math.exp(-z * z / 2 - LOG_SQRT_2PI);
                // Each tail once, from the side where it is small: Φ(z) and Φ(z - w) keep their precision.
                double tailZ = NormalTail.upper(Math.abs(z));
                double tailZw = NormalTail.upper(Math.abs(z - w));
                double upper = z < 0 ? tailZ : 1 - tailZ;
                double below = z - w < 0 ? tailZw : 1 - tailZw;
                if (density == 0 || below == 0) {
                    continue;
                }
                // a = Φ(z) - Φ(z - w), from the upper tails where both are close to 1.
                double a = z > 0 ? (z - w < 0 ? 1 - tailZw : tailZw) - tailZ : upper - below;
                sum += WEIGHTS[i] * panel / 2 * density * below * powerSum(upper, a, k - 2, powers);
            }
        }
        return Math.min(1, k * sum);
    }

    /** Σ_{j=0}^{m} x^j y^(m-j), all terms positive. */
    private static double powerSum(double x, double y, int m, double[] powers) {
        powers[0] = 1;
        for (int j = 1; j <= m; j++) {
            powers[j] = powers[j - 1] * y;
        }
        double sum = 0;
        double xj = 1;
        for (int j = 0; j <= m; j++) {
            sum += xj * powers[m - j];
            xj *= x;
        }
        return sum;
    }
}
