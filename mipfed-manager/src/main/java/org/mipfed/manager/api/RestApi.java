package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import jakarta.servlet.DispatcherType;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.servlet.FilterHolder;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.manager.portal.Portal;
import org.mipfed.manager.users.OidcClient;
import org.mipfed.manager.users.Sessions;
import org.mipfed.manager.users.TryLater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager's REST API on the HTTP port: the server (HTTP or HTTPS, request limits, security headers) and the one
 * place failures become RFC 9457 problem documents. The routes belong to the {@link ApiResource}s: the
 * Exareme2-compatible catalogue and analyses, experiments, sign-in, and the administration under {@code /admin}. Who
 * may call what is decided by {@link Access} before any handler runs; analyses and administrative actions are
 * recorded in the manager's audit trail ({@link AuditedActions}), refused ones too.
 */
public final class RestApi {
    private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);

    private final HttpTransport transport;
    private final HttpTls tls;
    private final Access access;
    private final List<ApiResource> resources;
    private final List<String> endpoints = new CopyOnWriteArrayList<>();
    private Javalin app;

    /**
     * An API served on {@code transport}'s host: plain HTTP, or HTTPS only when {@code tls} is given; with
     * {@link ApiServices#oidc()}, users may also sign in through that OpenID Connect provider.
     */
    public RestApi(ApiServices services, HttpTransport transport, HttpTls tls) {
        requireNonNull(services, "services is null");
        this.transport = requireNonNull(transport, "transport is null");
        if (transport.https() != (tls != null)) {
            throw new IllegalArgumentException("the transport says https=" + transport.https() + " but tls is "
                    + (tls == null ? "absent" : "given"));
        }
        this.tls = tls;
        // signed-in sessions are replicated: a user signed in through one manager is signed in through every other
        Sessions sessions = Sessions.replicated(services.replication());
        AuditedActions audited = new AuditedActions(services.audit());
        this.access = new Access(services.users(), sessions, services.adminToken());
        this.resources = List.of(
                new AuthResource(
                        services.users(),
                        sessions,
                        services.oidc() == null ? null : new OidcClient(services.oidc()),
                        audited,
                        services.audit(),
                        services.metrics()),
                new MonitoringResource(services.registry(), services.metrics(), transport),
                new CatalogueResource(services.analyses(), services.registry()),
                new AnalysisResource(services.analyses(), audited),
                new ExperimentResource(services.analyses(), audited),
                new NodeResource(services.registry(), audited),
                new JoinTokenResource(services.tokens(), services.tokenRotation(), audited),
                new AuditResource(services.audit(), services.alerts()),
                new CaResource(services.ca(), audited),
                new UserResource(services.users(), sessions, audited),
                new ManagerResource(services.replication(), audited));
    }

    /**
     * Loads and initialises the classes serving the API takes (Javalin, Kotlin's runtime, Jetty's server, connector
     * and servlet handler) without serving anything and without keeping what it builds: a manager's start calls it
     * on another thread while Raft starts, so that {@link #start} finds them loaded. A failure here is left for
     * {@link #start} to report.
     */
    public static void loadClasses() {
        try {
            Javalin app = Javalin.create(config -> {
                config.showJavalinBanner = false;
                config.jetty.modifyServletContextHandler(handler -> handler.addFilter(
                        new FilterHolder(new RequestLimits()), "/*", EnumSet.of(DispatcherType.REQUEST)));
            });
            app.before(ctx -> {});
            app.get("/", ctx -> ctx.result(""));
            org.eclipse.jetty.server.Server server = new org.eclipse.jetty.server.Server();
            server.addConnector(new org.eclipse.jetty.server.ServerConnector(server));
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("loading the REST API's classes ahead failed: {}", e.toString());
        }
    }

    /** Serves the API on {@code port} (0: a free one, see {@link #port()}). */
    public void start(int port) {
        String host = transport.host();
        app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            if (tls != null) {
                tls.configure(config, host, port);
            } else if (transport.behindProxy()) {
                // only a process on this machine reaches a loopback port: the reverse proxy that terminates TLS says
                // how the browser came (X-Forwarded-Proto/For, Forwarded), so that its https Origin matches, cookies
                // are
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
        mapFailures(app);
        Portal.routes(app);
        resources.forEach(resource -> resource.routes(app));
        app.start(host, port);
    }

    /** Every failure leaves as a problem document with its type and code; an unexpected one names an incident, never the exception. */
    private static void mapFailures(Javalin app) {
        app.exception(Problem.class, (e, ctx) -> {
            if (e instanceof TryLater later) {
                ctx.header("Retry-After", String.valueOf(later.retryAfterSeconds()));
            }
            if (e.type() == ProblemType.REQUEST_TOO_LARGE) {
                // the rest of the body is not read: the connection cannot carry another request
                ctx.header("Connection", "close");
            }
            ProblemJson.write(ctx, e);
        });
        // Javalin's own refusals (a body over the size limit) as problems too, not plain text
        app.exception(
                HttpResponseException.class,
                (e, ctx) -> ctx.status(e.getStatus())
                        .contentType("application/problem+json")
                        .result(new String(
                                ProblemErrorHandler.problem(e.getStatus(), null, ctx.path()), StandardCharsets.UTF_8)));
        app.exception(Exception.class, (e, ctx) -> {
            // the caller gets an incident number to quote, never the exception: its name and stack stay in the log
            String incident = UUID.randomUUID().toString().substring(0, 8);
            LOG.error("internal error {} on {} {}", incident, ctx.method(), ctx.path(), e);
            ProblemJson.write(
                    ctx,
                    new Problem(
                            ProblemType.INTERNAL_ERROR,
                            "The manager failed while handling this request (incident " + incident
                                    + "). The failure is in its log; please report it with the incident number."));
        });
        app.error(404, ctx -> {
            String type = ctx.res().getContentType();
            if (type == null || !type.contains("json")) {
                ProblemJson.write(
                        ctx,
                        Problem.notFound("There is no " + ctx.method() + " " + ctx.path()
                                + ". docs/user-guide.md lists the API's endpoints."));
            }
        });
        app.error(
                405,
                ctx -> ProblemJson.write(
                        ctx,
                        new Problem(
                                ProblemType.METHOD_NOT_ALLOWED, ctx.method() + " is not allowed on " + ctx.path())));
    }

    /** Every endpoint, as {@code "GET /admin/nodes"}. */
    public List<String> endpoints() {
        return List.copyOf(endpoints);
    }

    /** How the API is served. */
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
}
