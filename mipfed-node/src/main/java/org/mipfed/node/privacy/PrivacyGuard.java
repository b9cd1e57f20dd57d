package org.mipfed.node.privacy;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.mipfed.proto.v1.NumericalSummary;
import org.mipfed.proto.v1.VariableSummary;
import org.roaringbitmap.RoaringBitmap;

/**
 * Applies the node's {@link PrivacyPolicy} to what primitives are asked and computed, before anything
 * leaves the node. Small results are either suppressed (a summary keeps its name but loses its
 * figures, as Exareme2 does) or refused outright (the whole answer), depending on the primitive.
 * Every refusal names its rule, one of the constants here. Thread-safe.
 */
public final class PrivacyGuard {
    /** Too few rows in an aggregate or in the selected rows. */
    public static final String MIN_ROWS = "min_rows";
    /** A released count between 1 and the minimum cell count. */
    public static final String MIN_CELL_COUNT = "min_cell_count";
    /** More model parameters than the ratio allows for the rows. */
    public static final String MAX_PARAMETER_RATIO = "max_parameter_ratio";
    /** A nominal variable with more levels than allowed. */
    public static final String MAX_LEVELS = "max_levels";
    /** A primitive the node does not compute. */
    public static final String ALLOWED_PRIMITIVES = "allowed_primitives";
    /** Minima, maxima or quartiles asked of a node that keeps them. */
    public static final String RELEASE_EXTREMES = "release_extremes";
    /** A selection of rows too close to all rows or to an earlier selection. */
    public static final String DIFFERENCING = "differencing";

    private final PrivacyPolicy policy;
    private final RowSetHistory history;

    public PrivacyGuard(PrivacyPolicy policy) {
        this(policy, null);
    }

    /**
     * A guard whose differencing history is kept in {@code historyFile} as well, so that a restart
     * does not forget which row selections were answered (null: in memory only).
     */
    public PrivacyGuard(PrivacyPolicy policy, Path historyFile) {
        this.policy = requireNonNull(policy, "policy is null");
        this.history = new RowSetHistory(policy.differencingHistory(), historyFile);
    }

    public PrivacyPolicy policy() {
        return policy;
    }

    /** Whether a summary over {@code rows} rows, {@code values} of them non-null, may be released. */
    public boolean releasable(long rows, long values) {
        return rows >= policy.minRows() && values >= policy.minRows();
    }

    /** Whether a count may be released: none at all, or at least the minimum cell count. */
    public boolean releasableCount(long count) {
        return count <= 0 || count >= policy.minCellCount();
    }

    /**
     * The summary itself if releasable, else the same variable and dataset marked suppressed, with no
     * figures. A nominal summary with a level count between 1 and the minimum cell count is
     * suppressed whole: withholding that one count would not hide it, since the others and the total
     * give it back. Without {@code release_extremes}, minimum, maximum and quartiles become NaN
     * (shown as null by the manager).
     */
    public VariableSummary guard(VariableSummary summary) {
        if (summary.getSuppressed() || !releasable(summary.getNumTotal(), summary.getNumDtps())) {
            return suppressed(summary.getVariable(), summary.getDataset());
        }
        for (Map.Entry<String, Long> level : summary.getCountsMap().entrySet()) {
            if (!releasableCount(level.getValue())) {
                return suppressed(summary.getVariable(), summary.getDataset());
            }
        }
        if (!policy.releaseExtremes() && summary.hasNumerical()) {
            return summary.toBuilder().setNumerical(withoutExtremes(summary.getNumerical())).build();
        }
        return summary;
    }

