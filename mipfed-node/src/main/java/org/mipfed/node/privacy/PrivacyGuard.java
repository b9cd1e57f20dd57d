package org.mipfed.node.privacy;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
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

    /**
     * Differencing across every figure of one answer and against the figures of earlier answers. The
     * {@code sets} are the rows behind the answer's figures, in the order the answer prefers to keep
     * them. A set is withheld when it differs by between 1 and the minimum of rows (the minimum cell
     * count for two {@link FigureRows#cell cells}) from a set of the same variable
     * <ul>
     * <li>kept earlier in this answer, or
     * <li>behind a figure an earlier answer released (the node remembers those sets per data model and
     * variable, as many as {@link PrivacyPolicy#differencingHistory()} per variable; 0 remembers none).
     * </ul>
     * The sets kept are remembered before the method returns, under the guard's lock, so two concurrent
     * answers cannot slip past each other. The caller withholds the figures over the sets returned
     * (descriptive statistics, histograms) or refuses the whole answer ({@link #figureDifferencing()}).
     *
     * @param dataModel the data model whose rows these are: row ids are unique per data model
     * @return the indexes of the sets whose figures must not be released
     */
    public synchronized BitSet checkFigureRows(String dataModel, List<FigureRows> sets) {
        requireNonNull(dataModel, "dataModel is null");
        BitSet withheld = new BitSet(sets.size());
        List<FigureRows> kept = new ArrayList<>();
        for (int i = 0; i < sets.size(); i++) {
            FigureRows set = sets.get(i);
            if (set.rows().isEmpty()) {
                continue;
            }
            if (clashes(set, kept) || history.closest(figureKey(dataModel, set.variable()), set.rows(), minDifference(set)) > 0) {
                withheld.set(i);
            }
            else {
                kept.add(set);
            }
        }
        for (FigureRows set : kept) {
            history.add(figureKey(dataModel, set.variable()), set.rows());
        }
        return withheld;
    }

    /** The refusal of an answer some of whose figures {@link #checkFigureRows} withheld, where withholding a part would change the analysis. */
    public PrivacyViolation figureDifferencing() {
        return new PrivacyViolation(DIFFERENCING, "Some figures of this answer would be computed over rows that differ from the rows of "
                + "another of its figures, or of an earlier answer, by fewer than the " + policy.minRows() + " rows this node's privacy policy "
                + "requires (rule " + DIFFERENCING + "): together they would describe those few. Use other variables, groups or filters, "
                + "or leave this node's datasets out");
    }

    /**
     * Secondary suppression: withholds more counts until none withheld can be recovered from the
     * released ones by a known sum. Each constraint lists the indexes of {@code counts} whose sum the
     * reader knows or can learn (a histogram's row, whose total is its rows; a bin's total with that
     * bin's cell in each level of a grouping variable). A constraint with withheld counts must hold at
     * least two, and at least one that is not small (between 1 and the minimum cell count): else one
     * subtraction gives a single one back, or the sum of small ones pins them all (two withheld cells
     * known to be under 3 that add up to 4 are both 2). Its smallest released non-zero count (a zero
     * if it has none) is withheld until that holds. Not an optimal suppression, nor one safe against
     * every linear-programming bound.
     *
     * @param withheld the counts withheld so far (primary suppression); updated in place
     */
    public void suppressSecondary(long[] counts, boolean[] withheld, List<int[]> constraints) {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int[] constraint : constraints) {
                int hidden = 0;
                int large = 0;
                int smallest = -1;
                for (int cell : constraint) {
                    if (withheld[cell]) {
                        hidden++;
                        large += releasableCount(counts[cell]) ? 1 : 0;
                    }
                    else if (smallest < 0 || better(counts, cell, smallest)) {
                        smallest = cell;
                    }
                }
                if (hidden > 0 && (hidden == 1 || large == 0) && smallest >= 0) {
                    withheld[smallest] = true;
                    changed = true;
                }
            }
        }
    }

    /** Whether cell a is a better second cell to withhold than b: non-zero before zero, then smaller. */
    private static boolean better(long[] counts, int a, int b) {
        if ((counts[a] > 0) != (counts[b] > 0)) {
            return counts[a] > 0;
        }
        return counts[a] < counts[b];
    }

    private boolean clashes(FigureRows set, List<FigureRows> kept) {
        for (FigureRows other : kept) {
            if (!other.variable().equals(set.variable())) {
                continue;
            }
            int minDifference = Math.max(minDifference(set), minDifference(other));
            if (Math.abs(other.size() - set.size()) >= minDifference) {
                continue;
            }
            long difference = RoaringBitmap.xorCardinality(other.rows(), set.rows());
            if (difference > 0 && difference < minDifference) {
                return true;
            }
        }
        return false;
    }

    private int minDifference(FigureRows set) {
        return set.cell() ? policy.minCellCount() : policy.minRows();
    }

    /** The history's key for figures of {@code variable}; apart from the selections' keys (the data model alone). */
    private static String figureKey(String dataModel, String variable) {
        return dataModel + "\u0000figures\u0000" + variable;
    }
}
