package org.mipfed.node.privacy;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import org.mipfed.proto.v1.VariableSummary;

/**
 * Applies the node's {@link PrivacyPolicy} to what primitives computed, before anything leaves the
 * node. Small results are either suppressed (a summary keeps its name but loses its figures, as
 * Exareme2 does) or refused outright (the whole answer), depending on the primitive.
 */
public final class PrivacyGuard {
    /** The rule name of too few rows, as reported in refusals and the audit log. */
    public static final String MIN_ROWS = "min_rows";

    private final PrivacyPolicy policy;

    public PrivacyGuard(PrivacyPolicy policy) {
        this.policy = requireNonNull(policy, "policy is null");
    }

    public PrivacyPolicy policy() {
        return policy;
    }

    /** Whether a summary over {@code rows} rows, {@code values} of them non-null, may be released. */
    public boolean releasable(long rows, long values) {
        return rows >= policy.minRows() && values >= policy.minRows();
    }

    /** The summary itself if releasable, else the same variable and dataset marked suppressed, with no figures. */
    public VariableSummary guard(VariableSummary summary) {
        if (!summary.getSuppressed() && releasable(summary.getNumTotal(), summary.getNumDtps())) {
            return summary;
        }
        return suppressed(summary.getVariable(), summary.getDataset());
    }

    /** A summary that says only that the variable of this dataset is withheld. */
    public static VariableSummary suppressed(String variable, String dataset) {
        return VariableSummary.newBuilder().setVariable(variable).setDataset(dataset).setSuppressed(true).build();
    }

    /**
     * Checks an aggregate over {@code rows} rows. No rows at all is fine (nothing about anyone is
     * released); a handful is not.
     *
     * @param what the rows, for the message, e.g. "rows complete in leftamygdala, gender"
     */
    public Optional<PrivacyViolation> checkRows(long rows, String what) {
        if (rows == 0 || rows >= policy.minRows()) {
            return Optional.empty();
        }
        return Optional.of(new PrivacyViolation(MIN_ROWS, "Only " + rows + " " + what + " on this node, fewer than the "
                + policy.minRows() + " its privacy policy requires (rule " + MIN_ROWS + "); widen the filters, choose variables "
                + "with fewer missing values, or leave this node's datasets out"));
    }
}
