package org.mipfed.algorithms.anova;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.apache.commons.math3.special.Erf;
import org.junit.jupiter.api.Test;
import org.mipfed.algorithms.numerics.Distributions;

class TestStudentizedRange {
    @Test
    void twoMeansAreATTest() {
        // With k = 2, Q = sqrt(2) |T|: the tail is the two-sided t p-value, which has a closed form.
        for (double df : new double[] {3, 10, 77, 500, 2500}) {
            for (double q : new double[] {0.1, 1, 2.5, 4, 7, 12}) {
                double expected = Distributions.studentTwoSidedPValue(q / Math.sqrt(2), df);
                assertThat(StudentizedRange.upperTail(q, 2, df))
                        .as("q %s df %s", q, df)
                        .isCloseTo(expected, within(1e-11 * expected + 1e-300));
            }
        }
    }

    @Test
    void matchesPublishedCriticalValues() {
        // 5% points of the studentized range (e.g. Harter's tables, as printed in most textbooks), to 3 decimals.
        assertThat(StudentizedRange.upperTail(3.877, 3, 10)).isCloseTo(0.05, within(2e-4));
        assertThat(StudentizedRange.upperTail(4.232, 5, 20)).isCloseTo(0.05, within(2e-4));
        assertThat(StudentizedRange.upperTail(4.646, 10, 60)).isCloseTo(0.05, within(2e-4));
        assertThat(StudentizedRange.upperTail(3.356, 3, 120)).isCloseTo(0.05, within(2e-4));
        // 1% point.
        assertThat(StudentizedRange.upperTail(5.270, 3, 10)).isCloseTo(0.01, within(1e-4));
    }

    @Test
    void matchesSciPy() {
        // scipy.stats.studentized_range.sf(q, k, df), SciPy 1.17.
        double[][] cases = {
            {3.5, 4, 30, 0.08466901694573825},
            {1.0, 3, 77, 0.7600359616202115},
            {5.0, 10, 200, 0.01775711134013891},
            {2.2, 5, 12, 0.5493413246965928},
            {6.5, 3, 1000, 1.4463863282743183e-05},
            {0.3, 6, 50, 0.9999370419835768},
            {4.0, 20, 2000, 0.33695761080186404},
            {9.0, 4, 40, 8.552106831594131e-07},
            {3.0, 30, 2041, 0.9557358054779675},
        };
        for (double[] c : cases) {
            double p = StudentizedRange.upperTail(c[0], (int) c[1], c[2]);
            assertThat(p).as("q %s k %s df %s", c[0], c[1], c[2]).isCloseTo(c[3], within(1e-7 * c[3]));
        }
    }

    @Test
    void normalTailIsAccurate() {
        for (double x = -8; x <= 37; x += 0.37) {
            double expected = 0.5 * Erf.erfc(x / Math.sqrt(2));
            // Beyond 27, where the tail is below 1e-160, the asymptotic series is used.
            assertThat(NormalTail.upper(x))
                    .as("x %s", x)
                    .isCloseTo(expected, within((x < 27 ? 1e-12 : 1e-9) * expected));
        }
    }

    @Test
    void tinyTailsKeepTheirPrecision() {
        double p = StudentizedRange.upperTail(20, 2, 100);
        assertThat(p)
                .isCloseTo(Distributions.studentTwoSidedPValue(20 / Math.sqrt(2), 100), within(1e-9 * p))
                .isLessThan(1e-20);
    }

    @Test
    void isFastEnoughForManyPairs() {
        long start = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            StudentizedRange.upperTail(1 + i * 0.02, 8, 300 + i);
        }
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(10);
        System.out.println("200 tails in " + (System.nanoTime() - start) / 1e6 + " ms");
    }
}
