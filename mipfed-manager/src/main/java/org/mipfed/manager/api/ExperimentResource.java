package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.Map;
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
 * lists one's own (an admin's {@code ?all=true}: everyone's), {@code GET} and {@code DELETE /experiments/{id}},
 * {@code PATCH /experiments/{id}} renames one ({@code {"name": "…"}}) and {@code POST /experiments/{id}/cancel} stops
 * one that has not finished. Anyone signed in may read an experiment (so that a link can be shared); only its owner
 * or an admin may delete, rename or cancel it.
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
        app.patch(
                "/experiments/{id}",
                ctx -> audited.run(ctx, AuditTrail.EXPERIMENT_RENAME, details -> {
                    details.put("experiment_id", ctx.pathParam("id"));
                    rename(ctx);
                    return null;
                }));
        app.post(
                "/experiments/{id}/cancel",
                ctx -> audited.run(ctx, AuditTrail.EXPERIMENT_CANCEL, details -> {
                    details.put("experiment_id", ctx.pathParam("id"));
                    cancel(ctx);
                    return null;
                }));
        app.get("/experiments/{id}", ctx -> JsonBodies.write(ctx, withProgress(find(ctx.pathParam("id")))));
    }

    private Experiment find(String id) {
        return analyses.experiments()
                .get(id)
                .orElseThrow(() -> Problem.notFound("No experiment " + id + "; GET /experiments lists them"));
    }

    /**
     * The experiment, and while it runs how many queries each node was sent and has answered ({@code progress}) and,
     * for a cross-validation, the state of each fold ({@code fold_progress}); once
     * cancelled, the nodes that confirmed they stopped it, with how many of its queries were running on each
     * ({@code stopped_on_nodes}); with replicated managers, the {@code manager} that runs it.
     */
    private ObjectNode withProgress(Experiment experiment) {
        ObjectNode out = Json.mapper().valueToTree(experiment);
        // which manager runs (or ran) it: with several managers, the one whose death interrupts it
        analyses.experiments().manager(experiment.id()).ifPresent(m -> out.put("manager", m));
        if (experiment.unfinished()) {
            analyses.progress(experiment.id())
                    .ifPresent(p -> out.set("progress", Json.mapper().valueToTree(p)));
            analyses.foldProgress(experiment.id())
                    .ifPresent(f -> out.set("fold_progress", Json.mapper().valueToTree(f)));
        }
        if (Experiment.CANCELLED.equals(experiment.status())) {
            Map<String, Integer> stopped = analyses.stoppedOnNodes(experiment.id());
            if (!stopped.isEmpty()) {
                out.set("stopped_on_nodes", Json.mapper().valueToTree(stopped));
            }
        }
        return out;
    }

    /** Exareme2's body plus {@code "algorithm"}; answers 202 with the experiment's id at once. */
    private void submit(Context ctx) {
        JsonNode body = JsonBodies.read(ctx);
        JsonNode algorithm = body.get("algorithm");
        if (algorithm == null || !algorithm.isTextual() || algorithm.asText().isBlank()) {
            throw Problem.badRequest(
                    "Say which algorithm to run: {\"algorithm\": \"linear_regression\", \"inputdata\": {...}, \"parameters\": {...}}");
        }
        String name = name(body);
        AnalysisRequest request = AnalysisRequest.fromJson(body);
        Experiment experiment = audited.run(ctx, AuditTrail.EXPERIMENT_SUBMIT, details -> {
            Experiment submitted = analyses.submit(algorithm.asText(), request, AuditedActions.user(ctx), name);
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
                    .put("name", e.name())
                    .put("algorithm", e.algorithm())
                    .put("user", e.user())
                    .put("status", e.status());
            JsonNode input = e.request() == null ? null : e.request().get("inputdata");
            if (input != null) {
                item.set("data_model", input.get("data_model"));
                item.set("y", input.get("y"));
                item.set("x", input.get("x"));
            }
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
        ownedBy(ctx, find(id), "delete");
        analyses.experiments().delete(id);
        ctx.status(204);
    }

    /** The experiment's owner or an admin may change it; anyone else is refused (403). */
    private static void ownedBy(Context ctx, Experiment experiment, String what) {
        Principal principal = Principal.of(ctx);
        if (!principal.admin() && !principal.username().equals(experiment.user())) {
            throw new Problem(
                    ProblemType.FORBIDDEN,
                    "Experiment " + experiment.id() + " belongs to " + experiment.user()
                            + "; only its owner or an admin may " + what + " it.");
        }
    }

    /** An experiment's name from a body: absent or null means none; a string of at most 200 characters. */
    private static String name(JsonNode body) {
        JsonNode name = body.get("name");
        if (name == null || name.isNull()) {
            return null;
        }
        if (!name.isTextual() || name.asText().strip().length() > Experiment.MAX_NAME) {
            throw Problem.badRequest("\"name\" is the experiment's name: text of at most " + Experiment.MAX_NAME
                    + " characters, e.g. \"Hippocampus and age, over 60s\"");
        }
        return name.asText();
    }

    private void rename(Context ctx) {
        Experiment experiment = find(ctx.pathParam("id"));
        ownedBy(ctx, experiment, "rename");
        JsonNode body = JsonBodies.read(ctx);
        if (!body.isObject() || !body.has("name")) {
            throw Problem.badRequest("Say the new name: {\"name\": \"Hippocampus and age\"} (null removes it)");
        }
        Experiment renamed = analyses.rename(experiment.id(), name(body))
                .orElseThrow(
                        () -> Problem.notFound("No experiment " + experiment.id() + "; GET /experiments lists them"));
        JsonBodies.write(ctx, Json.mapper().valueToTree(renamed));
    }

    private void cancel(Context ctx) {
        Experiment experiment = find(ctx.pathParam("id"));
        ownedBy(ctx, experiment, "cancel");
        Experiment stopped = analyses.cancel(experiment.id(), Principal.of(ctx).username())
                .orElseThrow(() -> new Problem(
                        ProblemType.CONFLICT,
                        "Experiment " + experiment.id() + " has already finished ("
                                + find(experiment.id()).status() + "); there is nothing to cancel."));
        JsonBodies.write(ctx, Json.mapper().valueToTree(stopped));
    }
}
