package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.UUID;
import org.mipfed.core.request.AnalysisRequest;
import org.mipfed.manager.analysis.AnalysisService;
import org.mipfed.manager.audit.AuditTrail;

/**
 * {@code POST /algorithms/{name}}: Exareme2's way to run an analysis and wait for its result. Every run is
 * recorded in the audit trail under an experiment id, refused ones too.
 */
final class AnalysisResource implements ApiResource {
    private final AnalysisService analyses;
    private final AuditedActions audited;

    AnalysisResource(AnalysisService analyses, AuditedActions audited) {
        this.analyses = requireNonNull(analyses, "analyses is null");
        this.audited = requireNonNull(audited, "audited is null");
    }

    @Override
    public void routes(Javalin app) {
        app.post("/algorithms/{name}", this::run);
    }

    private void run(Context ctx) {
        AnalysisRequest request = AnalysisRequest.fromJson(JsonBodies.read(ctx));
        String experimentId = UUID.randomUUID().toString();
        JsonBodies.write(ctx, audited.run(ctx, AuditTrail.ANALYSIS_RUN, details -> {
            describe(details, ctx.pathParam("name"), experimentId, request);
            return analyses.run(ctx.pathParam("name"), request, AuditedActions.user(ctx), experimentId);
        }));
    }

    /** What the audit trail says of an analysis: the algorithm, the experiment, the data model, datasets and variables. */
    static void describe(ObjectNode details, String algorithm, String experimentId, AnalysisRequest request) {
        details.put("algorithm", algorithm).put("experiment_id", experimentId).put("data_model", request.dataModel());
        request.datasets().forEach(details.putArray("datasets")::add);
        ArrayNode variables = details.putArray("variables");
        request.y().forEach(variables::add);
        request.x().forEach(variables::add);
    }
}
