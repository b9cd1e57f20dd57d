package org.mipfed.node.primitive;

import org.mipfed.core.model.Cde;
import org.mipfed.node.privacy.PrivacyGuard;
import org.mipfed.node.privacy.PrivacyRefusals;
import org.mipfed.node.privacy.PrivacyViolation;

/**
 * The time bins that {@code survival_counts} and {@code cox_step} share: a time {@code t} is moved up to the end of
 * its bin, {@code k = ceil(t / w)}, so nothing finer than a bin leaves the node; the checks of the request, of each
 * bin number and of each bin's counts are the same for both.
 */
final class TimeBins {
    /** The rule of a bin width too small for the times on the node. */
    static final String BIN_WIDTH = "bin_width";

    /** Bin numbers must stay exact as doubles and as 64-bit integers. */
    private static final double MAX_BIN = 0x1p52;

    private TimeBins() {}

    /**
     * The bin width of a request naming {@code time} and {@code event}, refused when either is missing or the width
     * is not a positive finite number.
     */
    static double width(String primitive, String time, String event, double width) {
        if (time.isEmpty() || event.isEmpty()) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY, primitive + " needs a time and an event variable");
        }
        if (!(width > 0) || !Double.isFinite(width)) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY,
                    "The bin width of " + primitive + " must be a positive number, not " + width);
        }
        return width;
    }

    /**
     * A bin number as the statement computed it, refused when the width is too small for the node's times (whether
     * some time is that large is about the rows: counted by the refusal budget, with no figure in the text).
     */
    static long number(double bin, Cde time) {
        if (Math.abs(bin) > MAX_BIN) {
            throw RefusalException.caller(
                    BIN_WIDTH,
                    "The bin width is too small for the values of '" + time.code()
                            + "' on this node; choose a wider one");
        }
        return (long) bin;
    }

    /**
     * Refuses a bin's count between 1 and the minimum, without saying which bin, group or stratum (that would locate
     * the few rows): a curve or a model cannot be built from withheld counts, and a wider bin answers the question.
     */
    static void check(PrivacyGuard guard, long count, Cde time) {
        if (count > 0 && !guard.releasable(count, count)) {
            PrivacyViolation v = PrivacyRefusals.survivalBins(guard.policy(), time.code());
            throw RefusalException.caller(v.rule(), v.message());
        }
    }
}
