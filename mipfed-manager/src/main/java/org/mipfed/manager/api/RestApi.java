package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mipfed.core.json.Json;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.AnalysisRequest;
import org.mipfed.manager.analysis.AnalysisService;
import org.mipfed.manager.analysis.DataCatalogue;
import org.mipfed.manager.experiments.Experiment;
import org.mipfed.manager.join.JoinTokens;
import org.mipfed.manager.registry.NodeRegistry;
import org.mipfed.manager.registry.NodeView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager's REST API on the HTTP port: Exareme2-compatible analysis endpoints and the
 * administration endpoints under {@code /admin}. Every call needs the bearer token.
 */
public final class RestApi {
    private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);

    private final AnalysisService analyses;
    private final NodeRegistry registry;
    private final JoinTokens tokens;
    private final TokenRotation rotation;
    private final byte[] adminToken;
    private CaAdministration ca;
    private Javalin app;

    /** Rotating a join token needs the CA certificate; the server supplies this. */
    @FunctionalInterface
    public interface TokenRotation {
        String rotate(String role);
    }

    /** {@code mipfed manager ca}: the CA rotation, under {@code /admin/ca}. */
    public interface CaAdministration {
        JsonNode status();

        JsonNode rotate();

        JsonNode finish();
    }

    public RestApi(AnalysisService analyses, NodeRegistry registry, JoinTokens tokens, TokenRotation rotation, String adminToken) {
        this.analyses = requireNonNull(analyses, "analyses is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.rotation = requireNonNull(rotation, "rotation is null");
        this.adminToken = requireNonNull(adminToken, "adminToken is null").getBytes(StandardCharsets.UTF_8);
    }

    /** Serves the CA administration endpoints too (set before {@link #start}). */
    public void caAdministration(CaAdministration administration) {
        this.ca = requireNonNull(administration, "administration is null");
    }

    public void start(String host, int port) {
        app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.http.maxRequestSize = 1_000_000L;
        });
        app.before(this::authenticate);
        app.exception(Problem.class, (e, ctx) -> ProblemJson.write(ctx, e));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("internal error on {} {}", ctx.method(), ctx.path(), e);
            ProblemJson.write(ctx, 500, "Internal error", "The manager failed while handling this request (" + e.getClass().getSimpleName()
                    + "). The failure is in its log; please report it.");
        });
        app.error(404, ctx -> {
            String type = ctx.res().getContentType();
            if (type == null || !type.contains("json")) {
                ProblemJson.write(ctx, 404, "Not found", "There is no " + ctx.method() + " " + ctx.path() + ". See the README for the API's endpoints.");
            }
        });
        app.error(405, ctx -> ProblemJson.write(ctx, 405, "Method not allowed", ctx.method() + " is not allowed on " + ctx.path()));

        app.get("/healthcheck", this::healthcheck);
        app.get("/algorithms", ctx -> json(ctx, algorithms()));
        app.post("/algorithms/{name}", this::runAlgorithm);
        app.get("/datasets", ctx -> json(ctx, datasets()));
        app.get("/data_models", ctx -> json(ctx, dataModels()));
        app.get("/cdes_metadata", ctx -> json(ctx, cdesMetadata()));
        app.get("/experiments", ctx -> json(ctx, experimentList()));
        app.post("/experiments", this::submitExperiment);
        app.delete("/experiments/{id}", ctx -> {
            if (!analyses.experiments().delete(ctx.pathParam("id"))) {
                throw Problem.notFound("No experiment " + ctx.pathParam("id") + "; GET /experiments lists them");
            }
            ctx.status(204);
        });
        app.get("/experiments/{id}", ctx -> json(ctx, Json.mapper().valueToTree(analyses.experiments().get(ctx.pathParam("id"))
                .orElseThrow(() -> Problem.notFound("No experiment " + ctx.pathParam("id") + "; GET /experiments lists them")))));

        app.get("/admin/nodes", ctx -> json(ctx, Json.mapper().valueToTree(registry.views())));
        app.post("/admin/nodes/{node}/labels", this::label);
        app.delete("/admin/nodes/{node}", ctx -> json(ctx, Json.mapper().valueToTree(registry.remove(ctx.pathParam("node")))));
        app.post("/admin/start", ctx -> json(ctx, Json.mapper().valueToTree(registry.setAvailability(nodeRefs(ctx), true))));
        app.post("/admin/stop", ctx -> json(ctx, Json.mapper().valueToTree(registry.setAvailability(nodeRefs(ctx), false))));
        app.get("/admin/join-tokens/{role}", ctx -> json(ctx, Json.mapper().createObjectNode()
                .put("role", role(ctx)).put("token", tokens.token(role(ctx)))));
        app.post("/admin/join-tokens/{role}/rotate", ctx -> json(ctx, Json.mapper().createObjectNode()
                .put("role", role(ctx)).put("token", rotation.rotate(role(ctx)))));
        if (ca != null) {
            app.get("/admin/ca", ctx -> json(ctx, ca.status()));
            app.post("/admin/ca/rotate", ctx -> json(ctx, ca.rotate()));
            app.post("/admin/ca/rotate/finish", ctx -> json(ctx, ca.finish()));
        }
        app.start(host, port);
    }

    public int port() {
        return app.port();
    }

    public void stop() {
        if (app != null) {
            app.stop();
        }
    }

    private void authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
        if (!MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), adminToken)) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new Problem(401, "Unauthorized", "Send the API token as 'Authorization: Bearer <token>'. The admin token is in the manager's data directory (admin.token).");
        }
    }

    private void runAlgorithm(Context ctx) {
        JsonNode body = body(ctx);
        ObjectNode result = analyses.run(ctx.pathParam("name"), AnalysisRequest.fromJson(body), "admin");
        json(ctx, result);
    }

    /** Exareme2's body plus {@code "algorithm"}; answers 202 with the experiment's id at once. */
    private void submitExperiment(Context ctx) {
        JsonNode body = body(ctx);
        JsonNode algorithm = body.get("algorithm");
        if (algorithm == null || !algorithm.isTextual() || algorithm.asText().isBlank()) {
            throw Problem.badRequest("Say which algorithm to run: {\"algorithm\": \"linear_regression\", \"inputdata\": {...}, \"parameters\": {...}}");
        }
        Experiment experiment = analyses.submit(algorithm.asText(), AnalysisRequest.fromJson(body), "admin");
        ctx.status(202).header("Location", "/experiments/" + experiment.id());
        json(ctx, Json.mapper().valueToTree(experiment));
    }

    /** Experiments without their results, newest first. */
    private ArrayNode experimentList() {
        ArrayNode out = Json.mapper().createArrayNode();
        for (Experiment e : analyses.experiments().list()) {
            ObjectNode item = out.addObject();
            item.put("id", e.id()).put("algorithm", e.algorithm()).put("user", e.user()).put("status", e.status());
            item.put("created", String.valueOf(e.created())).put("finished", e.finished() == null ? null : e.finished().toString());
            item.set("contributions", Json.mapper().valueToTree(e.contributions()));
            if (e.error() != null) {
                item.set("error", e.error());
            }
        }
        return out;
    }

    private void healthcheck(Context ctx) {
        ObjectNode out = Json.mapper().createObjectNode();
        List<NodeView> views = registry.views();
        out.put("status", "ok");
        ArrayNode nodes = out.putArray("nodes");
        for (NodeView v : views) {
            nodes.addObject().put("id", v.id()).put("alias", v.alias()).put("status", v.status()).put("availability", v.availability());
        }
        json(ctx, out);
    }

    private ArrayNode algorithms() {
        ArrayNode out = Json.mapper().createArrayNode();
        analyses.algorithms().all().forEach(a -> out.add(a.spec()));
        return out;
    }

    /** Exareme2's shape: data model id to dataset code to label. */
    private ObjectNode datasets() {
        ObjectNode out = Json.mapper().createObjectNode();
        for (Map.Entry<String, Map<String, DataCatalogue.Location>> m : analyses.catalogue().available().entrySet()) {
            ObjectNode datasets = out.putObject(m.getKey());
            DataModel model = analyses.catalogue().dataModel(m.getKey()).orElse(null);
            m.getValue().forEach((code, location) -> datasets.put(code,
                    model != null && model.datasets().containsKey(code) ? model.datasets().get(code) : location.label()));
        }
        return out;
    }

    private ArrayNode dataModels() {
        ArrayNode out = Json.mapper().createArrayNode();
        for (Map.Entry<String, Map<String, DataCatalogue.Location>> m : analyses.catalogue().available().entrySet()) {
            ObjectNode node = out.addObject();
            node.put("id", m.getKey());
            analyses.catalogue().dataModel(m.getKey()).ifPresent(d -> node.put("code", d.code()).put("version", d.version()).put("label", d.label()));
            ObjectNode datasets = node.putObject("datasets");
            m.getValue().forEach((code, location) -> datasets.putObject(code).put("label", location.label()).put("rows", location.rows())
                    .put("node", registry.displayName(location.nodeId())));
        }
        return out;
    }

    /** Exareme2's shape: data model id to CDE code to its metadata. */
    private ObjectNode cdesMetadata() {
        ObjectNode out = Json.mapper().createObjectNode();
        for (DataModel model : analyses.catalogue().dataModels()) {
            ObjectNode cdes = out.putObject(model.id());
            for (Cde cde : model.cdes().values()) {
                ObjectNode c = cdes.putObject(cde.code());
                c.put("code", cde.code());
                c.put("label", cde.label());
                c.put("sql_type", cde.sqlType().code());
                c.put("is_categorical", cde.categorical());
                if (cde.categorical()) {
                    ObjectNode e = c.putObject("enumerations");
                    cde.enumerations().forEach(e::put);
                }
                if (cde.min() != null) {
                    c.put("min", cde.min());
                }
                if (cde.max() != null) {
                    c.put("max", cde.max());
                }
                if (cde.units() != null && !cde.units().isBlank()) {
                    c.put("units", cde.units());
                }
                if (cde.description() != null && !cde.description().isBlank()) {
                    c.put("description", cde.description());
                }
                if (cde.group() != null && !cde.group().isBlank()) {
                    c.put("group", cde.group());
                }
            }
        }
        return out;
    }

    private void label(Context ctx) {
        JsonNode body = body(ctx);
        Map<String, String> add = new LinkedHashMap<>();
        body.path("add").fields().forEachRemaining(e -> add.put(e.getKey(), e.getValue().asText()));
        List<String> remove = new ArrayList<>();
        body.path("remove").forEach(r -> remove.add(r.asText()));
        if (add.isEmpty() && remove.isEmpty()) {
            throw Problem.badRequest("Give labels to add ({\"add\": {\"name\": \"chuv\"}}) or remove ({\"remove\": [\"name\"]})");
        }
        json(ctx, Json.mapper().valueToTree(registry.label(ctx.pathParam("node"), add, remove)));
    }

    private static List<String> nodeRefs(Context ctx) {
        JsonNode nodes = body(ctx).path("nodes");
        List<String> refs = new ArrayList<>();
        nodes.forEach(n -> refs.add(n.asText()));
        if (refs.isEmpty()) {
            throw Problem.badRequest("Give the nodes to start or stop by alias or id, or \"all\": {\"nodes\": [\"chuv\", \"epfl\"]}");
        }
        return refs;
    }

    private static String role(Context ctx) {
        String role = ctx.pathParam("role");
        if (!role.equals(JoinTokens.WORKER) && !role.equals(JoinTokens.MANAGER)) {
            throw Problem.notFound("There are two join tokens: worker and manager; not '" + role + "'");
        }
        return role;
    }

    private static JsonNode body(Context ctx) {
        String text = ctx.body();
        if (text.isBlank()) {
            throw Problem.badRequest("The request needs a JSON body");
        }
        try {
            return Json.mapper().readTree(text);
        }
        catch (JsonProcessingException e) {
            throw Problem.badRequest("The request body is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        }
    }

    private static void json(Context ctx, JsonNode body) {
        ctx.contentType("application/json").result(body.toString());
    }
}
