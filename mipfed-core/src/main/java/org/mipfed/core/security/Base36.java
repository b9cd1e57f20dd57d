package org.mipfed.core.security;

import java.security.SecureRandom;

/** Random identifiers and secrets over {@code [0-9a-z]}, the alphabet of Docker's node ids and token secrets. */
public final class Base36 {
    private static final String ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Base36() {}

    /**
     * Returns {@code length} characters drawn uniformly from {@code [0-9a-z]}, each carrying log2(36) ≈ 5.17
     * bits: 25 characters hold 129 bits.
     */
    public static String random(int length) {
        if (length <= 0) {
            throw new IllegalArgumentException("length must be positive: " + length);
        }
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            // nextInt(bound) rejects biased draws, so every character is uniform
            chars[i] = ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length()));
        }
        return new String(chars);
    }

    /** Whether {@code text} is exactly {@code length} characters of {@code [0-9a-z]}. */
    public static boolean isBase36(String text, int length) {
        if (text == null || text.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'z')) {
                return false;
            }
        }
        return true;
    }
}
