package org.mipfed.node.privacy;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.model.SqlType;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.FilterRule;
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
    /** A selection of rows too small, too close to all rows or to an earlier selection. */
    public static final String DIFFERENCING = "differencing";
    /** A requester who spent the node's refusal budget on a dataset. */
    public static final String REFUSAL_BUDGET = "refusal_budget";
    /** A filter the node's filter policy does not accept (variables, number of conditions, equality on continuous values). */
    public static final String FILTER_POLICY = "filter_policy";
    /** A response with values outside its model family's range on some selected row. */
    public static final String RESPONSE_VALUES = "response_values";

    private final PrivacyPolicy policy;
    private final RowSetHistory history;
    private final RefusalBudget budget;

    public PrivacyGuard(PrivacyPolicy policy) {
        this(policy, null);
    }

    /**
     * A guard whose differencing history is kept in {@code historyFile} as well, so that a restart
     * does not forget which row selections were answered (null: in memory only).
     */
    public PrivacyGuard(PrivacyPolicy policy, Path historyFile) {
        this(policy, historyFile, null);
    }

    /**
     * A guard whose differencing history and refusal budget are kept in files as well (null: in
     * memory only), so that a restart forgets neither the selections answered nor a lockout.
     */
    public PrivacyGuard(PrivacyPolicy policy, Path historyFile, Path budgetFile) {
        this.policy = requireNonNull(policy, "policy is null");
        this.history = new RowSetHistory(policy.differencingHistory(), historyFile);
        this.budget = new RefusalBudget(policy, budgetFile);
    }

    public PrivacyPolicy policy() {
        return policy;
    }

    /** The refusals counted per requester and dataset, and the lockouts. */
    public RefusalBudget budget() {
        return budget;
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
            return summary.toBuilder()
                    .setNumerical(withoutExtremes(summary.getNumerical()))
                    .build();
        }
        return summary;
    }

    /** The moments with NaN for minimum, maximum and quartiles. */
    public static NumericalSummary withoutExtremes(NumericalSummary summary) {
        return summary.toBuilder()
                .setMin(Double.NaN)
                .setMax(Double.NaN)
                .setQ1(Double.NaN)
                .setQ2(Double.NaN)
                .setQ3(Double.NaN)
                .build();
    }

    /** A summary that says only that the variable of this dataset is withheld. */
    public static VariableSummary suppressed(String variable, String dataset) {
        return VariableSummary.newBuilder()
                .setVariable(variable)
                .setDataset(dataset)
                .setSuppressed(true)
                .build();
    }

    /**
     * Checks an aggregate over {@code rows} rows. No rows at all is fine (nothing about anyone is
     * released); a handful is not.
     *
     * @param variables the variables the rows are complete in, comma-separated, for the message (names
     *     only: the message must say nothing about the rows)
     */
    public Optional<PrivacyViolation> checkRows(long rows, String variables) {
        if (rows == 0 || rows >= policy.minRows()) {
            return Optional.empty();
        }
        return Optional.of(PrivacyRefusals.minRows(policy, names(variables)));
    }

    /**
     * Checks a count the answer would reveal (exactly or through other figures).
     *
     * @param variables the variables whose levels the count is of, comma-separated (names only, no level:
     *     naming the rare level would say which level is rare)
     */
    public Optional<PrivacyViolation> checkCount(long count, String variables) {
        if (releasableCount(count)) {
            return Optional.empty();
        }
        return Optional.of(PrivacyRefusals.minCellCount(policy, names(variables)));
    }

    /** Checks a model of {@code parameters} parameters (design columns) over {@code rows} rows. */
    public Optional<PrivacyViolation> checkParameters(int parameters, long rows) {
        double ratio = policy.maxParameterRatio();
        if (ratio == 0 || rows == 0 || parameters <= ratio * rows) {
            return Optional.empty();
        }
        return Optional.of(PrivacyRefusals.maxParameterRatio(policy));
    }

    /** Checks a nominal variable of {@code levels} levels. */
    public Optional<PrivacyViolation> checkLevels(String variable, int levels) {
        if (policy.maxLevels() == 0 || levels <= policy.maxLevels()) {
            return Optional.empty();
        }
        return Optional.of(PrivacyRefusals.maxLevels(policy, variable));
    }

    /** Checks that the node computes {@code primitive} at all. */
    public Optional<PrivacyViolation> checkPrimitive(String primitive) {
        if (policy.allows(primitive)) {
            return Optional.empty();
        }
        return Optional.of(PrivacyRefusals.allowedPrimitives(policy, primitive));
    }

    /** Checks a request for minima, maxima or quartiles ({@code what}) that the node cannot leave out of its answer. */
    public Optional<PrivacyViolation> checkExtremes(String what) {
        if (policy.releaseExtremes()) {
            return Optional.empty();
        }
        return Optional.of(PrivacyRefusals.releaseExtremes(what));
    }

    /**
     * Checks a filter against the node's filter policy, on the request alone (before any row is
     * read, so the outcome says nothing about the rows and is not counted by the refusal budget).
     */
    public Optional<PrivacyViolation> checkFilter(Filter filter, DataModel model) {
        if (filter == null || filter.getNodeCase() == Filter.NodeCase.NODE_NOT_SET) {
            return Optional.empty();
        }
        List<FilterRule> rules = new ArrayList<>();
        collect(filter, rules, 0);
        if (policy.maxFilterRules() > 0 && rules.size() > policy.maxFilterRules()) {
            return Optional.of(PrivacyRefusals.filterPolicy("it has more than the " + policy.maxFilterRules()
                    + " conditions this node " + "accepts; use fewer conditions"));
        }
        for (FilterRule rule : rules) {
            if (policy.filterVariables() != null && !policy.filterVariables().contains(rule.getVariable())) {
                return Optional.of(PrivacyRefusals.filterPolicy(
                        "it uses '" + rule.getVariable() + "', and this node filters only on "
                                + (policy.filterVariables().isEmpty()
                                        ? "no variable"
                                        : String.join(", ", policy.filterVariables()))
                                + "; filter on those, or leave the filter out"));
            }
            Cde cde = model.cde(rule.getVariable());
            if (!policy.continuousEquality()
                    && cde != null
                    && !cde.categorical()
                    && cde.sqlType() == SqlType.REAL
                    && EQUALITIES.contains(rule.getOperator())) {
                return Optional.of(
                        PrivacyRefusals.filterPolicy("it compares the continuous variable '" + cde.code() + "' with "
                                + rule.getOperator()
                                + ", and an exact value of a continuous variable can single out a patient; use a range "
                                + "(less, greater, between) instead"));
            }
            if (!policy.continuousEquality() && cde != null && !cde.categorical() && cde.sqlType() == SqlType.TEXT) {
                return Optional.of(
                        PrivacyRefusals.filterPolicy(
                                "it uses the free-text variable '" + cde.code() + "', whose values "
                                        + "(identifiers, codes) single out patients; filter on nominal or numerical variables instead"));
            }
        }
        return Optional.empty();
    }

    private static final Set<String> EQUALITIES = Set.of("equal", "not_equal", "in", "not_in");

    /** The filter's rules; deep trees are left to the filter compiler, which refuses them. */
    private static void collect(Filter filter, List<FilterRule> rules, int depth) {
        if (depth > 64 || rules.size() > 10_000) {
            return;
        }
        switch (filter.getNodeCase()) {
            case RULE -> rules.add(filter.getRule());
            case GROUP -> filter.getGroup().getRulesList().forEach(f -> collect(f, rules, depth + 1));
            default -> {}
        }
    }

    private static List<String> names(String variables) {
        return variables == null || variables.isBlank() ? List.of() : List.of(variables);
    }

    /**
     * Differencing protection for a selection of rows (the rows of the requested datasets that pass
     * the filter), before anything is computed over it. With the history on, a selection is refused
     * when
     * <ul>
     * <li>it holds fewer than the minimum of rows, none included, and the request has a filter: were
     * an empty selection answered and a small one refused, "this patient and x &gt; t" would be
     * refused exactly when the patient's x is above t;
     * <li>it is not all rows but leaves out fewer than the minimum (the complement rule: it and all
     * rows together would describe the few left out; without the history this rule alone stays);
     * <li>it differs from an earlier answered selection by fewer than the minimum of rows, or from one
     * refused earlier to the same requester by fewer than the minimum, none included: once B ∪ {P} was
     * refused, B is refused too, so that whether the selection holds P decides nothing. (Refused
     * selections stop only their requester, and never all rows: else anyone could make a selection
     * unusable for everyone by asking for it with a row more.)
     * </ul>
     * All of these give one rule and one text ({@link PrivacyRefusals#selection}), and a refused
     * selection is remembered as such. A selection that passes is remembered (at most
     * {@link PrivacyPolicy#differencingHistory()} distinct ones per data model, the oldest forgotten first).
     *
     * @param dataModel the data model whose rows these are: row ids are unique per data model
     * @param selected the {@code _row_id}s of the selected rows
     * @param all how many rows the requested datasets hold
     * @param filter a fingerprint of the request's filter, or 0 for none: the same rows reached again by
     *     another filter is how a requester reads a bit through the differencing rule without being
     *     refused, and is reported in {@link SelectionVerdict#probe()}
     */
    public SelectionVerdict checkSelection(
            String dataModel, RoaringBitmap selected, long all, long filter, String requester) {
        long rows = selected.getLongCardinality();
        if (!policy.refusesSmallSelections()) {
            if (rows < policy.minRows()) {
                // Every primitive refuses or suppresses an aggregate over so few rows: nothing to compare later.
                return SelectionVerdict.ADMITTED;
            }
            long left = all - rows;
            return left > 0 && left < policy.minRows()
                    ? new SelectionVerdict(PrivacyRefusals.selection(policy), false)
                    : SelectionVerdict.ADMITTED;
        }
        if (filter == 0 && rows < policy.minRows()) {
            // Whole datasets, no filter: nothing the requester shaped; every primitive refuses or suppresses so few
            // rows.
            return SelectionVerdict.ADMITTED;
        }
        long left = all - rows;
        if (rows < policy.minRows() || (left > 0 && left < policy.minRows())) {
            history.refuse(dataModel, selected, requester);
            return new SelectionVerdict(PrivacyRefusals.selection(policy), false);
        }
        RowSetHistory.Verdict verdict =
                history.admit(dataModel, selected, policy.minRows(), filter, requester, left == 0);
        return switch (verdict) {
            case REFUSED -> {
                history.refuse(dataModel, selected, requester);
                yield new SelectionVerdict(PrivacyRefusals.selection(policy), false);
            }
            case REPEATED_BY_ANOTHER_FILTER -> new SelectionVerdict(null, true);
            case ADMITTED -> SelectionVerdict.ADMITTED;
        };
    }

    /** {@link #checkSelection(String, RoaringBitmap, long, long, String)} for a request without a filter or requester. */
    public Optional<PrivacyViolation> checkSelection(String dataModel, RoaringBitmap selected, long all) {
        return Optional.ofNullable(
                checkSelection(dataModel, selected, all, 0, "").violation());
    }

    /**
     * What the differencing protection decided about a selection.
     *
     * @param violation why it is refused, or null if admitted
     * @param probe whether it is an answered selection reached again through another filter: answered,
     *     but counted by the refusal budget as a refusal would be
     */
    public record SelectionVerdict(PrivacyViolation violation, boolean probe) {
        static final SelectionVerdict ADMITTED = new SelectionVerdict(null, false);
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
            if (clashes(set, kept)
                    || history.closest(figureKey(dataModel, set.variable()), set.rows(), minDifference(set)) > 0) {
                withheld.set(i);
            } else {
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
        // the same rule and text as a refused selection: which of the two it was would be a bit about the rows
        return PrivacyRefusals.selection(policy);
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
                    } else if (smallest < 0 || better(counts, cell, smallest)) {
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
