package org.mipfed.algorithms.anova;

import org.apache.commons.math3.special.Erf;

/**
 * The standard normal upper tail 1 - Φ(x), fast and to full relative precision in the tail, for the
 * studentized range's double integral, which evaluates it hundreds of thousands of times per
 * p-value (Commons Math's erfc, a continued fraction, is far slower). Marsaglia's method ("Evaluating
 * the normal distribution", J. Stat. Softw. 11(4), 2004): the Mills ratio R(x) = (1 - Φ(x)) / φ(x)
 * by its Taylor series around the nearest point z of a grid of step 1/64, where R'(z) = z R(z) - 1
 * gives every further derivative; R at the grid points is computed once with Commons Math.
 */
final class NormalTail {
    /** Grid points per unit of the fine table. */
    private static final int STEPS = 64;

    private static final double LIMIT = 27;
    /** R at the grid points k / STEPS, 0 <= k <= LIMIT * STEPS. */
    private static final double[] MILLS = new double[(int) (LIMIT * STEPS) + 1];

    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

    static {
        // Straight from Commons Math at each grid point: the series is then never carried more than 1/128
        // away, where an error of the starting value cannot grow (it would along e^(z h)).
        for (int k = 0; k < MILLS.length; k++) {
            double z = (double) k / STEPS;
            MILLS[k] = 0.5 * Erf.erfc(z / Math.sqrt(2)) / Math.exp(-z * z / 2 - LOG_SQRT_2PI);
        }
    }

    private NormalTail() {}

    /** 1 - Φ(x), to about 1e-14 relative. */
    static double upper(double x) {
        if (x < 0) {
            return 1 - upper(-x);
        }
        if (x > 38) {
            return 0;
        }
        double r;
        if (x >= LIMIT) {
            // The asymptotic series of the Mills ratio: exact to ~1e-12 relative here, where the tail is below 1e-160.
            double y = 1 / (x * x);
            r = (1 - y * (1 - 3 * y * (1 - 5 * y * (1 - 7 * y)))) / x;
        } else {
            int k = (int) Math.rint(x * STEPS);
            double z = (double) k / STEPS;
            r = mills(MILLS[k], z, x - z);
        }
        return r * Math.exp(-0.5 * x * x - LOG_SQRT_2PI);
    }

    /** Φ(x). */
    static double lower(double x) {
        return upper(-x);
    }

    /** R(z + h) from R(z) by Taylor series; R' = z R - 1 gives the derivatives' recurrence. */
    private static double mills(double millsAtZ, double z, double h) {
        double a = millsAtZ;
        double b = z * a - 1;
        double s = a + h * b;
        double previous = a;
        double power = 1;
        for (int i = 2; s != previous && i < 200; i += 2) {
            a = (a + z * b) / i;
            b = (b + z * a) / (i + 1);
            power *= h * h;
            previous = s;
            s = previous + power * (a + h * b);
        }
        return s;
    }
}
