package org.mipfed.manager.exareme2;

import static java.util.Objects.requireNonNull;

import java.util.Set;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;

/**
 * The one place mipfed's {@link ProblemType}s become the statuses Exareme2's controller answers with (its
 * {@code HTTPStatusCode}: 400 bad request, 460 bad user input, 461 insufficient data, 462 SMPC usage error, 512 worker
 * unresponsive, 513 worker task timeout, 500 unexpected), which the portal-backend turns into a text error for the
 * researcher. A node's refusal keeps its rule: the rules about too few rows are Exareme2's "insufficient data", the
 * others a refused input; either way the text names the node and the rule.
 */
public final class Exareme2Statuses {
    public static final int BAD_REQUEST = 400;
    public static final int BAD_USER_INPUT = 460;
    public static final int INSUFFICIENT_DATA = 461;
    public static final int SMPC_USAGE_ERROR = 462;
    public static final int UNEXPECTED_ERROR = 500;
    public static final int NODE_UNRESPONSIVE = 512;
    public static final int NODE_TASK_TIMEOUT = 513;

    /** Node rules that refuse because the selected rows are too few (or too close to others): not enough data. */
    private static final Set<String> TOO_FEW_ROWS = Set.of("min_rows", "differencing");

    private Exareme2Statuses() {}

    /** The status Exareme2 would send for {@code problem}. */
    public static int of(Problem problem) {
        requireNonNull(problem, "problem is null");
        return switch (problem.type()) {
            case UNKNOWN_DATA, DATASET_UNAVAILABLE -> BAD_USER_INPUT;
            case REFUSED_BY_NODE ->
                TOO_FEW_ROWS.contains(problem.extensions().getOrDefault("rule", ""))
                        ? INSUFFICIENT_DATA
                        : BAD_USER_INPUT;
            case NOT_ENOUGH_DATA -> INSUFFICIENT_DATA;
            case SECURE_AGGREGATION_NOT_POSSIBLE -> SMPC_USAGE_ERROR;
            case NODE_UNAVAILABLE, TOO_FEW_NODES -> NODE_UNRESPONSIVE;
            case TIMED_OUT -> NODE_TASK_TIMEOUT;
            default -> problem.type().callersFault() ? BAD_REQUEST : UNEXPECTED_ERROR;
        };
    }
}