    /** The moments with NaN for minimum, maximum and quartiles. */
    public static NumericalSummary withoutExtremes(NumericalSummary summary) {
        return summary.toBuilder().setMin(Double.NaN).setMax(Double.NaN).setQ1(Double.NaN).setQ2(Double.NaN).setQ3(Double.NaN).build();
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

    /**
     * Checks a count the answer would reveal (exactly or through other figures).
     *
     * @param what the count, for the message, e.g. "rows with gender = F"
     */
    public Optional<PrivacyViolation> checkCount(long count, String what) {
        if (releasableCount(count)) {
            return Optional.empty();
        }
        return Optional.of(new PrivacyViolation(MIN_CELL_COUNT, "The answer would reveal that " + count + " " + what
                + " on this node, fewer than the " + policy.minCellCount() + " its privacy policy allows in any count (rule "
                + MIN_CELL_COUNT + "); merge or leave out rare levels, widen the filters, or leave this node's datasets out"));
    }

    /** Checks a model of {@code parameters} parameters (design columns) over {@code rows} rows. */
    public Optional<PrivacyViolation> checkParameters(int parameters, long rows) {
        double ratio = policy.maxParameterRatio();
        if (ratio == 0 || rows == 0 || parameters <= ratio * rows) {
            return Optional.empty();
        }
        return Optional.of(new PrivacyViolation(MAX_PARAMETER_RATIO, "A model of " + parameters + " parameters over " + rows
                + " rows of this node exceeds its privacy policy's " + ratio + " parameters per row (rule " + MAX_PARAMETER_RATIO
                + "): so many parameters could give the rows back. Use fewer covariates or levels, or more rows"));
    }

    /** Checks a nominal variable of {@code levels} levels. */
    public Optional<PrivacyViolation> checkLevels(String variable, int levels) {
        if (policy.maxLevels() == 0 || levels <= policy.maxLevels()) {
            return Optional.empty();
        }
        return Optional.of(new PrivacyViolation(MAX_LEVELS, "The nominal variable '" + variable + "' has " + levels
                + " levels, more than the " + policy.maxLevels() + " this node's privacy policy allows (rule " + MAX_LEVELS
                + "); use a variable with fewer levels"));
    }

    /** Checks that the node computes {@code primitive} at all. */
    public Optional<PrivacyViolation> checkPrimitive(String primitive) {
        if (policy.allows(primitive)) {
            return Optional.empty();
        }
        return Optional.of(new PrivacyViolation(ALLOWED_PRIMITIVES, "This node does not compute " + primitive + ": its privacy policy "
                + "allows only " + String.join(", ", policy.allowedPrimitives()) + " (rule " + ALLOWED_PRIMITIVES + "); choose an "
                + "analysis built on those, or leave this node's datasets out"));
    }

    /** Checks a request for minima, maxima or quartiles ({@code what}) that the node cannot leave out of its answer. */
    public Optional<PrivacyViolation> checkExtremes(String what) {
        if (policy.releaseExtremes()) {
            return Optional.empty();
        }
        return Optional.of(new PrivacyViolation(RELEASE_EXTREMES, "This node does not release minima, maxima or quartiles (rule "
                + RELEASE_EXTREMES + "), and " + what + " needs them; give the bins' edges or the centres yourself, or leave this "
                + "node's datasets out"));
    }

    /**
     * Differencing protection for a selection of rows (the rows of the requested datasets that pass
     * the filter), before anything is computed over it:
     * <ul>
     * <li>the complement rule: a selection that is not all rows must leave out at least the minimum
     * of rows (else it and all rows together describe the few left out); a selection of fewer than
     * the minimum is left to the primitives, which refuse or suppress every aggregate over it;
     * <li>the history: it must not differ from any earlier selection of the data model by fewer than
     * the minimum of rows (else the two answers' difference describes those few).
     * </ul>
     * A selection that passes is remembered (at most {@link PrivacyPolicy#differencingHistory()}
     * distinct ones per data model, the oldest forgotten first).
     *
     * @param dataModel the data model whose rows these are: row ids are unique per data model
     * @param selected the {@code _row_id}s of the selected rows
     * @param all how many rows the requested datasets hold
     */
    public Optional<PrivacyViolation> checkSelection(String dataModel, RoaringBitmap selected, long all) {
        long rows = selected.getLongCardinality();
        if (rows < policy.minRows()) {
            // Every primitive refuses or suppresses an aggregate over so few rows: nothing to compare later.
            return Optional.empty();
        }
        long left = all - rows;
        if (left > 0 && left < policy.minRows()) {
            return Optional.of(new PrivacyViolation(DIFFERENCING, "The filter leaves out only " + left + " of the " + all + " rows of the "
                    + "requested datasets on this node, fewer than the " + policy.minRows() + " its privacy policy requires (rule "
                    + DIFFERENCING + "): the answer and one over all rows would describe those few. Leave the filter out or make it select "
                    + "fewer rows"));
        }
        long closest = history.admit(dataModel, selected, policy.minRows());
        if (closest > 0) {
            return Optional.of(new PrivacyViolation(DIFFERENCING, "The rows selected differ by only " + closest + " from those of an "
                    + "earlier request to this node, fewer than the " + policy.minRows() + " its privacy policy requires (rule "
                    + DIFFERENCING + "): the two answers together would describe those few. Use the earlier selection, or one that "
                    + "differs from it by more rows"));
        }
        return Optional.empty();
    }
}
