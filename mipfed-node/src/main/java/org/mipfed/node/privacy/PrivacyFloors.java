package org.mipfed.node.privacy;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The lowest values of a node's privacy policy that still protect single rows, below which
 * {@code node.json} must say that the hospital means it ({@code "below_safe_floor": ["min_rows"]}).
 * A figure over one row is that row; a figure over two rows is the other row to either of them.
 * So both the fewest rows behind an aggregate and the smallest count released are at least 3
 * (DataSHIELD's {@code nfilter.subset} and {@code nfilter.tab} defaults). Rules that 0 turns off
 * ({@code max_parameter_ratio}, {@code max_levels}, {@code differencing_history}) are off by an
 * explicit 0, not by a slip, so they have no floor.
 */
public final class PrivacyFloors {
    /** The fewest rows a floor-respecting policy asks for. */
    public static final int MIN_ROWS = 3;
    /** The smallest count a floor-respecting policy releases. */
    public static final int MIN_CELL_COUNT = 3;

    private PrivacyFloors() {}

    /** The keys of {@code policy} below their floor, each with why it is unsafe and what to write. */
    public static Map<String, String> below(PrivacyPolicy policy) {
        Map<String, String> out = new LinkedHashMap<>();
        if (policy.minRows() < MIN_ROWS) {
            out.put(
                    "min_rows",
                    "min_rows is " + policy.minRows() + ", below the safe floor of " + MIN_ROWS
                            + " (an aggregate of fewer rows discloses them)");
        }
        if (policy.minCellCount() < MIN_CELL_COUNT) {
            out.put(
                    "min_cell_count",
                    "min_cell_count is " + policy.minCellCount() + ", below the safe floor of " + MIN_CELL_COUNT
                            + " (a smaller count singles out the rows it counts)");
        }
        return out;
    }
}
