package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.manager.users.Principal;
import org.mipfed.manager.users.Roles;
import org.mipfed.manager.users.Sessions;
import org.mipfed.manager.users.User;
import org.mipfed.manager.users.UserStore;

/**
 * Who may call what, decided before every request reaches a handler:
 * <ul>
 *   <li>a bearer token (the manager's {@code admin.token}, or a user's API token) or the sign-in cookie names the
 *       {@link Principal}, put on the context for the handlers;</li>
 *   <li>a cookie-authenticated request that changes something carries the session's CSRF token in
 *       {@value #CSRF_HEADER} and, when the browser sends an {@code Origin}, comes from the manager's own origin;</li>
 *   <li>everything under {@code /admin} needs the admin role; {@code /metrics} the metrics or the admin role, and a
 *       metrics account may call nothing else (but its own {@code /auth/} routes).</li>
 * </ul>
 * Sign-in, the sign-in configuration, the health probes and the portal's static files are open.
 */
final class Access {
    static final String SESSION_COOKIE = "mipfed_session";
    static final String CSRF_HEADER = "X-CSRF-Token";
    /** The session of a cookie-authenticated request, for the handlers that need it (me, logout). */
    static final String SESSION_ATTRIBUTE = "mipfed.session";

    private final UserStore users;
    private final Sessions sessions;
    private final byte[] adminToken;

    Access(UserStore users, Sessions sessions, String adminToken) {
        this.users = requireNonNull(users, "users is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.adminToken = requireNonNull(adminToken, "adminToken is null").getBytes(StandardCharsets.UTF_8);
    }

    void handle(Context ctx) {
        if (open(ctx)) {
            return;
        }
        Principal principal = ctx.header("Authorization") != null ? bearer(ctx) : session(ctx);
        ctx.attribute(Principal.ATTRIBUTE, principal);
        if (Roles.METRICS.equals(principal.role())) {
            // Prometheus' account: the metrics, and its own sign-in and tokens; never data nor administration
            if (!ctx.path().equals("/metrics") && !ctx.path().startsWith("/auth/")) {
                throw new Problem(
                        ProblemType.FORBIDDEN,
                        ctx.method() + " " + ctx.path() + " is not for a metrics account (" + principal.username()
                                + "): it reads GET /metrics only.");
            }
            return;
        }
        if (ctx.path().equals("/metrics") && !principal.admin()) {
            throw new Problem(
                    ProblemType.FORBIDDEN,
                    "GET /metrics needs the metrics or the admin role; you are signed in as " + principal.username()
                            + " (" + principal.role() + ").");
        }
        if ((ctx.path().equals("/admin") || ctx.path().startsWith("/admin/")) && !principal.admin()) {
            throw new Problem(
                    ProblemType.FORBIDDEN,
                    ctx.method() + " " + ctx.path() + " needs the admin role; you are signed in as "
                            + principal.username() + " (" + principal.role() + ").");
        }
    }

    /** What anyone may call: signing in, and the portal's pages (which then sign in). */
    static boolean open(Context ctx) {
        String path = ctx.path();
        HandlerType method = ctx.method();
        boolean read = method == HandlerType.GET || method == HandlerType.HEAD;
        return path.equals("/auth/login") && method == HandlerType.POST
                || read
                        && (path.equals("/")
                                || path.equals("/auth/config")
                                || path.equals("/healthz")
                                || path.equals("/readyz")
                                || path.startsWith("/auth/oidc/")
                                || path.equals("/portal")
                                || path.startsWith("/portal/")
                                || path.startsWith("/webjars/"));
    }

    private Principal bearer(Context ctx) {
        String header = ctx.header("Authorization");
        String presented = header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).trim()
                : "";
        if (!presented.isEmpty() && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), adminToken)) {
            return new Principal("admin", Roles.ADMIN, Principal.TOKEN);
        }
        Optional<User> user = users.userForToken(presented);
        if (user.isEmpty()) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new Problem(
                    ProblemType.UNAUTHORIZED,
                    "The bearer token is not valid (unknown, revoked, or its user is disabled). "
                            + "Send 'Authorization: Bearer <token>' with an API token (POST /auth/tokens) or the admin token in the manager's data directory (admin.token).");
        }
        return new Principal(user.get().username(), user.get().role(), Principal.TOKEN);
    }

    private Principal session(Context ctx) {
        Optional<Sessions.Session> session = sessions.find(ctx.cookie(SESSION_COOKIE));
        Optional<User> user = session.flatMap(s -> users.user(s.username())).filter(u -> !u.disabled());
        if (user.isEmpty()) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new Problem(
                    ProblemType.UNAUTHORIZED,
                    session.isPresent() || ctx.cookie(SESSION_COOKIE) != null
                            ? "Your session has ended; sign in again (POST /auth/login)."
                            : "Sign in first (POST /auth/login), or send an API token as 'Authorization: Bearer <token>'.");
        }
        if (unsafe(ctx.method())) {
            checkOrigin(ctx);
            String csrf = ctx.header(CSRF_HEADER);
            if (csrf == null
                    || !MessageDigest.isEqual(
                            csrf.getBytes(StandardCharsets.UTF_8),
                            session.get().csrfToken().getBytes(StandardCharsets.UTF_8))) {
                throw new Problem(
                        ProblemType.FORBIDDEN,
                        "A signed-in request that changes something must carry the header " + CSRF_HEADER
                                + " with the csrf_token given at sign-in (GET /auth/me returns it again).");
            }
        }
        ctx.attribute(SESSION_ATTRIBUTE, session.get());
        return new Principal(user.get().username(), user.get().role(), Principal.SESSION);
    }

    /** A browser's request from another site says so in Origin; the manager accepts changes only from its own pages. */
    static void checkOrigin(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null) {
            return;
        }
        String own = ctx.scheme() + "://" + ctx.host();
        if (!origin.equalsIgnoreCase(own)) {
            throw new Problem(
                    ProblemType.FORBIDDEN,
                    "This request comes from another site (Origin " + origin
                            + "); the manager accepts changes only from its own pages (" + own + ").");
        }
    }

    static boolean unsafe(HandlerType method) {
        return method == HandlerType.POST
                || method == HandlerType.PUT
                || method == HandlerType.PATCH
                || method == HandlerType.DELETE;
    }
}
