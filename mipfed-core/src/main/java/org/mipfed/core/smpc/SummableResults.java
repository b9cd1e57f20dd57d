package org.mipfed.core.smpc;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.proto.v1.CrossProductsQuery;
import org.mipfed.proto.v1.CrossProductsResult;
import org.mipfed.proto.v1.GlmStepQuery;
import org.mipfed.proto.v1.GlmStepResult;
import org.mipfed.proto.v1.LevelsQuery;
import org.mipfed.proto.v1.LevelsResult;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;
import org.mipfed.proto.v1.VariableLevels;

/**
 * The primitives whose manager-side combination can be a plain sum over nodes, as flat vectors: a node
 * {@link #flatten}s its result before masking it, the manager {@link #unflatten}s the decoded sum into
 * one result that the flow combines as if one node had answered for all.
 *
 * <ul>
 *   <li>{@code glm_step} (logistic regression, glm): every field is a sum over rows.
 *   <li>{@code cross_products} (linear regression, correlation, PCA): sent raw — n, the column sums and
 *       the uncentred products Σ x<sub>i</sub>x<sub>j</sub> — and centred again by the manager from the totals.
 *   <li>{@code levels} (the design of nominal variables): one 0/1 presence flag per level the data model
 *       enumerates, so the manager learns how many nodes hold a level, not which.
 * </ul>
 * Histogram, moments, describe and k-means answers carry per-node suppression flags, groups present and
 * minima/maxima that a sum would hide or break: they are not summable.
 */
public final class SummableResults {
    private SummableResults() {
    }

    /** Whether {@code query} asks for a primitive that secure aggregation can sum. */
    public static boolean summable(PrimitiveQuery query) {
        return switch (query.getPrimitiveCase()) {
            case GLM_STEP, CROSS_PRODUCTS, LEVELS -> true;
            default -> false;
        };
    }

    /** How many numbers the answer to {@code query} flattens to. */
    public static int length(DataModel model, PrimitiveQuery query) {
        return switch (requireSummable(query).getPrimitiveCase()) {
            case GLM_STEP -> {
                int p = coefficients(query.getGlmStep());
                yield 7 + p * p + 2 * p;
            }
            case CROSS_PRODUCTS -> {
                int p = query.getCrossProducts().getColumnsCount();
                yield 2 + p + p * p;
            }
            case LEVELS -> {
                int n = 1;
                for (String variable : query.getLevels().getNominalList()) {
                    n += enumerations(model, variable).size();
                }
                yield n;
            }
            default -> throw new IllegalStateException("unreachable");
        };
    }

    /** The answer's numbers, laid out as {@link #unflatten} reads them; rows_used first. */
    public static double[] flatten(DataModel model, PrimitiveQuery query, PrimitiveResult result) {
        double[] out = new double[length(model, query)];
        out[0] = result.getRowsUsed();
        switch (query.getPrimitiveCase()) {
            case GLM_STEP -> flattenGlm(coefficients(query.getGlmStep()), result.getGlmStep(), out);
            case CROSS_PRODUCTS -> flattenCrossProducts(query.getCrossProducts(), result.getCrossProducts(), out);
            case LEVELS -> flattenLevels(model, query.getLevels(), result.getLevels(), out);
            default -> throw new IllegalStateException("unreachable");
        }
        return out;
    }

    /** The result whose numbers are {@code sum} (the decoded sum of every node's flattened answer). */
    public static PrimitiveResult unflatten(DataModel model, PrimitiveQuery query, double[] sum) {
        int expected = length(model, query);
        if (sum.length != expected) {
            throw new IllegalArgumentException("a " + query.getPrimitiveCase() + " answer for this query sums " + expected + " numbers, not " + sum.length);
        }
        PrimitiveResult.Builder out = PrimitiveResult.newBuilder().setRowsUsed(Math.round(sum[0]));
        switch (query.getPrimitiveCase()) {
            case GLM_STEP -> out.setGlmStep(unflattenGlm(coefficients(query.getGlmStep()), sum));
            case CROSS_PRODUCTS -> out.setCrossProducts(unflattenCrossProducts(query.getCrossProducts().getColumnsCount(), sum));
            case LEVELS -> out.setLevels(unflattenLevels(model, query.getLevels(), sum));
            default -> throw new IllegalStateException("unreachable");
        }
        return out.build();
    }

