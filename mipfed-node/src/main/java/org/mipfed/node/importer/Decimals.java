package org.mipfed.node.importer;

/**
 * Parses decimal numbers straight from a CSV cell's chars. The grammar is the plain one of CSV
 * exports ({@code [+-]digits[.digits][e[+-]digits]}): no NaN, Infinity, hex or type suffixes, which
 * {@link Double#parseDouble} would accept. Numbers of at most 18 digits with a small exponent,
 * nearly all of them, are converted exactly by one IEEE multiplication or division (Clinger's fast
 * path, correctly rounded); the rest go to {@link Double#parseDouble}.
 */
final class Decimals {
    private static final double[] POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    };
    private static final long EXACT_LIMIT = 1L << 53;

    private Decimals() {}

    /** The number in {@code chars[start, end)}, or NaN if it is not one. */
    static double parse(char[] chars, int start, int end) {
        int i = start;
        boolean negative = false;
        if (i < end && (chars[i] == '+' || chars[i] == '-')) {
            negative = chars[i] == '-';
            i++;
        }
        long mantissa = 0;
        int digits = 0;
        int integerStart = i;
        while (i < end && isDigit(chars[i])) {
            mantissa = digits < 18 ? mantissa * 10 + (chars[i] - '0') : mantissa;
            digits++;
            i++;
        }
        int integerDigits = i - integerStart;
        int fractionDigits = 0;
        if (i < end && chars[i] == '.') {
            i++;
            int fractionStart = i;
            while (i < end && isDigit(chars[i])) {
                mantissa = digits < 18 ? mantissa * 10 + (chars[i] - '0') : mantissa;
                digits++;
                i++;
            }
            fractionDigits = i - fractionStart;
        }
        if (integerDigits + fractionDigits == 0) {
            return Double.NaN;
        }
        int exponent = 0;
        if (i < end && (chars[i] == 'e' || chars[i] == 'E')) {
            i++;
            boolean negativeExponent = false;
            if (i < end && (chars[i] == '+' || chars[i] == '-')) {
                negativeExponent = chars[i] == '-';
                i++;
            }
            int exponentStart = i;
            while (i < end && isDigit(chars[i])) {
                // Capped: anything this large over- or underflows anyway.
                exponent = exponent < 100_000 ? exponent * 10 + (chars[i] - '0') : exponent;
                i++;
            }
            if (i == exponentStart) {
                return Double.NaN;
            }
            exponent = negativeExponent ? -exponent : exponent;
        }
        if (i != end) {
            return Double.NaN;
        }
        if (digits <= 18) {
            int scale = exponent - fractionDigits;
            if (mantissa == 0) {
                return negative ? -0.0 : 0.0;
            }
            if (mantissa < EXACT_LIMIT && scale >= -22 && scale <= 22) {
                double value = scale >= 0 ? mantissa * POWERS_OF_TEN[scale] : mantissa / POWERS_OF_TEN[-scale];
                return negative ? -value : value;
            }
        }
        return Double.parseDouble(new String(chars, start, end - start));
    }

    /** Whether {@code chars[start, end)} is a plain integer of at most 18 digits, the common case of int cells. */
    static boolean isShortInteger(char[] chars, int start, int end) {
        int i = start < end && (chars[start] == '+' || chars[start] == '-') ? start + 1 : start;
        if (i == end || end - i > 18) {
            return false;
        }
        for (; i < end; i++) {
            if (!isDigit(chars[i])) {
                return false;
            }
        }
        return true;
    }

    /** The value of a cell {@link #isShortInteger} accepted. */
    static long parseShortInteger(char[] chars, int start, int end) {
        int i = start;
        boolean negative = chars[i] == '-';
        if (chars[i] == '+' || chars[i] == '-') {
            i++;
        }
        long value = 0;
        for (; i < end; i++) {
            value = value * 10 + (chars[i] - '0');
        }
        return negative ? -value : value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
