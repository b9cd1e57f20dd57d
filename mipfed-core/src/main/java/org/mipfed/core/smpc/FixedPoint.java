package org.mipfed.core.smpc;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Real numbers as fixed point in Z<sub>2<sup>128</sup></sub>: {@code round(x · 2^52)} as a signed
 * 128-bit integer, reduced modulo 2<sup>128</sup>. Sums modulo 2<sup>128</sup> of encodings decode to the
 * sum of the numbers as long as the true sum stays within {@link #MAX_MAGNITUDE}.
 *
 * <p>Limits: each value is rounded to a multiple of 2<sup>−52</sup> (≈ 2.2·10<sup>−16</sup>), so a sum
 * over n nodes is off by at most n·2<sup>−53</sup> in absolute terms — far below 10<sup>−9</sup> relative for
 * any aggregate above 10<sup>−6</sup> in magnitude; a value or a sum must stay below 2<sup>74</sup> ≈ 1.9·10<sup>22</sup>
 * in magnitude (a sum of squares of 10<sup>6</sup> rows of values up to 10<sup>8</sup> fits). Non-finite values
 * cannot be encoded.
 */
public final class FixedPoint {
    public static final int FRACTION_BITS = 52;
    public static final BigInteger MODULUS = BigInteger.ONE.shiftLeft(128);
    /** The largest magnitude a value, or a sum over nodes, may have. */
    public static final double MAX_MAGNITUDE = Math.scalb(1.0, 127 - FRACTION_BITS - 1);

    private static final BigDecimal SCALE = new BigDecimal(BigInteger.ONE.shiftLeft(FRACTION_BITS));
    private static final BigInteger HALF = BigInteger.ONE.shiftLeft(127);

    private FixedPoint() {}

    /** The encoding of {@code x}; throws when x is not finite or too large to sum safely. */
    public static BigInteger encode(double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException(
                    "secure aggregation cannot encode " + x + ": only finite numbers can be summed");
        }
        if (Math.abs(x) >= MAX_MAGNITUDE) {
            throw new IllegalArgumentException("secure aggregation cannot encode " + x
                    + ": its magnitude must stay below 2^74 (" + MAX_MAGNITUDE + ")");
        }
        BigInteger scaled = new BigDecimal(x)
                .multiply(SCALE)
                .setScale(0, RoundingMode.HALF_EVEN)
                .toBigIntegerExact();
        return scaled.mod(MODULUS);
    }

    public static BigInteger[] encode(double[] xs) {
        BigInteger[] out = new BigInteger[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = encode(xs[i]);
        }
        return out;
    }

    /** The number an element of Z<sub>2<sup>128</sup></sub> encodes (the upper half are negatives). */
    public static double decode(BigInteger v) {
        BigInteger r = v.mod(MODULUS);
        if (r.compareTo(HALF) >= 0) {
            r = r.subtract(MODULUS);
        }
        return new BigDecimal(r).divide(SCALE).doubleValue();
    }

    public static double[] decode(BigInteger[] vs) {
        double[] out = new double[vs.length];
        for (int i = 0; i < vs.length; i++) {
            out[i] = decode(vs[i]);
        }
        return out;
    }

    /** A 128-bit element as 16 big-endian bytes (the wire form of a masked vector's element). */
    public static byte[] toBytes(BigInteger v) {
        byte[] raw = v.mod(MODULUS).toByteArray();
        byte[] out = new byte[16];
        int n = Math.min(raw.length, 16);
        System.arraycopy(raw, raw.length - n, out, 16 - n, n);
        return out;
    }

    public static BigInteger fromBytes(byte[] b, int offset) {
        byte[] w = new byte[16];
        System.arraycopy(b, offset, w, 0, 16);
        return new BigInteger(1, w);
    }
}
