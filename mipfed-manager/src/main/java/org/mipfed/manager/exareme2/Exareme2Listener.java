package org.mipfed.manager.exareme2;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.regex.Pattern;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.AnalysisRequest;
import org.mipfed.manager.analysis.AnalysisService;
import org.mipfed.manager.audit.AuditTrail;
import org.mipfed.manager.registry.NodeRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A drop-in for Exareme2's controller API ({@code --exareme2-api HOST:PORT}), so that the MIP portal-backend runs on
 * mipfed through its one Exareme2 URL setting. Served on its own port, in plain HTTP and without credentials, as
 * Exareme2's controller is inside a MIP deployment's private network; {@link Exareme2Address} keeps it off public
 * addresses unless the operator says otherwise. The main API keeps its authentication and problem JSON.
 *
 * <p>Requests here name no user: to a node they all come from one requester, {@value #REQUESTER}, whose refusal budget
 * every portal user shares (an operator sees its alerts and lifts its lockouts like any requester's). Every analysis
 * is in the manager's audit trail under that name, with the address it came from. Errors leave as Exareme2 sends
 * them: a text message, with the status {@link Exareme2Statuses} gives the problem's type.
 */
public final class Exareme2Listener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Exareme2Listener.class);

    /** The requester nodes see and the client the audit trail names. */
    public static final String REQUESTER = "exareme2-api";

    /** An analysis request: variables, datasets, filters, parameters (as the main API allows). */
    static final int BODY_BYTES = 1_000_000;

    /** A portal user's name as a trusted proxy may give it ({@code --exareme2-user-header}). */
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    private final Javalin app;
    private final Exareme2Address address;

    private Exareme2Listener(Javalin app, Exareme2Address address) {
        this.app = app;
        this.address = address;
    }

    /**
     * Checks the address, then serves the routes there.
     *
     * @throws IllegalArgumentException when the address is public or the wildcard without {@code allowPublic}
     */
    public static Exareme2Listener start(
            Exareme2Address address, AnalysisService analyses, NodeRegistry registry, AuditTrail audit) {
        requireNonNull(address, "address is null");
        requireNonNull(analyses, "analyses is null");
        requireNonNull(registry, "registry is null");
        requireNonNull(audit, "audit is null");
        address.checkPrivate();
        Exareme2Catalogue catalogue = new Exareme2Catalogue(analyses, registry);
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.http.maxRequestSize = BODY_BYTES;
            config.jetty.modifyHttpConfiguration(http -> http.setSendServerVersion(false));
        });
        app.get("/algorithms", ctx -> json(ctx, catalogue.algorithms()));
        app.get("/data_models_attributes", ctx -> json(ctx, catalogue.dataModelsAttributes()));
        app.get("/cdes_metadata", ctx -> json(ctx, catalogue.cdesMetadata()));
        app.get("/datasets_variables", ctx -> json(ctx, catalogue.datasetsVariables()));
        app.get("/datasets", ctx -> json(ctx, catalogue.datasets()));
        app.get("/datasets_locations", ctx -> json(ctx, catalogue.datasetsLocations()));
        // Exareme2 refreshes its view of the workers here; mipfed's registry follows the nodes' sessions by itself
        app.post("/wla", ctx -> ctx.result(""));
        app.get("/healthcheck", ctx -> ctx.result(""));
        app.post("/algorithms/{name}", ctx -> run(ctx, analyses, audit, address.userHeader()));
        app.exception(Problem.class, (e, ctx) -> text(ctx, Exareme2Statuses.of(e), e.detail()));
        app.exception(HttpResponseException.class, (e, ctx) -> text(ctx, Exareme2Statuses.BAD_REQUEST, e.getMessage()));
        app.exception(Exception.class, (e, ctx) -> {
            String incident = UUID.randomUUID().toString().substring(0, 8);
            LOG.error("internal error {} on the Exareme2 API, {} {}", incident, ctx.method(), ctx.path(), e);
            text(
                    ctx,
                    Exareme2Statuses.UNEXPECTED_ERROR,
                    "The manager failed while handling this request (incident " + incident
                            + "). The failure is in its log; please report it with the incident number.");
        });
        app.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                text(ctx, 404, "There is no " + ctx.method() + " " + ctx.path() + " in Exareme2's API.");
            }
        });
        app.error(405, ctx -> text(ctx, 405, ctx.method() + " is not allowed on " + ctx.path()));
        try {
            app.start(address.host(), address.port());
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "Cannot serve the Exareme2 API on " + address.host() + ":" + address.port() + ": " + e.getMessage()
                            + ". Is the port taken? Choose another one in --exareme2-api.",
                    e);
        }
        Exareme2Listener listener = new Exareme2Listener(app, address);
        LOG.info(
                "Exareme2 API (no credentials) on http://{}:{}: point the portal-backend's Exareme2 URL there",
                address.host(),
                listener.port());
        if (address.allowPublic()) {
            LOG.warn(
                    "the Exareme2 API listens on {} with --exareme2-api-public: it asks for no credentials, so only a "
                            + "firewall keeps others from running analyses there",
                    address.host());
        }
        return listener;
    }

    /**
     * Who asks, to the nodes and in the audit trail: {@value #REQUESTER}, or {@code exareme2-api:<user>} when a
     * trusted proxy names the portal user in {@code userHeader} (each user then has a refusal budget of their own).
     */
    static String requester(Context ctx, String userHeader) {
        if (userHeader == null) {
            return REQUESTER;
        }
        String user = ctx.header(userHeader);
        if (user == null || user.isBlank()) {
            return REQUESTER;
        }
        if (!USER.matcher(user.strip()).matches()) {
            throw Problem.badRequest("The user named in the " + userHeader
                    + " header must be 1 to 64 letters, digits or . _ @ - (the proxy in front of this API sets it)");
        }
        return REQUESTER + ":" + user.strip();
    }

    /** {@code POST /algorithms/{name}} with the portal-backend's body; audited under its requester. */
    private static void run(Context ctx, AnalysisService analyses, AuditTrail audit, String userHeader) {
        String algorithm = ctx.pathParam("name");
        String experimentId = UUID.randomUUID().toString();
        ObjectNode details = Json.mapper().createObjectNode();
        details.put("client", REQUESTER).put("remote_address", ctx.ip());
        String requester;
        try {
            requester = requester(ctx, userHeader);
        } catch (Problem p) {
            audit.record(
                    REQUESTER,
                    AuditTrail.ANALYSIS_RUN,
                    AuditTrail.REFUSED,
                    details.put("status", Exareme2Statuses.of(p)).put("reason", p.detail()));
            throw p;
        }
        details.put("algorithm", algorithm).put("experiment_id", experimentId);
        ObjectNode result;
        try {
            JsonNode body = body(ctx);
            if (body.path("request_id").isTextual()) {
                details.put("request_id", body.get("request_id").asText());
            }
            AnalysisRequest request = AnalysisRequest.fromJson(body);
            details.put("data_model", request.dataModel());
            request.datasets().forEach(details.putArray("datasets")::add);
            ArrayNode variables = details.putArray("variables");
            request.y().forEach(variables::add);
            request.x().forEach(variables::add);
            result = analyses.run(algorithm, request, requester, experimentId);
        } catch (Problem p) {
            audit.record(
                    requester,
                    AuditTrail.ANALYSIS_RUN,
                    AuditTrail.REFUSED,
                    details.put("status", Exareme2Statuses.of(p)).put("reason", p.detail()));
            throw p;
        } catch (RuntimeException e) {
            audit.record(
                    requester,
                    AuditTrail.ANALYSIS_RUN,
                    AuditTrail.REFUSED,
                    details.put("status", Exareme2Statuses.UNEXPECTED_ERROR)
                            .put("reason", e.getClass().getSimpleName()));
            throw e;
        }
        audit.record(requester, AuditTrail.ANALYSIS_RUN, AuditTrail.OK, details.put("status", 200));
        json(ctx, result);
    }

    /** The request's JSON body, read up to {@link #BODY_BYTES} however it comes (declared length or chunked). */
    private static JsonNode body(Context ctx) {
        byte[] bytes;
        try (InputStream in = ctx.req().getInputStream()) {
            bytes = in.readNBytes(BODY_BYTES + 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bytes.length > BODY_BYTES) {
            throw Problem.badRequest(
                    "The request body is larger than " + BODY_BYTES / 1000 + " kB; send a smaller request");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            throw Problem.badRequest("The request needs a JSON body with inputdata, parameters and preprocessing");
        }
        try {
            return Json.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw Problem.badRequest("Algorithm execution request malformed: the body is not valid JSON ("
                    + e.getOriginalMessage() + ")");
        }
    }

    private static void json(Context ctx, JsonNode body) {
        ctx.contentType("application/json").result(body.toString());
    }

    private static void text(Context ctx, int status, String message) {
        ctx.status(status).contentType("text/plain; charset=utf-8").result(message);
    }

    public int port() {
        return app.port();
    }

    public Exareme2Address address() {
        return address;
    }

    @Override
    public void close() {
        app.stop();
    }
}
