package org.mipfed.algorithms.ttest;

import org.mipfed.core.problem.Problem;

/** The alternative hypothesis of a t-test, as the specs spell it ({@code alt_hypothesis}). */
public enum Alternative {
    TWO_SIDED("two-sided"),
    LESS("less"),
    GREATER("greater");

    private final String code;

    Alternative(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    /**
     * @throws Problem 400 when {@code code} is none of two-sided, less, greater
     */
    public static Alternative of(String code) {
        for (Alternative alternative : values()) {
            if (alternative.code.equals(code)) {
                return alternative;
            }
        }
        throw Problem.badRequest(
                "The alternative hypothesis (alt_hypothesis) must be two-sided, less or greater, not '" + code + "'");
    }
}
