package org.mipfed.core.smpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TestFixedPoint {
    @Test
    void roundTripsWithinHalfAQuantum() {
        Random r = new Random(1);
        for (int i = 0; i < 10_000; i++) {
            double x = (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(40) - 20);
            assertThat(FixedPoint.decode(FixedPoint.encode(x)))
                    .isCloseTo(x, within(Math.ulp(x) + Math.scalb(1.0, -52)));
        }
        assertThat(FixedPoint.decode(FixedPoint.encode(-3.25))).isEqualTo(-3.25);
        assertThat(FixedPoint.decode(FixedPoint.encode(0.0))).isZero();
    }

    @Test
    void sumsOfEncodingsDecodeToTheSumToOneInABillion() {
        // the magnitudes of real aggregates: counts, sums of squares of lab values, small gradients
        double[][] parts = {
            {1234.0, 5.5e11, -3.2e-4, 7.0e15}, {4321.0, 2.25e11, 1.1e-4, -2.0e15}, {17.0, 1.0e9, 2.0e-4, 9.9e14}
        };
        BigInteger[] sum = {BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO};
        double[] plain = new double[4];
        for (double[] p : parts) {
            for (int i = 0; i < 4; i++) {
                sum[i] = sum[i].add(FixedPoint.encode(p[i])).mod(FixedPoint.MODULUS);
                plain[i] += p[i];
            }
        }
        double[] decoded = FixedPoint.decode(sum);
        for (int i = 0; i < 4; i++) {
            assertThat(Math.abs(decoded[i] - plain[i]) / Math.abs(plain[i])).isLessThan(1e-9);
        }
    }

    @Test
    void refusesWhatItCannotSum() {
        assertThatThrownBy(() -> FixedPoint.encode(Double.NaN)).hasMessageContaining("only finite numbers");
        assertThatThrownBy(() -> FixedPoint.encode(Double.NEGATIVE_INFINITY))
                .hasMessageContaining("only finite numbers");
        assertThatThrownBy(() -> FixedPoint.encode(1e23)).hasMessageContaining("2^74");
        assertThat(FixedPoint.decode(FixedPoint.encode(-1.8e22))).isCloseTo(-1.8e22, within(1e7));
    }

    @Test
    void bytesRoundTrip() {
        BigInteger[] v = {
            FixedPoint.encode(-1.0),
            BigInteger.ZERO,
            FixedPoint.MODULUS.subtract(BigInteger.ONE),
            BigInteger.ONE.shiftLeft(120)
        };
        assertThat(MaskedSum.fromBytes(MaskedSum.toBytes(v))).containsExactly(v);
    }
}
