package org.mipfed.core.smpc;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * A node's own mask (the "b" of Bonawitz et al.'s double masking): a stream expanded from a random
 * seed the node Shamir-shares among its peers. Without it, a manager that claimed a node had dropped
 * could rebuild that node's pairwise masks and unmask an answer the node did send; with it, peers
 * reveal either a node's seed (it answered) or its mask key (it dropped), never both.
 */
public final class SelfMask {
    /** Seeds are 32 random bytes; as a number they stay far below the Shamir field's prime. */
    public static final int SEED_BYTES = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    private SelfMask() {}

    public static byte[] newSeed() {
        byte[] seed = new byte[SEED_BYTES];
        RANDOM.nextBytes(seed);
        return seed;
    }

    /** The self-mask for the vector masked under {@code requestId} (a session and round). */
    public static BigInteger[] of(byte[] seed, String requestId, int length) {
        if (seed.length != SEED_BYTES) {
            throw new IllegalArgumentException("a self-mask seed is " + SEED_BYTES + " bytes, not " + seed.length);
        }
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(
                new HKDFParameters(seed, null, ("mipfed-smpc-self-v1\0" + requestId).getBytes(StandardCharsets.UTF_8)));
        byte[] key = new byte[32];
        hkdf.generateBytes(key, 0, key.length);
        return PairwiseSecret.stream(key, length);
    }

    /** A seed as a Shamir secret. */
    public static BigInteger toSecret(byte[] seed) {
        return new BigInteger(1, seed);
    }

    /** The seed a reconstructed Shamir secret stands for. */
    public static byte[] fromSecret(BigInteger secret) {
        byte[] raw = secret.toByteArray();
        if (raw.length > SEED_BYTES + 1 || (raw.length == SEED_BYTES + 1 && raw[0] != 0)) {
            throw new IllegalArgumentException(
                    "the reconstructed secret is no self-mask seed (wrong or too few shares?)");
        }
        byte[] seed = new byte[SEED_BYTES];
        int n = Math.min(raw.length, SEED_BYTES);
        System.arraycopy(raw, raw.length - n, seed, SEED_BYTES - n, n);
        return seed;
    }
}
