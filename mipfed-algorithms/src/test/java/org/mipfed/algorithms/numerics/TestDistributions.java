package org.mipfed.algorithms.numerics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Reference values computed with mpmath at 50 digits. */
class TestDistributions {
    @Test
    void twoSidedStudentPValues() {
        assertRelative(Distributions.studentTwoSidedPValue(0.5, 10), 0.62789360574297294, 1e-13);
        assertRelative(Distributions.studentTwoSidedPValue(-2.0, 39), 0.052499015343854756, 1e-13);
        assertRelative(Distributions.studentTwoSidedPValue(8.270155842145584, 1402), 3.0731222275805655e-16, 1e-11);
        assertRelative(Distributions.studentTwoSidedPValue(30, 10), 3.9617923420313243e-11, 1e-11);
        // Far below 1 - cdf's reach: the tail is computed directly.
        assertRelative(Distributions.studentTwoSidedPValue(40, 1000), 1.0478852155173361e-209, 1e-9);
        assertThat(Distributions.studentTwoSidedPValue(0, 12)).isEqualTo(1.0);
        assertThat(Distributions.studentTwoSidedPValue(Double.POSITIVE_INFINITY, 12))
                .isZero();
        assertThat(Distributions.studentTwoSidedPValue(Double.NaN, 12)).isNaN();
    }

    @Test
    void fUpperTails() {
        assertRelative(Distributions.fUpperTail(1.2, 3, 50), 0.31939277910984966, 1e-13);
        assertRelative(Distributions.fUpperTail(153.4451948427044, 4, 1402), 6.1224083065802115e-109, 1e-10);
        assertThat(Distributions.fUpperTail(0, 3, 50)).isEqualTo(1.0);
        assertThat(Distributions.fUpperTail(Double.POSITIVE_INFINITY, 3, 50)).isZero();
    }

    @Test
    void studentQuantiles() {
        assertRelative(Distributions.studentQuantile(0.975, 5), 2.5705818356363155, 1e-12);
        assertRelative(Distributions.studentQuantile(0.975, 39), 2.0226909200367611, 1e-12);
        assertRelative(Distributions.studentQuantile(0.975, 1402), 1.9616574836310745, 1e-12);
        assertRelative(Distributions.studentQuantile(0.025, 39), -2.0226909200367611, 1e-12);
        // Asked again (kept): the very same value.
        assertThat(Distributions.studentQuantile(0.975, 39)).isEqualTo(Distributions.studentQuantile(0.975, 39));
        assertRelative(Distributions.studentQuantile(0.975, 39), 2.0226909200367611, 1e-12);
    }

    private static void assertRelative(double actual, double expected, double rtol) {
        assertThat(actual).isCloseTo(expected, within(Math.abs(expected) * rtol));
    }
}
