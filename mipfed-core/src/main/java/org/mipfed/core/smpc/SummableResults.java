package org.mipfed.core.smpc;

import org.mipfed.proto.v1.GlmStepQuery;
import org.mipfed.proto.v1.GlmStepResult;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;

/**
 * The primitives whose manager-side combination is a plain sum over nodes, as flat vectors: a node
 * {@link #flatten}s its result before masking it, the manager {@link #unflatten}s the decoded sum into
 * one result that the flow combines as if one node had answered for all.
 *
 * <p>Only {@code glm_step} (logistic regression, glm) is summable as it stands: cross products are
 * centred per node (combined by Chan's formulas, not by a sum), and histogram and k-means answers carry
 * per-node suppression flags and minima/maxima that a sum would hide or break.
 */
public final class SummableResults {
    private SummableResults() {
    }

    /** Whether {@code query} asks for a primitive that secure aggregation can sum. */
    public static boolean summable(PrimitiveQuery query) {
        return query.getPrimitiveCase() == PrimitiveQuery.PrimitiveCase.GLM_STEP;
    }

    /** How many numbers the answer to {@code query} flattens to. */
    public static int length(PrimitiveQuery query) {
        int p = coefficients(requireSummable(query).getGlmStep());
        return 7 + p * p + 2 * p;
    }

    /** The answer's numbers: rows_used, n, invalid, boundary, deviance, log_likelihood, sum_y, information, score, working. */
    public static double[] flatten(PrimitiveQuery query, PrimitiveResult result) {
        int p = coefficients(requireSummable(query).getGlmStep());
        GlmStepResult g = result.getGlmStep();
        double[] out = new double[length(query)];
        out[0] = result.getRowsUsed();
        out[1] = g.getN();
        out[2] = g.getInvalid();
        out[3] = g.getBoundary();
        out[4] = g.getDeviance();
        out[5] = g.getLogLikelihood();
        out[6] = g.getSumY();
        if (g.getN() == 0) {
            return out; // nothing matched: the node's vectors are empty, its zeros add nothing
        }
        if (g.getInformationCount() != p * p || g.getScoreCount() != p || g.getWorkingCount() != p) {
            throw new IllegalArgumentException("a glm step for " + g.getScoreCount() + " coefficients answers a query for " + p);
        }
        int k = 7;
        for (int i = 0; i < p * p; i++) {
            out[k++] = g.getInformation(i);
        }
        for (int i = 0; i < p; i++) {
            out[k++] = g.getScore(i);
        }
        for (int i = 0; i < p; i++) {
            out[k++] = g.getWorking(i);
        }
        return out;
    }

    /** The result whose numbers are {@code sum} (the decoded sum of every node's flattened answer). */
    public static PrimitiveResult unflatten(PrimitiveQuery query, double[] sum) {
        int p = coefficients(requireSummable(query).getGlmStep());
        if (sum.length != length(query)) {
            throw new IllegalArgumentException("a glm step for " + p + " coefficients sums " + length(query) + " numbers, not " + sum.length);
        }
        GlmStepResult.Builder g = GlmStepResult.newBuilder()
                .setN(Math.round(sum[1]))
                .setInvalid(Math.round(sum[2]))
                .setBoundary(Math.round(sum[3]))
                .setDeviance(sum[4])
                .setLogLikelihood(sum[5])
                .setSumY(sum[6]);
        int k = 7;
        for (int i = 0; i < p * p; i++) {
            g.addInformation(sum[k++]);
        }
        for (int i = 0; i < p; i++) {
            g.addScore(sum[k++]);
        }
        for (int i = 0; i < p; i++) {
            g.addWorking(sum[k++]);
        }
        return PrimitiveResult.newBuilder().setRowsUsed(Math.round(sum[0])).setGlmStep(g).build();
    }

    private static PrimitiveQuery requireSummable(PrimitiveQuery query) {
        if (!summable(query)) {
            throw new IllegalArgumentException("secure aggregation cannot sum the primitive " + query.getPrimitiveCase()
                    + ": only glm_step answers add up over nodes");
        }
        return query;
    }

    private static int coefficients(GlmStepQuery q) {
        return (q.getIntercept() ? 1 : 0) + q.getColumnsCount();
    }
}
