package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.manager.audit.AuditTrail;
import org.mipfed.manager.registry.NodeRegistry;

/**
 * The nodes and who holds which dataset, under {@code /admin}: list, label, remove, start and stop nodes
 * ({@code mipfed node update}, {@code mipfed start}); list datasets' owners and move a dataset to another node.
 * Every change is audited.
 */
final class NodeResource implements ApiResource {
    private final NodeRegistry registry;
    private final AuditedActions audited;

    NodeResource(NodeRegistry registry, AuditedActions audited) {
        this.registry = requireNonNull(registry, "registry is null");
        this.audited = requireNonNull(audited, "audited is null");
    }

    @Override
    public void routes(Javalin app) {
        app.get("/admin/nodes", ctx -> JsonBodies.write(ctx, Json.mapper().valueToTree(registry.views())));
        app.post("/admin/nodes/{node}/labels", this::label);
        app.delete(
                "/admin/nodes/{node}",
                ctx -> JsonBodies.write(ctx, audited.run(ctx, AuditTrail.NODE_REMOVE, details -> {
                    details.put("node", ctx.pathParam("node"));
                    return Json.mapper().valueToTree(registry.remove(ctx.pathParam("node")));
                })));
        app.post(
                "/admin/start",
                ctx -> JsonBodies.write(
                        ctx,
                        audited.run(
                                ctx,
                                AuditTrail.NODE_START,
                                details -> Json.mapper()
                                        .valueToTree(registry.setAvailability(nodeRefs(ctx, details), true)))));
        app.post(
                "/admin/stop",
                ctx -> JsonBodies.write(
                        ctx,
                        audited.run(
                                ctx,
                                AuditTrail.NODE_STOP,
                                details -> Json.mapper()
                                        .valueToTree(registry.setAvailability(nodeRefs(ctx, details), false)))));
        app.get("/admin/datasets", ctx -> JsonBodies.write(ctx, Json.mapper().valueToTree(registry.datasetOwners())));
        app.post(
                "/admin/datasets/{data_model}/{dataset}/owner",
                ctx -> JsonBodies.write(ctx, audited.run(ctx, AuditTrail.DATASET_MOVE, details -> {
                    details.put("data_model", ctx.pathParam("data_model")).put("dataset", ctx.pathParam("dataset"));
                    JsonNode node = JsonBodies.read(ctx).get("node");
                    if (node == null || !node.isTextual() || node.asText().isBlank()) {
                        throw Problem.badRequest("Say which node the dataset moves to: {\"node\": \"<alias or id>\"}");
                    }
                    details.put("node", node.asText());
                    registry.owner(ctx.pathParam("data_model"), ctx.pathParam("dataset"))
                            .ifPresent(previous -> details.put("previous_owner", previous));
                    return Json.mapper()
                            .valueToTree(registry.moveDataset(
                                    ctx.pathParam("data_model"), ctx.pathParam("dataset"), node.asText()));
                })));
    }

    private void label(Context ctx) {
        JsonNode body = JsonBodies.read(ctx);
        Map<String, String> add = new LinkedHashMap<>();
        body.path("add")
                .properties()
                .forEach(e -> add.put(e.getKey(), e.getValue().asText()));
        List<String> remove = new ArrayList<>();
        body.path("remove").forEach(r -> remove.add(r.asText()));
        if (add.isEmpty() && remove.isEmpty()) {
            throw Problem.badRequest(
                    "Give labels to add ({\"add\": {\"name\": \"chuv\"}}) or remove ({\"remove\": [\"name\"]})");
        }
        JsonBodies.write(ctx, audited.run(ctx, AuditTrail.NODE_LABEL, details -> {
            details.put("node", ctx.pathParam("node"));
            add.forEach(details.putObject("add")::put);
            remove.forEach(details.putArray("remove")::add);
            return Json.mapper().valueToTree(registry.label(ctx.pathParam("node"), add, remove));
        }));
    }

    private static List<String> nodeRefs(Context ctx, ObjectNode details) {
        JsonNode nodes = JsonBodies.read(ctx).path("nodes");
        List<String> refs = new ArrayList<>();
        nodes.forEach(n -> refs.add(n.asText()));
        refs.forEach(details.putArray("nodes")::add);
        if (refs.isEmpty()) {
            throw Problem.badRequest(
                    "Give the nodes to start or stop by alias or id, or \"all\": {\"nodes\": [\"chuv\", \"epfl\"]}");
        }
        return refs;
    }
}
