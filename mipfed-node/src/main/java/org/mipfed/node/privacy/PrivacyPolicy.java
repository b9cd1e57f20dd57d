package org.mipfed.node.privacy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;

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
 *     0 turns the history off (the complement rule and the comparison within one answer stay)
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record PrivacyPolicy(
        @JsonProperty("min_rows") int minRows,
        @JsonProperty("min_cell_count") int minCellCount,
        @JsonProperty("max_parameter_ratio") double maxParameterRatio,
        @JsonProperty("max_levels") int maxLevels,
        @JsonProperty("allowed_primitives") List<String> allowedPrimitives,
        @JsonProperty("release_extremes") boolean releaseExtremes,
        @JsonProperty("differencing_history") int differencingHistory) {
    public static final int DEFAULT_MIN_ROWS = 10;
    public static final int DEFAULT_MIN_CELL_COUNT = 3;
    public static final double DEFAULT_MAX_PARAMETER_RATIO = 0.33;
    public static final int DEFAULT_MAX_LEVELS = 40;
    public static final boolean DEFAULT_RELEASE_EXTREMES = true;
    public static final int DEFAULT_DIFFERENCING_HISTORY = 10_000;
    public static final PrivacyPolicy DEFAULT = new PrivacyPolicy(DEFAULT_MIN_ROWS, DEFAULT_MIN_CELL_COUNT, DEFAULT_MAX_PARAMETER_RATIO,
            DEFAULT_MAX_LEVELS, null, DEFAULT_RELEASE_EXTREMES, DEFAULT_DIFFERENCING_HISTORY);

    public PrivacyPolicy {
        if (minRows < 1) {
            throw new IllegalArgumentException("The minimum number of rows must be at least 1, not " + minRows);
        }
        if (minCellCount < 1) {
            throw new IllegalArgumentException("min_cell_count must be at least 1, not " + minCellCount);
        }
        if (!(maxParameterRatio >= 0) || Double.isInfinite(maxParameterRatio)) {
            throw new IllegalArgumentException("max_parameter_ratio must be a number of at least 0 (0: no limit), not " + maxParameterRatio);
        }
        if (maxLevels < 0) {
            throw new IllegalArgumentException("max_levels must be at least 0 (0: no limit), not " + maxLevels);
        }
        if (differencingHistory < 0) {
            throw new IllegalArgumentException("differencing_history must be at least 0 (0: off), not " + differencingHistory);
        }
        allowedPrimitives = allowedPrimitives == null ? null
                : allowedPrimitives.stream().map(p -> p.trim().toLowerCase(Locale.ROOT)).distinct().toList();
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
            @JsonProperty("differencing_history") Integer differencingHistory) {
        return new PrivacyPolicy(
                minRows == null ? DEFAULT_MIN_ROWS : minRows,
                minCellCount == null ? DEFAULT_MIN_CELL_COUNT : minCellCount,
                maxParameterRatio == null ? DEFAULT_MAX_PARAMETER_RATIO : maxParameterRatio,
                maxLevels == null ? DEFAULT_MAX_LEVELS : maxLevels,
                allowedPrimitives,
                releaseExtremes == null ? DEFAULT_RELEASE_EXTREMES : releaseExtremes,
                differencingHistory == null ? DEFAULT_DIFFERENCING_HISTORY : differencingHistory);
    }

    /**
     * Exareme2's policy: a minimum of rows and nothing else (cell counts of 1, no parameter or level
     * limit, extremes released, no history of selections). Only the complement rule stays, which at
     * a minimum of 1 row can never refuse.
     */
    public static PrivacyPolicy minRowsOnly(int minRows) {
        return new PrivacyPolicy(minRows, 1, 0, 0, null, true, 0);
    }

    /** The same policy with another minimum of rows. */
    public PrivacyPolicy withMinRows(int rows) {
        return new PrivacyPolicy(rows, minCellCount, maxParameterRatio, maxLevels, allowedPrimitives, releaseExtremes, differencingHistory);
    }

    /** The same policy remembering no selections (the complement rule stays). */
    public PrivacyPolicy withoutHistory() {
        return new PrivacyPolicy(minRows, minCellCount, maxParameterRatio, maxLevels, allowedPrimitives, releaseExtremes, 0);
    }

    /** Whether the node computes {@code primitive} (its name on the wire, e.g. {@code histogram}). */
    public boolean allows(String primitive) {
        return allowedPrimitives == null || allowedPrimitives.contains(primitive);
    }

    /** The policy as announced to the manager. */
    public org.mipfed.proto.v1.PrivacyPolicy toProto() {
        org.mipfed.proto.v1.PrivacyPolicy.Builder proto = org.mipfed.proto.v1.PrivacyPolicy.newBuilder().setMinRows(minRows)
                .setMinCellCount(minCellCount).setMaxParameterRatio(maxParameterRatio).setMaxLevels(maxLevels)
                .setAllPrimitivesAllowed(allowedPrimitives == null).setReleaseExtremes(releaseExtremes)
                .setDifferencingHistory(differencingHistory);
        if (allowedPrimitives != null) {
            proto.addAllAllowedPrimitives(allowedPrimitives);
        }
        return proto.build();
    }
}
