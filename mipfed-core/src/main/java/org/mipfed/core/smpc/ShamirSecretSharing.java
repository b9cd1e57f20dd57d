package org.mipfed.core.smpc;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.interfaces.XECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Shamir's t-of-n secret sharing over the prime field GF(2<sup>521</sup> − 1), large enough for a 256-bit
 * X25519 scalar. Any t shares give the secret back; fewer give no information about it.
 */
public final class ShamirSecretSharing {
    /** The Mersenne prime 2^521 − 1. */
    public static final BigInteger PRIME = BigInteger.ONE.shiftLeft(521).subtract(BigInteger.ONE);

    private static final int SHARE_BYTES = 4 + 66;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One share: the polynomial's value y at x (x = 1..n). */
    public record Share(int x, BigInteger y) {
        public Share {
            if (x < 1) {
                throw new IllegalArgumentException("a share's x must be at least 1, was " + x);
            }
            if (y.signum() < 0 || y.compareTo(PRIME) >= 0) {
                throw new IllegalArgumentException("a share's y must lie in the field");
            }
        }

        public byte[] toBytes() {
            byte[] out = new byte[SHARE_BYTES];
            out[0] = (byte) (x >>> 24);
            out[1] = (byte) (x >>> 16);
            out[2] = (byte) (x >>> 8);
            out[3] = (byte) x;
            byte[] raw = y.toByteArray();
            int n = Math.min(raw.length, 66);
            System.arraycopy(raw, raw.length - n, out, SHARE_BYTES - n, n);
            return out;
        }

        public static Share fromBytes(byte[] b) {
            if (b.length != SHARE_BYTES) {
                throw new IllegalArgumentException("a share is " + SHARE_BYTES + " bytes, not " + b.length);
            }
            int x = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
            byte[] y = new byte[66];
            System.arraycopy(b, 4, y, 0, 66);
            return new Share(x, new BigInteger(1, y));
        }
    }

    private ShamirSecretSharing() {}

    /** The threshold this project uses for n nodes: a strict majority, ⌊n/2⌋ + 1. */
    public static int threshold(int n) {
        return n / 2 + 1;
    }

    /** Splits {@code secret} (0 ≤ secret &lt; {@link #PRIME}) into n shares, any t of which recover it. */
    public static List<Share> split(BigInteger secret, int n, int t) {
        if (t < 1 || t > n) {
            throw new IllegalArgumentException("the threshold must lie between 1 and " + n + ", was " + t);
        }
        if (secret.signum() < 0 || secret.compareTo(PRIME) >= 0) {
            throw new IllegalArgumentException("the secret must lie in the field");
        }
        BigInteger[] coefficients = new BigInteger[t];
        coefficients[0] = secret;
        for (int i = 1; i < t; i++) {
            BigInteger c;
            do {
                c = new BigInteger(PRIME.bitLength(), RANDOM);
            } while (c.compareTo(PRIME) >= 0);
            coefficients[i] = c;
        }
        List<Share> shares = new ArrayList<>(n);
        for (int x = 1; x <= n; x++) {
            BigInteger bx = BigInteger.valueOf(x);
            BigInteger y = BigInteger.ZERO;
            for (int i = t - 1; i >= 0; i--) {
                y = y.multiply(bx).add(coefficients[i]).mod(PRIME);
            }
            shares.add(new Share(x, y));
        }
        return shares;
    }

    /** The secret, by Lagrange interpolation at 0 of the given shares (at least t of them, distinct x). */
    public static BigInteger reconstruct(List<Share> shares) {
        Set<Integer> seen = new HashSet<>();
        for (Share s : shares) {
            if (!seen.add(s.x())) {
                throw new IllegalArgumentException("two shares have the same x = " + s.x());
            }
        }
        BigInteger secret = BigInteger.ZERO;
        for (Share i : shares) {
            BigInteger num = BigInteger.ONE;
            BigInteger den = BigInteger.ONE;
            for (Share j : shares) {
                if (j != i) {
                    num = num.multiply(BigInteger.valueOf(j.x())).mod(PRIME);
                    den = den.multiply(BigInteger.valueOf(j.x() - i.x())).mod(PRIME);
                }
            }
            secret = secret.add(i.y().multiply(num).multiply(den.modInverse(PRIME)))
                    .mod(PRIME);
        }
        return secret;
    }

    /** An X25519 private key's 32-byte scalar as a field element (little-endian bytes as they are). */
    public static BigInteger fromPrivateKey(PrivateKey key) {
        byte[] scalar = ((XECPrivateKey) key)
                .getScalar()
                .orElseThrow(() -> new IllegalArgumentException("this X25519 key does not expose its scalar"));
        return new BigInteger(1, scalar);
    }

    /** The X25519 private key whose scalar {@link #fromPrivateKey} turned into {@code secret}. */
    public static PrivateKey toPrivateKey(BigInteger secret) throws GeneralSecurityException {
        byte[] raw = secret.toByteArray();
        if (raw.length > 33 || (raw.length == 33 && raw[0] != 0)) {
            throw new GeneralSecurityException(
                    "the reconstructed secret is no X25519 scalar (wrong or too few shares?)");
        }
        byte[] scalar = new byte[32];
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, scalar, 32 - n, n);
        return KeyFactory.getInstance(SignedSmpcKey.KEY_AGREEMENT)
                .generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar));
    }
}