    private static void flattenGlm(int p, GlmStepResult g, double[] out) {
        out[1] = g.getN();
        out[2] = g.getInvalid();
        out[3] = g.getBoundary();
        out[4] = g.getDeviance();
        out[5] = g.getLogLikelihood();
        out[6] = g.getSumY();
        if (g.getN() == 0) {
            return; // nothing matched: the node's vectors are empty, its zeros add nothing
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
    }

    private static GlmStepResult unflattenGlm(int p, double[] sum) {
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
        return g.build();
    }

    /** n, then Σx (n·mean), then the uncentred products (comoment + n·mean_i·mean_j), row-major. */
    private static void flattenCrossProducts(CrossProductsQuery q, CrossProductsResult c, double[] out) {
        int p = q.getColumnsCount();
        out[1] = c.getN();
        if (c.getN() == 0) {
            return;
        }
        if (c.getMeansCount() != p || c.getComomentsCount() != p * p) {
            throw new IllegalArgumentException("cross products of " + c.getMeansCount() + " columns answer a query for " + p);
        }
        double n = c.getN();
        for (int i = 0; i < p; i++) {
            out[2 + i] = n * c.getMeans(i);
        }
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                out[2 + p + i * p + j] = c.getComoments(i * p + j) + n * c.getMeans(i) * c.getMeans(j);
            }
        }
    }

    private static CrossProductsResult unflattenCrossProducts(int p, double[] sum) {
        long n = Math.round(sum[1]);
        CrossProductsResult.Builder c = CrossProductsResult.newBuilder().setN(n);
        if (n == 0) {
            return c.build();
        }
        for (int i = 0; i < p; i++) {
            c.addMeans(sum[2 + i] / n);
        }
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                c.addComoments(sum[2 + p + i * p + j] - sum[2 + i] * sum[2 + j] / n);
            }
        }
        return c.build();
    }

    private static void flattenLevels(DataModel model, LevelsQuery q, LevelsResult r, double[] out) {
        int k = 1;
        for (String variable : q.getNominalList()) {
            List<String> levels = enumerations(model, variable);
            Set<String> present = new HashSet<>();
            for (VariableLevels v : r.getVariablesList()) {
                if (v.getVariable().equals(variable)) {
                    present.addAll(v.getLevelsList());
                }
            }
            if (!levels.containsAll(present)) {
                present.removeAll(levels);
                throw new IllegalArgumentException("variable " + variable + " holds levels the data model does not enumerate: " + present);
            }
            for (String level : levels) {
                out[k++] = present.contains(level) ? 1 : 0;
            }
        }
    }

    private static LevelsResult unflattenLevels(DataModel model, LevelsQuery q, double[] sum) {
        LevelsResult.Builder out = LevelsResult.newBuilder();
        int k = 1;
        for (String variable : q.getNominalList()) {
            List<String> present = new ArrayList<>();
            for (String level : enumerations(model, variable)) {
                if (sum[k++] >= 0.5) {
                    present.add(level);
                }
            }
            present.sort(null); // code point order, as a node lists them
            out.addVariables(VariableLevels.newBuilder().setVariable(variable).addAllLevels(present));
        }
        return out.build();
    }

    private static List<String> enumerations(DataModel model, String variable) {
        Cde cde = requireNonNull(model, "model is null").cde(variable);
        if (cde == null || !cde.categorical()) {
            throw new IllegalArgumentException("'" + variable + "' is no nominal variable of data model " + model.id());
        }
        return new ArrayList<>(cde.enumerations().keySet());
    }

    private static PrimitiveQuery requireSummable(PrimitiveQuery query) {
        if (!summable(query)) {
            throw new IllegalArgumentException("secure aggregation cannot sum the primitive " + query.getPrimitiveCase()
                    + ": only glm_step, cross_products and levels answers add up over nodes");
        }
        return query;
    }

    private static int coefficients(GlmStepQuery q) {
        return (q.getIntercept() ? 1 : 0) + q.getColumnsCount();
    }
}
