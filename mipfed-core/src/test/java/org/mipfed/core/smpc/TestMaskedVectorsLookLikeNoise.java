package org.mipfed.core.smpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/**
 * What the manager receives from one node under secure aggregation, over many sessions, against what
 * a uniform random 128-bit word would give: byte frequencies (chi-square), per-bit balance, and no
 * correlation with the node's true value — which is either 0 or 10^6, chosen per session. The same
 * statistics on the unmasked encodings fail, so the test can tell data from noise.
 */
class TestMaskedVectorsLookLikeNoise {
    private static final int SESSIONS = 300;
    private static final int LENGTH = 8;

    @Test
    void aNodesMaskedVectorIsIndistinguishableFromUniformNoise() throws Exception {
        TestFederation fed = new TestFederation("node-a", "node-b", "node-c");
        long[][] byteCounts = new long[2][256];
        long[][] bitCounts = new long[2][128];
        int[] words = new int[2];
        double[] truth = new double[SESSIONS * LENGTH];
        double[] seen = new double[SESSIONS * LENGTH];
        long[] plainByteCounts = new long[256];
        for (int s = 0; s < SESSIONS; s++) {
            int group = s % 2;
            double value = group == 0 ? 0.0 : 1.0e6;
            double[] values = new double[LENGTH];
            java.util.Arrays.fill(values, value);
            TestFederation.Session session = fed.new Session("req-" + s);
            BigInteger[] masked = session.mask("node-b", values);
            byte[] wire = MaskedSum.toBytes(masked);
            for (byte b : wire) {
                byteCounts[group][b & 0xff]++;
            }
            for (byte b : MaskedSum.toBytes(FixedPoint.encode(values))) {
                plainByteCounts[b & 0xff]++;
            }
            for (int i = 0; i < LENGTH; i++) {
                for (int bit = 0; bit < 128; bit++) {
                    if (masked[i].testBit(bit)) {
                        bitCounts[group][bit]++;
                    }
                }
                words[group]++;
                truth[s * LENGTH + i] = value;
                // the manager's best reading of one element: decode it as if it were unmasked
                seen[s * LENGTH + i] = FixedPoint.decode(masked[i]);
            }
        }
        // 255 degrees of freedom: mean 255, sd 22.6; 400 is > 6 sd, so a false alarm is practically impossible
        for (int g = 0; g < 2; g++) {
            assertThat(chiSquare(byteCounts[g]))
                    .as("byte chi-square, true value group %d", g)
                    .isLessThan(400);
            double expected = words[g] / 2.0;
            double sd = Math.sqrt(words[g] / 4.0);
            for (int bit = 0; bit < 128; bit++) {
                assertThat(Math.abs(bitCounts[g][bit] - expected))
                        .as("bit %d balance, group %d", bit, g)
                        .isLessThan(6 * sd);
            }
        }
        assertThat(Math.abs(correlation(truth, seen)))
                .as("correlation of what the manager sees with the true value")
                .isLessThan(0.1);
        // the same test on the unmasked encodings sees the data at once
        assertThat(chiSquare(plainByteCounts)).isGreaterThan(10_000);
    }

    private static double chiSquare(long[] counts) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        double expected = total / (double) counts.length;
        double chi = 0;
        for (long c : counts) {
            chi += (c - expected) * (c - expected) / expected;
        }
        return chi;
    }

    private static double correlation(double[] x, double[] y) {
        int n = x.length;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i] / n;
            my += y[i] / n;
        }
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }
}
