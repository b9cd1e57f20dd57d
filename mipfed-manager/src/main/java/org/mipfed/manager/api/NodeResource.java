package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.manager.audit.AuditTrail;
import org.mipfed.manager.registry.NodeRegistry;
import org.mipfed.manager.registry.NodeView;

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
        app.get("/admin/nodes", this::list);
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

    /**
     * {@code GET /admin/nodes}: every node as a JSON array (what {@code mipfed node ls} and older clients read), or,
     * with {@code limit} or {@code offset}, one page of them: {@code {"total", "matched", "offset", "limit", "nodes",
     * "next_offset"}}. Either form takes the filters {@code status} (ready, down), {@code availability} (active,
     * pending), {@code label} ({@code key} or {@code key=value}) and {@code q} (part of the id, alias, hostname or a
     * dataset's code, any case). The order is the joining order, so that pages follow one another.
     */
    private void list(Context ctx) {
        String status = oneOf(ctx, "status", List.of("ready", "down"));
        String availability = oneOf(ctx, "availability", List.of("active", "pending"));
        String label = ctx.queryParam("label");
        String q = ctx.queryParam("q");
        String needle = q == null || q.isBlank() ? null : q.strip().toLowerCase(Locale.ROOT);
        String labelKey = null;
        String labelValue = null;
        if (label != null && !label.isBlank()) {
            int eq = label.indexOf('=');
            labelKey = (eq < 0 ? label : label.substring(0, eq)).strip();
            labelValue = eq < 0 ? null : label.substring(eq + 1).strip();
        }
        boolean paged = ctx.queryParam("limit") != null || ctx.queryParam("offset") != null;
        int limit = paged ? number(ctx, "limit", 50, 1, 1000) : Integer.MAX_VALUE;
        int offset = paged ? number(ctx, "offset", 0, 0, Integer.MAX_VALUE) : 0;
        List<NodeView> all = registry.views();
        List<NodeView> matched = new ArrayList<>();
        for (NodeView v : all) {
            if ((status == null || status.equals(v.status()))
                    && (availability == null || availability.equals(v.availability()))
                    && (labelKey == null || hasLabel(v, labelKey, labelValue))
                    && (needle == null || mentions(v, needle))) {
                matched.add(v);
            }
        }
        if (!paged) {
            JsonBodies.write(ctx, Json.mapper().valueToTree(matched));
            return;
        }
        int from = Math.min(offset, matched.size());
        int to = (int) Math.min((long) from + limit, matched.size());
        ObjectNode page = Json.mapper().createObjectNode();
        page.put("total", all.size())
                .put("matched", matched.size())
                .put("offset", from)
                .put("limit", limit);
        page.set("nodes", Json.mapper().valueToTree(matched.subList(from, to)));
        if (to < matched.size()) {
            page.put("next_offset", to);
        } else {
            page.putNull("next_offset");
        }
        JsonBodies.write(ctx, page);
    }

    private static boolean hasLabel(NodeView v, String key, String value) {
        String actual = v.labels() == null ? null : v.labels().get(key);
        return actual != null && (value == null || value.equals(actual));
    }

    private static boolean mentions(NodeView v, String needle) {
        if (contains(v.id(), needle) || contains(v.alias(), needle) || contains(v.hostname(), needle)) {
            return true;
        }
        if (v.datasets() != null) {
            for (List<String> codes : v.datasets().values()) {
                for (String code : codes) {
                    if (contains(code, needle)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean contains(String text, String needle) {
        return text != null && text.toLowerCase(Locale.ROOT).contains(needle);
    }

    private static String oneOf(Context ctx, String name, List<String> allowed) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        if (!allowed.contains(value.strip())) {
            throw Problem.badRequest(name + " must be one of " + String.join(", ", allowed) + ", not '" + shorten(value)
                    + "' (GET /admin/nodes?" + name + "=" + allowed.get(0) + ")");
        }
        return value.strip();
    }

    private static int number(Context ctx, String name, int defaultValue, int min, int max) {
        String text = ctx.queryParam(name);
        if (text == null || text.isBlank()) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw Problem.badRequest(name + " must be a whole number from " + min
                + (max == Integer.MAX_VALUE ? " up" : " to " + max) + ", not '" + shorten(text) + "'");
    }

    private static String shorten(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
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
