package org.mipfed.algorithms.numerics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TestMoments {
    @Test
    void combiningPartsEqualsTheWhole() {
        double[] values = new Random(7).doubles(1000, -5, 20).toArray();
        Moments whole = of(values);
        Moments parts = Moments.EMPTY;
        for (int from = 0; from < values.length; from += 137) {
            parts = parts.combine(of(Arrays.copyOfRange(values, from, Math.min(values.length, from + 137))));
        }
        assertThat(parts.n()).isEqualTo(whole.n());
        assertThat(parts.mean()).isCloseTo(whole.mean(), within(1e-13));
        assertThat(parts.m2()).isCloseTo(whole.m2(), within(whole.m2() * 1e-13));
        assertThat(parts.min()).isEqualTo(whole.min());
        assertThat(parts.max()).isEqualTo(whole.max());
        assertThat(parts.sampleStd()).isCloseTo(whole.sampleStd(), within(1e-13));
    }

    /** Pooled Σx² - n x̄² would lose every digit here; the pairwise update keeps them. */
    @Test
    void staysAccurateFarFromZero() {
        Moments a = of(new double[] {1e9 + 1, 1e9 + 2});
        Moments b = of(new double[] {1e9 + 3, 1e9 + 4});
        Moments all = a.combine(b);
        assertThat(all.mean()).isEqualTo(1e9 + 2.5);
        assertThat(all.m2()).isEqualTo(5.0);
    }

    @Test
    void emptyIsNeutral() {
        Moments a = of(new double[] {1, 2, 4});
        assertThat(Moments.EMPTY.combine(a)).isEqualTo(a);
        assertThat(a.combine(Moments.EMPTY)).isEqualTo(a);
        assertThat(of(new double[] {3}).sampleStd()).isNaN();
    }

    static Moments of(double[] values) {
        double mean = Arrays.stream(values).sum() / values.length;
        double m2 = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum();
        return new Moments(
                values.length,
                mean,
                m2,
                Arrays.stream(values).min().orElseThrow(),
                Arrays.stream(values).max().orElseThrow());
    }
}
