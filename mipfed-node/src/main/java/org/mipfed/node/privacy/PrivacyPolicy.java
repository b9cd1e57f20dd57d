package org.mipfed.node.privacy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * What a node agrees to release, from the node's own configuration only ({@code node.json}): the
 * manager can read it (it is announced in the hello message) but no message of the session can
 * change it. The defaults follow DataSHIELD's disclosure filters where MIP has no rule of its own.
 *
 * @param minRows the fewest rows any released aggregate may be computed over, and the fewest rows by
 *     which two selections of rows may differ (differencing); MIP's 10
 * @param minCellCount the smallest count the node releases (a histogram bin, a level count, the ones
 *     or zeros of a level's indicator, the cells of two indicators); DataSHIELD's {@code nfilter.tab} 3
 * @param maxParameterRatio the most model parameters (design columns) per row: p ≤ ratio × n;
 *     DataSHIELD's {@code nfilter.glm} 0.33; 0 turns the rule off
 * @param maxLevels the most levels a nominal variable may have to be used as one; DataSHIELD's
 *     {@code nfilter.levels.max} 40; 0 turns the rule off
 * @param allowedPrimitives the primitives the node computes, or null for all of them
 * @param releaseExtremes whether minima, maxima and quartiles may leave the node (Exareme2 releases them)
 * @param differencingHistory how many distinct row selections per data model the node remembers to
 *     refuse one that differs from an earlier one by fewer than {@code minRows} rows, and how many row
 *     sets behind released figures per data model and variable ({@link PrivacyGuard#checkFigureRows});
 *     0 turns the history off (the complement rule and the comparison within one answer stay). While it is
 *     on, a selection of fewer than {@code minRows} rows (none included) is refused alike, and refused
 *     selections are remembered too
 * @param refusalBudget how many refusals that depend on the data one requester may receive per dataset
 *     within {@code refusalWindowHours}; the one that reaches it locks the requester out of the dataset for
 *     {@code lockoutHours} and raises an alert. A refusal is one bit about the rows: the budget bounds
 *     what a requester can read through them (docs/security.md, "Refusals"). 0 turns the budget off
 * @param refusalWindowHours the sliding window the budget counts over, in hours
 * @param lockoutHours how long a requester who spent the budget gets nothing from the dataset, in hours
 * @param filterVariables the only variables a filter may use, or null for any variable of the data model
 * @param maxFilterRules the most rules (conditions) a filter may have; 0 turns the limit off
 * @param continuousEquality whether a filter may compare a real-valued variable with equal, not_equal,
 *     in or not_in, or use a free-text variable (identifiers) at all: exact values of a continuous
 *     variable and identifiers isolate single patients, ranges hardly do
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record PrivacyPolicy(
        @JsonProperty("min_rows") int minRows,
        @JsonProperty("min_cell_count") int minCellCount,
        @JsonProperty("max_parameter_ratio") double maxParameterRatio,
        @JsonProperty("max_levels") int maxLevels,
        @JsonProperty("allowed_primitives") List<String> allowedPrimitives,
        @JsonProperty("release_extremes") boolean releaseExtremes,
        @JsonProperty("differencing_history") int differencingHistory,
        @JsonProperty("refusal_budget") int refusalBudget,
        @JsonProperty("refusal_window_hours") int refusalWindowHours,
        @JsonProperty("lockout_hours") int lockoutHours,
        @JsonProperty("filter_variables") List<String> filterVariables,
        @JsonProperty("max_filter_rules") int maxFilterRules,
        @JsonProperty("continuous_equality") boolean continuousEquality) {
    public static final int DEFAULT_MIN_ROWS = 10;
    public static final int DEFAULT_MIN_CELL_COUNT = 3;
    public static final double DEFAULT_MAX_PARAMETER_RATIO = 0.33;
    public static final int DEFAULT_MAX_LEVELS = 40;
    public static final boolean DEFAULT_RELEASE_EXTREMES = true;
    public static final int DEFAULT_DIFFERENCING_HISTORY = 10_000;
    /** See docs/security.md, "Refusals", for the arithmetic behind these three. */
    public static final int DEFAULT_REFUSAL_BUDGET = 3;

    public static final int DEFAULT_REFUSAL_WINDOW_HOURS = 168;
    public static final int DEFAULT_LOCKOUT_HOURS = 168;
    /** More than the portal's query builder is used with, few enough to make a filter that isolates one row laborious. */
    public static final int DEFAULT_MAX_FILTER_RULES = 10;

    public static final boolean DEFAULT_CONTINUOUS_EQUALITY = false;
    public static final PrivacyPolicy DEFAULT = new PrivacyPolicy(
            DEFAULT_MIN_ROWS,
            DEFAULT_MIN_CELL_COUNT,
            DEFAULT_MAX_PARAMETER_RATIO,
            DEFAULT_MAX_LEVELS,
            null,
            DEFAULT_RELEASE_EXTREMES,
            DEFAULT_DIFFERENCING_HISTORY);

    /** A policy with the default refusal budget and filter policy. */
    public PrivacyPolicy(
            int minRows,
            int minCellCount,
            double maxParameterRatio,
            int maxLevels,
            List<String> allowedPrimitives,
            boolean releaseExtremes,
            int differencingHistory) {
        this(
                minRows,
                minCellCount,
                maxParameterRatio,
                maxLevels,
                allowedPrimitives,
                releaseExtremes,
                differencingHistory,
                DEFAULT_REFUSAL_BUDGET,
                DEFAULT_REFUSAL_WINDOW_HOURS,
                DEFAULT_LOCKOUT_HOURS,
                null,
                DEFAULT_MAX_FILTER_RULES,
                DEFAULT_CONTINUOUS_EQUALITY);
    }

    public PrivacyPolicy {
        if (minRows < 1) {
            throw new IllegalArgumentException("The minimum number of rows must be at least 1, not " + minRows);
        }
        if (minCellCount < 1) {
            throw new IllegalArgumentException("min_cell_count must be at least 1, not " + minCellCount);
        }
        if (!(maxParameterRatio >= 0) || Double.isInfinite(maxParameterRatio)) {
            throw new IllegalArgumentException(
                    "max_parameter_ratio must be a number of at least 0 (0: no limit), not " + maxParameterRatio);
        }
        if (maxLevels < 0) {
            throw new IllegalArgumentException("max_levels must be at least 0 (0: no limit), not " + maxLevels);
        }
        if (differencingHistory < 0) {
            throw new IllegalArgumentException(
                    "differencing_history must be at least 0 (0: off), not " + differencingHistory);
        }
        if (refusalBudget < 0) {
            throw new IllegalArgumentException("refusal_budget must be at least 0 (0: off), not " + refusalBudget);
        }
        if (refusalBudget > 0 && (refusalWindowHours < 1 || lockoutHours < 1)) {
            throw new IllegalArgumentException(
                    "refusal_window_hours and lockout_hours must be at least 1 while refusal_budget is on, not "
                            + refusalWindowHours + " and " + lockoutHours);
        }
        if (maxFilterRules < 0) {
            throw new IllegalArgumentException(
                    "max_filter_rules must be at least 0 (0: no limit), not " + maxFilterRules);
        }
        allowedPrimitives = allowedPrimitives == null
                ? null
                : allowedPrimitives.stream()
                        .map(p -> p.trim().toLowerCase(Locale.ROOT))
                        .distinct()
                        .toList();
        filterVariables = filterVariables == null
                ? null
                : filterVariables.stream().map(String::trim).distinct().toList();
    }

    /**
     * Reads {@code node.json}'s privacy fields; every one left out takes its default. Jackson calls
     * this rather than the canonical constructor so that an absent number is not read as 0.
     */
    @JsonCreator
    public static PrivacyPolicy of(
            @JsonProperty("min_rows") Integer minRows,
            @JsonProperty("min_cell_count") Integer minCellCount,
            @JsonProperty("max_parameter_ratio") Double maxParameterRatio,
            @JsonProperty("max_levels") Integer maxLevels,
            @JsonProperty("allowed_primitives") List<String> allowedPrimitives,
            @JsonProperty("release_extremes") Boolean releaseExtremes,
            @JsonProperty("differencing_history") Integer differencingHistory,
            @JsonProperty("refusal_budget") Integer refusalBudget,
            @JsonProperty("refusal_window_hours") Integer refusalWindowHours,
            @JsonProperty("lockout_hours") Integer lockoutHours,
            @JsonProperty("filter_variables") List<String> filterVariables,
            @JsonProperty("max_filter_rules") Integer maxFilterRules,
            @JsonProperty("continuous_equality") Boolean continuousEquality) {
        return new PrivacyPolicy(
                minRows == null ? DEFAULT_MIN_ROWS : minRows,
                minCellCount == null ? DEFAULT_MIN_CELL_COUNT : minCellCount,
                maxParameterRatio == null ? DEFAULT_MAX_PARAMETER_RATIO : maxParameterRatio,
                maxLevels == null ? DEFAULT_MAX_LEVELS : maxLevels,
                allowedPrimitives,
                releaseExtremes == null ? DEFAULT_RELEASE_EXTREMES : releaseExtremes,
                differencingHistory == null ? DEFAULT_DIFFERENCING_HISTORY : differencingHistory,
                refusalBudget == null ? DEFAULT_REFUSAL_BUDGET : refusalBudget,
                refusalWindowHours == null ? DEFAULT_REFUSAL_WINDOW_HOURS : refusalWindowHours,
                lockoutHours == null ? DEFAULT_LOCKOUT_HOURS : lockoutHours,
                filterVariables,
                maxFilterRules == null ? DEFAULT_MAX_FILTER_RULES : maxFilterRules,
                continuousEquality == null ? DEFAULT_CONTINUOUS_EQUALITY : continuousEquality);
    }

    /** {@link #of} for the fields that existed before the refusal budget and filter policy: those take their defaults. */
    public static PrivacyPolicy of(
            Integer minRows,
            Integer minCellCount,
            Double maxParameterRatio,
            Integer maxLevels,
            List<String> allowedPrimitives,
            Boolean releaseExtremes,
            Integer differencingHistory) {
        return of(
                minRows,
                minCellCount,
                maxParameterRatio,
                maxLevels,
                allowedPrimitives,
                releaseExtremes,
                differencingHistory,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    /**
     * Exareme2's policy: a minimum of rows and nothing else (cell counts of 1, no parameter or level
     * limit, extremes released, no history of selections). Only the complement rule stays, which at
     * a minimum of 1 row can never refuse. No refusal budget and no filter policy either.
     */
    public static PrivacyPolicy minRowsOnly(int minRows) {
        return new PrivacyPolicy(
                minRows, 1, 0, 0, null, true, 0, 0, DEFAULT_REFUSAL_WINDOW_HOURS, DEFAULT_LOCKOUT_HOURS, null, 0, true);
    }

    /** The same policy with another minimum of rows. */
    public PrivacyPolicy withMinRows(int rows) {
        return with(f -> f.minRows = rows);
    }

    /** The same policy remembering no selections (the complement rule stays). */
    public PrivacyPolicy withoutHistory() {
        return with(f -> f.differencingHistory = 0);
    }

    /** The same policy with another refusal budget (0: off) over the same window and lockout. */
    public PrivacyPolicy withRefusalBudget(int budget) {
        return with(f -> f.refusalBudget = budget);
    }

    /** The same policy with another window and lockout of its refusal budget, in hours. */
    public PrivacyPolicy withWindow(int windowHours, int lockout) {
        return with(f -> {
            f.refusalWindowHours = windowHours;
            f.lockoutHours = lockout;
        });
    }

    /** The same policy with another filter policy. */
    public PrivacyPolicy withFilterPolicy(List<String> variables, int maxRules, boolean equalityOnContinuous) {
        return with(f -> {
            f.filterVariables = variables;
            f.maxFilterRules = maxRules;
            f.continuousEquality = equalityOnContinuous;
        });
    }

    /** A copy of this policy with {@code change} made to its fields (and checked again by the constructor). */
    private PrivacyPolicy with(Consumer<Fields> change) {
        Fields fields = new Fields(this);
        change.accept(fields);
        return fields.policy();
    }

    /** The fields of a policy, to change some of them and build another one. */
    private static final class Fields {
        int minRows;
        int minCellCount;
        double maxParameterRatio;
        int maxLevels;
        List<String> allowedPrimitives;
        boolean releaseExtremes;
        int differencingHistory;
        int refusalBudget;
        int refusalWindowHours;
        int lockoutHours;
        List<String> filterVariables;
        int maxFilterRules;
        boolean continuousEquality;

        Fields(PrivacyPolicy p) {
            minRows = p.minRows;
            minCellCount = p.minCellCount;
            maxParameterRatio = p.maxParameterRatio;
            maxLevels = p.maxLevels;
            allowedPrimitives = p.allowedPrimitives;
            releaseExtremes = p.releaseExtremes;
            differencingHistory = p.differencingHistory;
            refusalBudget = p.refusalBudget;
            refusalWindowHours = p.refusalWindowHours;
            lockoutHours = p.lockoutHours;
            filterVariables = p.filterVariables;
            maxFilterRules = p.maxFilterRules;
            continuousEquality = p.continuousEquality;
        }

        PrivacyPolicy policy() {
            return new PrivacyPolicy(
                    minRows,
                    minCellCount,
                    maxParameterRatio,
                    maxLevels,
                    allowedPrimitives,
                    releaseExtremes,
                    differencingHistory,
                    refusalBudget,
                    refusalWindowHours,
                    lockoutHours,
                    filterVariables,
                    maxFilterRules,
                    continuousEquality);
        }
    }

    /** Whether a selection of fewer than {@code min_rows} rows, none included, is refused alike (differencing protection on). */
    public boolean refusesSmallSelections() {
        return differencingHistory > 0;
    }

    /** Whether the node computes {@code primitive} (its name on the wire, e.g. {@code histogram}). */
    public boolean allows(String primitive) {
        return allowedPrimitives == null || allowedPrimitives.contains(primitive);
    }

    /** The policy as announced to the manager. */
    public org.mipfed.proto.v1.PrivacyPolicy toProto() {
        org.mipfed.proto.v1.PrivacyPolicy.Builder proto = org.mipfed.proto.v1.PrivacyPolicy.newBuilder()
                .setMinRows(minRows)
                .setMinCellCount(minCellCount)
                .setMaxParameterRatio(maxParameterRatio)
                .setMaxLevels(maxLevels)
                .setAllPrimitivesAllowed(allowedPrimitives == null)
                .setReleaseExtremes(releaseExtremes)
                .setDifferencingHistory(differencingHistory)
                .setRefusalBudget(refusalBudget)
                .setRefusalWindowHours(refusalWindowHours)
                .setLockoutHours(lockoutHours)
                .setAllFilterVariablesAllowed(filterVariables == null)
                .setMaxFilterRules(maxFilterRules)
                .setContinuousEquality(continuousEquality);
        if (allowedPrimitives != null) {
            proto.addAllAllowedPrimitives(allowedPrimitives);
        }
        if (filterVariables != null) {
            proto.addAllFilterVariables(filterVariables);
        }
        return proto.build();
    }
}
