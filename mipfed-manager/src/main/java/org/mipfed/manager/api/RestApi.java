package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import jakarta.servlet.DispatcherType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.servlet.FilterHolder;
import org.mipfed.core.json.Json;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.security.Role;
import org.mipfed.core.request.AnalysisRequest;
import org.mipfed.manager.analysis.AnalysisService;
import org.mipfed.manager.analysis.DataCatalogue;
import org.mipfed.manager.audit.AuditTrail;
import org.mipfed.manager.audit.PrivacyAlerts;
import org.mipfed.manager.experiments.Experiment;
import org.mipfed.manager.metrics.ManagerMetrics;
import org.mipfed.manager.join.JoinTokens;
import org.mipfed.manager.portal.Portal;
import org.mipfed.manager.registry.NodeRegistry;
import org.mipfed.manager.registry.NodeView;
import org.mipfed.manager.users.LoginThrottle;
import org.mipfed.manager.users.OidcClient;
import org.mipfed.manager.users.OidcSettings;
import org.mipfed.manager.users.PasswordHasher;
import org.mipfed.manager.users.Principal;
import org.mipfed.manager.users.Sessions;
import org.mipfed.manager.users.TryLater;
import org.mipfed.manager.users.UserStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager's REST API on the HTTP port: Exareme2-compatible analysis endpoints and the
 * administration endpoints under {@code /admin}, sign-in and users ({@link AuthApi}). Who may call what is
 * decided by {@link Access} before any handler runs. Analyses and administrative actions are
 * recorded in the manager's {@link AuditTrail}, refused ones too.
 */
