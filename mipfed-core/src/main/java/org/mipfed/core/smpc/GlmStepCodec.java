package org.mipfed.core.smpc;

import org.mipfed.core.model.DataModel;
import org.mipfed.proto.v1.GlmStepQuery;
import org.mipfed.proto.v1.GlmStepResult;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;

/** {@code glm_step} (logistic regression, glm): every field is a sum over rows. */
final class GlmStepCodec implements SummableCodec {
    private static final int SCALARS = 7;

    @Override
    public PrimitiveQuery.PrimitiveCase kind() {
        return PrimitiveQuery.PrimitiveCase.GLM_STEP;
    }

    @Override
    public int length(DataModel model, PrimitiveQuery query) {
        int p = coefficients(query.getGlmStep());
        return SCALARS + p * p + 2 * p;
    }

    @Override
    public void flatten(DataModel model, PrimitiveQuery query, PrimitiveResult result, double[] out) {
        int p = coefficients(query.getGlmStep());
        GlmStepResult g = result.getGlmStep();
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
            throw new IllegalArgumentException(
                    "a glm step for " + g.getScoreCount() + " coefficients answers a query for " + p);
        }
        int k = SCALARS;
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

    @Override
    public void unflatten(DataModel model, PrimitiveQuery query, double[] sum, PrimitiveResult.Builder out) {
        int p = coefficients(query.getGlmStep());
        GlmStepResult.Builder g = GlmStepResult.newBuilder()
                .setN(Math.round(sum[1]))
                .setInvalid(Math.round(sum[2]))
                .setBoundary(Math.round(sum[3]))
                .setDeviance(sum[4])
                .setLogLikelihood(sum[5])
                .setSumY(sum[6]);
        int k = SCALARS;
        for (int i = 0; i < p * p; i++) {
            g.addInformation(sum[k++]);
        }
        for (int i = 0; i < p; i++) {
            g.addScore(sum[k++]);
        }
        for (int i = 0; i < p; i++) {
            g.addWorking(sum[k++]);
        }
        out.setGlmStep(g);
    }

    private static int coefficients(GlmStepQuery q) {
        return (q.getIntercept() ? 1 : 0) + q.getColumnsCount();
    }
}
