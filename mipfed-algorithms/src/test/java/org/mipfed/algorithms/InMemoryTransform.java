package org.mipfed.algorithms;

import org.mipfed.core.problem.Problem;
import org.mipfed.proto.v1.DesignColumn;

/**
 * The per-row transformations of a cross-products column ({@code log}, {@code exp}) as the in-memory
 * node applies them, refusing what the real node refuses, in the words the manager would relay.
 */
final class InMemoryTransform {
    private InMemoryTransform() {}

    static double apply(String node, DesignColumn column, double value) {
        switch (column.getTransform()) {
            case "" -> {
                return value;
            }
            case "log" -> {
                if (!(value > 0)) {
                    throw refused(
                            node,
                            "Log transformation cannot be applied to non-positive values. The variable '"
                                    + column.getVariable()
                                    + "' is zero or negative in some of the selected rows of this node");
                }
                return Math.log(value);
            }
            case "exp" -> {
                if (value > 300) {
                    throw refused(
                            node,
                            "Exp transformation cannot be applied to values above 300: the variable '"
                                    + column.getVariable() + "' exceeds it in some of the selected rows of this node");
                }
                return Math.exp(value);
            }
            default -> throw new IllegalArgumentException("unknown transform " + column.getTransform());
        }
    }

    private static Problem refused(String node, String message) {
        return Problem.refusedByNode(node, "transform", "Node " + node + " refused (transform): " + message);
    }
}
