package org.mipfed.core.request;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Which cross-validation fold a row belongs to, without the row ever leaving its node: a hash of
 * the row's dataset and its position within that dataset (0-based, in the store's row-id order,
 * i.e. the order the dataset's rows were imported in), taken modulo the number of folds.
 *
 * <p>The hash uses only integer arithmetic below 2⁶³ and MD5 (which DuckDB and PostgreSQL both
 * offer), so the node computes it in SQL and gets, on either store, exactly what {@link #fold}
 * gives. With P = 2³¹ − 1 and s = the first 7 hex digits of md5(dataset) as a number:
 * <pre>
 *   x0 = (position + s) mod P
 *   x1 = (x0 · 48271) mod P
 *   x2 = (x1 · x1 + s) mod P
 *   h  = (x2 · 48271) mod P
 *   fold = h mod n_splits
 * </pre>
 * A row's fold does not depend on filters, on the other datasets of its node, or on how the
 * datasets are spread over nodes.
 */
public final class Folds {
    /** The modulus of the hash: the Mersenne prime 2³¹ − 1. */
    public static final long MODULUS = 2_147_483_647L;
    /** The multiplier of the hash (the "minimal standard" generator's). */
    public static final long MULTIPLIER = 48_271L;
    /** Hex digits of md5(dataset) that make its salt: 28 bits. */
    public static final int SALT_DIGITS = 7;
    /** The most folds a request may ask for. */
    public static final int MAX_SPLITS = 1000;

    private Folds() {}

    /** The salt of a dataset: its MD5's first {@link #SALT_DIGITS} hex digits as a number. */
    public static long salt(String dataset) {
        requireNonNull(dataset, "dataset is null");
        try {
            byte[] digest = MessageDigest.getInstance("MD5").digest(dataset.getBytes(StandardCharsets.UTF_8));
            return Long.parseLong(HexFormat.of().formatHex(digest).substring(0, SALT_DIGITS), 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is missing from this Java runtime", e);
        }
    }

    /** The hash of a row, before it is reduced modulo the number of folds. */
    public static long hash(String dataset, long position) {
        if (position < 0 || position >= MODULUS) {
            throw new IllegalArgumentException("position " + position + " is outside [0, " + MODULUS + ")");
        }
        long s = salt(dataset);
        long x0 = (position + s) % MODULUS;
        long x1 = x0 * MULTIPLIER % MODULUS;
        long x2 = (x1 * x1 + s) % MODULUS;
        return x2 * MULTIPLIER % MODULUS;
    }

    /** The fold (0 .. nSplits − 1) of the row at {@code position} of {@code dataset}. */
    public static int fold(String dataset, long position, int nSplits) {
        if (nSplits < 2 || nSplits > MAX_SPLITS) {
            throw new IllegalArgumentException("n_splits must be between 2 and " + MAX_SPLITS + ", not " + nSplits);
        }
        return (int) (hash(dataset, position) % nSplits);
    }
}