public final class RestApi {
    private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);

    private final AnalysisService analyses;
    private final NodeRegistry registry;
    private final JoinTokens tokens;
    private final TokenRotation rotation;
    private final UserStore users;
    private final Access access;
    private final Sessions sessions = new Sessions();
    private final List<String> endpoints = new CopyOnWriteArrayList<>();
    private final AuditTrail audit;
    private final ManagerMetrics metrics;
    private PrivacyAlerts alerts;
    private CaAdministration ca;
    private Javalin app;
    private HttpTransport transport;

    /** Rotating a join token needs the CA certificate; the server supplies this. */
    @FunctionalInterface
    public interface TokenRotation {
        String rotate(Role role);
    }

    /** {@code mipfed manager ca}: the CA rotation, under {@code /admin/ca}. */
    public interface CaAdministration {
        JsonNode status();

        JsonNode rotate();

        JsonNode finish();
    }

    public RestApi(AnalysisService analyses, NodeRegistry registry, JoinTokens tokens, TokenRotation rotation, String adminToken, UserStore users,
            AuditTrail audit, ManagerMetrics metrics) {
        this.analyses = requireNonNull(analyses, "analyses is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.rotation = requireNonNull(rotation, "rotation is null");
        this.users = requireNonNull(users, "users is null");
        this.access = new Access(users, sessions, adminToken);
        this.audit = requireNonNull(audit, "audit is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        PasswordHasher hasher = users.hasher();
        FunctionCounter.builder("mipfed_password_hashes", hasher, PasswordHasher::computations)
                .description("Argon2id computations run (sign-ins, password changes, new passwords)").register(metrics.registry());
        FunctionCounter.builder("mipfed_password_hash_refusals", hasher, PasswordHasher::refusals)
                .description("Password checks refused because every slot was busy (answered 429)").register(metrics.registry());
        Gauge.builder("mipfed_password_hash_slots", hasher, PasswordHasher::concurrency)
                .description("Argon2id computations allowed at once (sized from the heap and the cores)").register(metrics.registry());
    }

    /** Serves {@code GET /admin/alerts}, the nodes' privacy alerts (set before {@link #start}). */
    public void privacyAlerts(PrivacyAlerts alerts) {
        this.alerts = requireNonNull(alerts, "alerts is null");
    }

    /** Serves the CA administration endpoints too (set before {@link #start}). */
    public void caAdministration(CaAdministration administration) {
        this.ca = requireNonNull(administration, "administration is null");
    }

    /**
     * Serves the API on {@code transport}'s host and {@code port}: plain HTTP, or HTTPS only when {@code tls} is
     * given; with {@code oidc}, users may also sign in through that OpenID Connect provider.
     */
    public void start(HttpTransport transport, int port, HttpTls tls, OidcSettings oidc) {
        requireNonNull(transport, "transport is null");
        if (transport.https() != (tls != null)) {
            throw new IllegalArgumentException("the transport says https=" + transport.https() + " but tls is " + (tls == null ? "absent" : "given"));
        }
        this.transport = transport;
        String host = transport.host();
        app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            if (tls != null) {
                tls.configure(config, host, port);
            }
            else if (transport.behindProxy()) {
                // only a process on this machine reaches a loopback port: the reverse proxy that terminates TLS says
                // how the browser came (X-Forwarded-Proto/For, Forwarded), so that its https Origin matches, cookies are
                // Secure and sign-in throttling counts the browser's address, not the proxy's
                config.jetty.modifyHttpConfiguration(http -> http.addCustomizer(new ForwardedRequestCustomizer()));
            }
            // Javalin's own check of Content-Length; RequestLimits holds per route and for chunked bodies too
            config.http.maxRequestSize = RequestLimits.ANALYSIS_BODY_BYTES;
            config.jetty.modifyHttpConfiguration(http -> {
                http.setRequestHeaderSize(RequestLimits.HEADER_BYTES);
                http.setSendServerVersion(false);
            });
            config.jetty.modifyServletContextHandler(handler ->
                    handler.addFilter(new FilterHolder(new RequestLimits()), "/*", EnumSet.of(DispatcherType.REQUEST)));
            Portal.configure(config);
            config.events.handlerAdded(h -> {
                if (h.getHttpMethod().isHttpMethod()) {
                    endpoints.add(h.getHttpMethod() + " " + h.getPath());
                }
            });
            config.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler()));
        });
        app.before(access::handle);
        app.exception(Problem.class, (e, ctx) -> {
            if (e instanceof TryLater later) {
                ctx.header("Retry-After", String.valueOf(later.retryAfterSeconds()));
            }
            if (e.status() == 413) {
                // the rest of the body is not read: the connection cannot carry another request
                ctx.header("Connection", "close");
            }
            ProblemJson.write(ctx, e);
        });
        // Javalin's own refusals (a body over the size limit) as problems too, not plain text
        app.exception(HttpResponseException.class, (e, ctx) -> ctx.status(e.getStatus()).contentType("application/problem+json")
                .result(new String(ProblemErrorHandler.problem(e.getStatus(), null, ctx.path()), StandardCharsets.UTF_8)));
        app.exception(Exception.class, (e, ctx) -> {
            // the caller gets an incident number to quote, never the exception: its name and stack stay in the log
            String incident = UUID.randomUUID().toString().substring(0, 8);
            LOG.error("internal error {} on {} {}", incident, ctx.method(), ctx.path(), e);
            ProblemJson.write(ctx, 500, "Internal error", "The manager failed while handling this request (incident " + incident
                    + "). The failure is in its log; please report it with the incident number.");
        });
        app.error(404, ctx -> {
            String type = ctx.res().getContentType();
            if (type == null || !type.contains("json")) {
                ProblemJson.write(ctx, 404, "Not found", "There is no " + ctx.method() + " " + ctx.path() + ". See the README for the API's endpoints.");
            }
        });
        app.error(405, ctx -> ProblemJson.write(ctx, 405, "Method not allowed", ctx.method() + " is not allowed on " + ctx.path()));

        Portal.routes(app);
        new AuthApi(users, sessions, new LoginThrottle(this::lockoutStarted), oidc == null ? null : new OidcClient(oidc), this::auditedHandler).routes(app);
        app.get("/healthcheck", this::healthcheck);
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        app.get("/algorithms", ctx -> json(ctx, algorithms()));
        app.post("/algorithms/{name}", this::runAlgorithm);
        app.get("/datasets", ctx -> json(ctx, datasets()));
        app.get("/data_models", ctx -> json(ctx, dataModels()));
        app.get("/cdes_metadata", ctx -> json(ctx, cdesMetadata()));
        app.get("/experiments", ctx -> json(ctx, experimentList(ctx)));
        app.post("/experiments", this::submitExperiment);
        app.delete("/experiments/{id}", ctx -> audited(ctx, AuditTrail.EXPERIMENT_DELETE, details -> {
            details.put("experiment_id", ctx.pathParam("id"));
            deleteExperiment(ctx);
            return null;
        }));
        app.get("/experiments/{id}", ctx -> json(ctx, Json.mapper().valueToTree(analyses.experiments().get(ctx.pathParam("id"))
                .orElseThrow(() -> Problem.notFound("No experiment " + ctx.pathParam("id") + "; GET /experiments lists them")))));

        app.get("/admin/nodes", ctx -> json(ctx, Json.mapper().valueToTree(registry.views())));
        app.post("/admin/nodes/{node}/labels", this::label);
        app.delete("/admin/nodes/{node}", ctx -> json(ctx, audited(ctx, AuditTrail.NODE_REMOVE, details -> {
            details.put("node", ctx.pathParam("node"));
            return Json.mapper().valueToTree(registry.remove(ctx.pathParam("node")));
        })));
        app.post("/admin/start", ctx -> json(ctx, audited(ctx, AuditTrail.NODE_START, details ->
                Json.mapper().valueToTree(registry.setAvailability(nodeRefs(ctx, details), true)))));
        app.post("/admin/stop", ctx -> json(ctx, audited(ctx, AuditTrail.NODE_STOP, details ->
                Json.mapper().valueToTree(registry.setAvailability(nodeRefs(ctx, details), false)))));
        // the token itself is never written to the trail
        app.get("/admin/join-tokens/{role}", ctx -> json(ctx, audited(ctx, AuditTrail.JOIN_TOKEN_SHOW, details ->
                Json.mapper().createObjectNode().put("role", role(ctx, details)).put("token", tokens.token(role(ctx))))));
        app.post("/admin/join-tokens/{role}/rotate", ctx -> json(ctx, audited(ctx, AuditTrail.JOIN_TOKEN_ROTATE, details ->
                Json.mapper().createObjectNode().put("role", role(ctx, details)).put("token", rotation.rotate(role(ctx))))));
        app.get("/admin/audit", ctx -> json(ctx, audit.newest(limit(ctx))));
        app.get("/admin/transport", ctx -> json(ctx, transport(transport)));
        app.get("/admin/datasets", ctx -> json(ctx, Json.mapper().valueToTree(registry.datasetOwners())));
        app.post("/admin/datasets/{data_model}/{dataset}/owner", ctx -> json(ctx, audited(ctx, AuditTrail.DATASET_MOVE, details -> {
            details.put("data_model", ctx.pathParam("data_model")).put("dataset", ctx.pathParam("dataset"));
            JsonNode node = body(ctx).get("node");
            if (node == null || !node.isTextual() || node.asText().isBlank()) {
                throw Problem.badRequest("Say which node the dataset moves to: {\"node\": \"<alias or id>\"}");
            }
            details.put("node", node.asText());
            registry.owner(ctx.pathParam("data_model"), ctx.pathParam("dataset")).ifPresent(previous -> details.put("previous_owner", previous));
            return Json.mapper().valueToTree(registry.moveDataset(ctx.pathParam("data_model"), ctx.pathParam("dataset"), node.asText()));
        })));
        if (alerts != null) {
            app.get("/admin/alerts", ctx -> json(ctx, alerts.newest(limit(ctx))));
        }
        if (ca != null) {
            app.get("/admin/ca", ctx -> json(ctx, ca.status()));
            app.post("/admin/ca/rotate", ctx -> json(ctx, audited(ctx, AuditTrail.CA_ROTATE, details -> ca.rotate())));
            app.post("/admin/ca/rotate/finish", ctx -> json(ctx, audited(ctx, AuditTrail.CA_ROTATE_FINISH, details -> ca.finish())));
        }
        app.start(host, port);
    }

    /** How the API is served, for the admin page's warning about plain HTTP on a reachable address. */
    private static ObjectNode transport(HttpTransport transport) {
        ObjectNode body = Json.mapper().createObjectNode().put("host", transport.host()).put("scheme", transport.https() ? "https" : "http")
                .put("loopback_only", transport.loopbackOnly()).put("insecure", transport.insecure());
        if (transport.insecure()) {
            body.put("warning", transport.warning());
        }
        return body;
    }

    /** A sign-in wait started: one line in the audit trail and the alert counter, for the admins to see. */
    private void lockoutStarted(String username, String address, int failures, Duration wait) {
        ObjectNode details = Json.mapper().createObjectNode();
        details.put("scope", username == null ? "address" : "user_and_address");
        if (username != null) {
            details.put("username", username.length() <= 64 ? username : username.substring(0, 64) + "…");
        }
        details.put("address", address).put("failures", failures).put("wait_seconds", wait.toSeconds());
        audit.record("address:" + address, AuditTrail.SIGN_IN_LOCKOUT, AuditTrail.REFUSED, details);
        metrics.alerts("sign_in_lockout").increment();
        LOG.warn("sign-in attempts {} from {} wait {} s after {} failures", username == null ? "of every user" : "for " + username, address,
                wait.toSeconds(), failures);
    }

    /** Every endpoint, as {@code "GET /admin/nodes"}. */
    public List<String> endpoints() {
        return List.copyOf(endpoints);
    }

    /** How the API is served (after {@link #start}). */
    public HttpTransport transport() {
        return transport;
    }

    public int port() {
        return app.port();
    }

    public void stop() {
        if (app != null) {
            app.stop();
        }
    }

    private void runAlgorithm(Context ctx) {
        JsonNode body = body(ctx);
        AnalysisRequest request = AnalysisRequest.fromJson(body);
        String experimentId = UUID.randomUUID().toString();
        json(ctx, audited(ctx, AuditTrail.ANALYSIS_RUN, details -> {
            analysisDetails(details, ctx.pathParam("name"), experimentId, request);
            return analyses.run(ctx.pathParam("name"), request, user(ctx), experimentId);
        }));
    }

    /** Who acts: the signed-in user or the owner of the API token ({@link Access} has checked). */
    private static String user(Context ctx) {
        return Principal.of(ctx).username();
    }

    /**
     * Does {@code work} and records it in the audit trail under {@code action}, with the details {@code work} filled
     * in; a refused or failed action is recorded too, with its status and reason, and its error goes on to the caller.
     */
    private void auditedHandler(Context ctx, String action, Consumer<ObjectNode> describe, Handler work) throws Exception {
        audited(ctx, action, details -> {
            describe.accept(details);
            try {
                work.handle(ctx);
            }
            catch (RuntimeException e) {
                throw e;
            }
            catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
    }

    private <T> T audited(Context ctx, String action, Function<ObjectNode, T> work) {
        ObjectNode details = Json.mapper().createObjectNode();
        T result;
        try {
            result = work.apply(details);
        }
        catch (Problem p) {
            audit.record(user(ctx), action, AuditTrail.REFUSED, details.put("status", p.status()).put("reason", p.detail()));
            throw p;
        }
        catch (HttpResponseException e) {
            audit.record(user(ctx), action, AuditTrail.REFUSED, details.put("status", e.getStatus()).put("reason", e.getMessage()));
            throw e;
        }
        catch (RuntimeException e) {
            audit.record(user(ctx), action, AuditTrail.REFUSED, details.put("status", 500).put("reason", e.getClass().getSimpleName()));
            throw e;
        }
        audit.record(user(ctx), action, AuditTrail.OK, details);
        return result;
    }

    private static void analysisDetails(ObjectNode details, String algorithm, String experimentId, AnalysisRequest request) {
        details.put("algorithm", algorithm).put("experiment_id", experimentId).put("data_model", request.dataModel());
        request.datasets().forEach(details.putArray("datasets")::add);
        ArrayNode variables = details.putArray("variables");
        request.y().forEach(variables::add);
        request.x().forEach(variables::add);
    }

    /** {@code ?limit=N} of {@code GET /admin/audit}: 1 to 10,000, default 100. */
    private static int limit(Context ctx) {
        String text = ctx.queryParam("limit");
        if (text == null || text.isBlank()) {
            return 100;
        }
        try {
            int limit = Integer.parseInt(text.strip());
            if (limit >= 1 && limit <= 10_000) {
                return limit;
            }
        }
        catch (NumberFormatException e) {
            // answered below
        }
        throw Problem.badRequest("limit must be a whole number from 1 to 10000, not '" + shorten(text) + "'");
    }

    private static String shorten(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    /** Exareme2's body plus {@code "algorithm"}; answers 202 with the experiment's id at once. */
    private void submitExperiment(Context ctx) {
        JsonNode body = body(ctx);
        JsonNode algorithm = body.get("algorithm");
        if (algorithm == null || !algorithm.isTextual() || algorithm.asText().isBlank()) {
            throw Problem.badRequest("Say which algorithm to run: {\"algorithm\": \"linear_regression\", \"inputdata\": {...}, \"parameters\": {...}}");
        }
        AnalysisRequest request = AnalysisRequest.fromJson(body);
        Experiment experiment = audited(ctx, AuditTrail.EXPERIMENT_SUBMIT, details -> {
            Experiment submitted = analyses.submit(algorithm.asText(), request, user(ctx));
            analysisDetails(details, algorithm.asText(), submitted.id(), request);
            return submitted;
        });
        ctx.status(202).header("Location", "/experiments/" + experiment.id());
        json(ctx, Json.mapper().valueToTree(experiment));
    }

    /** The caller's experiments (an admin's {@code ?all=true}: everyone's) without their results, newest first. */
    private ArrayNode experimentList(Context ctx) {
        Principal principal = Principal.of(ctx);
        boolean all = "true".equals(ctx.queryParam("all"));
        if (all && !principal.admin()) {
            throw new Problem(403, "Forbidden", "Listing everyone's experiments (?all=true) needs the admin role; GET /experiments lists yours.");
        }
        ArrayNode out = Json.mapper().createArrayNode();
        for (Experiment e : analyses.experiments().list()) {
            if (!all && !principal.username().equals(e.user())) {
                continue;
            }
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

    /** Its owner or an admin may delete an experiment; anyone signed in may read it (so that a link can be shared). */
    private void deleteExperiment(Context ctx) {
        String id = ctx.pathParam("id");
        Experiment experiment = analyses.experiments().get(id)
                .orElseThrow(() -> Problem.notFound("No experiment " + id + "; GET /experiments lists them"));
        Principal principal = Principal.of(ctx);
        if (!principal.admin() && !principal.username().equals(experiment.user())) {
            throw new Problem(403, "Forbidden", "Experiment " + id + " belongs to " + experiment.user() + "; only its owner or an admin may delete it.");
        }
        analyses.experiments().delete(id);
        ctx.status(204);
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
        body.path("add").properties().forEach(e -> add.put(e.getKey(), e.getValue().asText()));
        List<String> remove = new ArrayList<>();
        body.path("remove").forEach(r -> remove.add(r.asText()));
        if (add.isEmpty() && remove.isEmpty()) {
            throw Problem.badRequest("Give labels to add ({\"add\": {\"name\": \"chuv\"}}) or remove ({\"remove\": [\"name\"]})");
        }
        json(ctx, audited(ctx, AuditTrail.NODE_LABEL, details -> {
            details.put("node", ctx.pathParam("node"));
            add.forEach(details.putObject("add")::put);
            remove.forEach(details.putArray("remove")::add);
            return Json.mapper().valueToTree(registry.label(ctx.pathParam("node"), add, remove));
        }));
    }

    private static List<String> nodeRefs(Context ctx, ObjectNode details) {
        JsonNode nodes = body(ctx).path("nodes");
        List<String> refs = new ArrayList<>();
        nodes.forEach(n -> refs.add(n.asText()));
        refs.forEach(details.putArray("nodes")::add);
        if (refs.isEmpty()) {
            throw Problem.badRequest("Give the nodes to start or stop by alias or id, or \"all\": {\"nodes\": [\"chuv\", \"epfl\"]}");
        }
        return refs;
    }

    private static String role(Context ctx, ObjectNode details) {
        details.put("role", ctx.pathParam("role"));
        return role(ctx).label();
    }

    private static Role role(Context ctx) {
        String role = ctx.pathParam("role");
        try {
            return Role.parse(role);
        }
        catch (IllegalArgumentException e) {
            throw Problem.notFound("There are two join tokens: worker and manager; not '" + role + "'");
        }
    }

    static JsonNode body(Context ctx) {
        String text = ctx.body();
        if (text.isBlank()) {
            throw Problem.badRequest("The request needs a JSON body");
        }
        try {
            return Json.mapper().readTree(text);
        }
        catch (StreamConstraintsException e) {
            throw Problem.badRequest("The request body goes beyond what the manager reads: JSON nested deeper than 1000 levels, a number "
                    + "longer than 1000 digits or a string longer than 20 million characters");
        }
        catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw Problem.badRequest("The request body is not valid JSON: " + e.getOriginalMessage()
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        }
    }

    static void json(Context ctx, JsonNode body) {
        ctx.contentType("application/json").result(body.toString());
    }
}
