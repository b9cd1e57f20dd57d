package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import org.mipfed.core.json.Json;
import org.mipfed.core.metrics.ProcessMetrics;
import org.mipfed.manager.metrics.ManagerMetrics;
import org.mipfed.manager.registry.NodeRegistry;
import org.mipfed.manager.registry.NodeView;

/**
 * How the manager is doing and how it is served: {@code GET /healthcheck} (Exareme2's, with the nodes' states),
 * {@code GET /healthz} and {@code GET /readyz} (open, no details), {@code GET /metrics} (Prometheus, roles metrics and
 * admin) and {@code GET /admin/transport} (for the admin page's warning about
 * plain HTTP on a reachable address).
 */
final class MonitoringResource implements ApiResource {
    private final NodeRegistry registry;
    private final ManagerMetrics metrics;
    private final HttpTransport transport;

    MonitoringResource(NodeRegistry registry, ManagerMetrics metrics, HttpTransport transport) {
        this.registry = requireNonNull(registry, "registry is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.transport = requireNonNull(transport, "transport is null");
    }

    @Override
    public void routes(Javalin app) {
        app.get("/healthcheck", this::healthcheck);
        // probes for a supervisor or a load balancer: open, and saying nothing but alive / ready
        app.get("/healthz", ctx -> ctx.contentType("text/plain; charset=utf-8").result("ok\n"));
        app.get("/readyz", ctx -> {
            boolean ready = metrics.ready();
            ctx.status(ready ? 200 : 503)
                    .contentType("text/plain; charset=utf-8")
                    .result(ready ? "ready\n" : "not ready\n");
        });
        app.get("/metrics", ctx -> ctx.contentType(ProcessMetrics.CONTENT_TYPE).result(metrics.scrape()));
        app.get("/admin/transport", ctx -> JsonBodies.write(ctx, transport()));
    }

    private void healthcheck(Context ctx) {
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("status", "ok");
        ArrayNode nodes = out.putArray("nodes");
        for (NodeView v : registry.views()) {
            nodes.addObject()
                    .put("id", v.id())
                    .put("alias", v.alias())
                    .put("status", v.status())
                    .put("availability", v.availability())
                    .put(
                            "down_since",
                            v.downSince() == null ? null : v.downSince().toString());
        }
        JsonBodies.write(ctx, out);
    }

    private ObjectNode transport() {
        ObjectNode body = Json.mapper()
                .createObjectNode()
                .put("host", transport.host())
                .put("scheme", transport.https() ? "https" : "http")
                .put("loopback_only", transport.loopbackOnly())
                .put("insecure", transport.insecure());
        if (transport.insecure()) {
            body.put("warning", transport.warning());
        }
        return body;
    }
}
