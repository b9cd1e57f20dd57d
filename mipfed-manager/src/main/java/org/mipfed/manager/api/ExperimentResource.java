package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.core.request.AnalysisRequest;
import org.mipfed.manager.analysis.AnalysisService;
import org.mipfed.manager.audit.AuditTrail;
import org.mipfed.manager.experiments.Experiment;
import org.mipfed.manager.users.Principal;

/**
 * Analyses run in the background and kept: {@code POST /experiments} answers 202 at once, {@code GET /experiments}
 * lists one's own (an admin's {@code ?all=true}: everyone's), {@code GET} and {@code DELETE /experiments/{id}}.
 * Anyone signed in may read an experiment (so that a link can be shared); only its owner or an admin may delete it.
 */
final class ExperimentResource implements ApiResource {
    private final AnalysisService analyses;
    private final AuditedActions audited;

    ExperimentResource(AnalysisService analyses, AuditedActions audited) {
        this.analyses = requireNonNull(analyses, "analyses is null");
        this.audited = requireNonNull(audited, "audited is null");
    }

    @Override
    public void routes(Javalin app) {
        app.get("/experiments", ctx -> JsonBodies.write(ctx, list(ctx)));
        app.post("/experiments", this::submit);
        app.delete(
                "/experiments/{id}",
                ctx -> audited.run(ctx, AuditTrail.EXPERIMENT_DELETE, details -> {
                    details.put("experiment_id", ctx.pathParam("id"));
                    delete(ctx);
                    return null;
                }));
        app.get(
                "/experiments/{id}",
                ctx -> JsonBodies.write(ctx, Json.mapper().valueToTree(find(ctx.pathParam("id")))));
    }

    private Experiment find(String id) {
        return analyses.experiments()
                .get(id)
                .orElseThrow(() -> Problem.notFound("No experiment " + id + "; GET /experiments lists them"));
    }

    /** Exareme2's body plus {@code "algorithm"}; answers 202 with the experiment's id at once. */
    private void submit(Context ctx) {
        JsonNode body = JsonBodies.read(ctx);
        JsonNode algorithm = body.get("algorithm");
        if (algorithm == null || !algorithm.isTextual() || algorithm.asText().isBlank()) {
            throw Problem.badRequest(
                    "Say which algorithm to run: {\"algorithm\": \"linear_regression\", \"inputdata\": {...}, \"parameters\": {...}}");
        }
        AnalysisRequest request = AnalysisRequest.fromJson(body);
        Experiment experiment = audited.run(ctx, AuditTrail.EXPERIMENT_SUBMIT, details -> {
            Experiment submitted = analyses.submit(algorithm.asText(), request, AuditedActions.user(ctx));
            AnalysisResource.describe(details, algorithm.asText(), submitted.id(), request);
            return submitted;
        });
        ctx.status(202).header("Location", "/experiments/" + experiment.id());
        JsonBodies.write(ctx, Json.mapper().valueToTree(experiment));
    }

    /** The caller's experiments (an admin's {@code ?all=true}: everyone's) without their results, newest first. */
    private ArrayNode list(Context ctx) {
        Principal principal = Principal.of(ctx);
        boolean all = "true".equals(ctx.queryParam("all"));
        if (all && !principal.admin()) {
            throw new Problem(
                    ProblemType.FORBIDDEN,
                    "Listing everyone's experiments (?all=true) needs the admin role; GET /experiments lists yours.");
        }
        ArrayNode out = Json.mapper().createArrayNode();
        for (Experiment e : analyses.experiments().list()) {
            if (!all && !principal.username().equals(e.user())) {
                continue;
            }
            ObjectNode item = out.addObject();
            item.put("id", e.id())
                    .put("algorithm", e.algorithm())
                    .put("user", e.user())
                    .put("status", e.status());
            item.put("created", String.valueOf(e.created()))
                    .put("finished", e.finished() == null ? null : e.finished().toString());
            item.set("contributions", Json.mapper().valueToTree(e.contributions()));
            if (e.error() != null) {
                item.set("error", e.error());
            }
        }
        return out;
    }

    private void delete(Context ctx) {
        String id = ctx.pathParam("id");
        Experiment experiment = find(id);
        Principal principal = Principal.of(ctx);
        if (!principal.admin() && !principal.username().equals(experiment.user())) {
            throw new Problem(
                    ProblemType.FORBIDDEN,
                    "Experiment " + id + " belongs to " + experiment.user()
                            + "; only its owner or an admin may delete it.");
        }
        analyses.experiments().delete(id);
        ctx.status(204);
    }
}
