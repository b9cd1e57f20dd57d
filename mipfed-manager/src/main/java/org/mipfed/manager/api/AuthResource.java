package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.manager.audit.AuditTrail;
import org.mipfed.manager.metrics.ManagerMetrics;
import org.mipfed.manager.users.LoginThrottle;
import org.mipfed.manager.users.OidcClient;
import org.mipfed.manager.users.PasswordHasher;
import org.mipfed.manager.users.Principal;
import org.mipfed.manager.users.Sessions;
import org.mipfed.manager.users.TryLater;
import org.mipfed.manager.users.User;
import org.mipfed.manager.users.UserStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-in (a password, or an OpenID Connect provider), sign-out, and one's own account: password and API tokens
 * ({@code /auth/**}). Failed sign-ins are throttled ({@link LoginThrottle}); each wait that starts is audited and
 * counted as an alert.
 */
final class AuthResource implements ApiResource {
    private static final Logger LOG = LoggerFactory.getLogger(AuthResource.class);
    static final String OIDC_COOKIE = "mipfed_oidc";
    private final UserStore users;
    private final Sessions sessions;
    private final LoginThrottle throttle;
    /** Null when sign-in through an OpenID Connect provider is not configured. */
    private final OidcClient oidc;

    private final AuditedActions audited;
    private final AuditTrail audit;
    private final ManagerMetrics metrics;

    AuthResource(
            UserStore users,
            Sessions sessions,
            OidcClient oidc,
            AuditedActions audited,
            AuditTrail audit,
            ManagerMetrics metrics) {
        this.users = requireNonNull(users, "users is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.oidc = oidc;
        this.audited = requireNonNull(audited, "audited is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.throttle = new LoginThrottle(this::lockoutStarted);
        PasswordHasher hasher = users.hasher();
        FunctionCounter.builder("mipfed_password_hashes", hasher, PasswordHasher::computations)
                .description("Argon2id computations run (sign-ins, password changes, new passwords)")
                .register(metrics.registry());
        FunctionCounter.builder("mipfed_password_hash_refusals", hasher, PasswordHasher::refusals)
                .description("Password checks refused because every slot was busy (answered 429)")
                .register(metrics.registry());
        Gauge.builder("mipfed_password_hash_slots", hasher, PasswordHasher::concurrency)
                .description("Argon2id computations allowed at once (sized from the heap and the cores)")
                .register(metrics.registry());
    }

    @Override
    public void routes(Javalin app) {
        app.get(
                "/auth/config",
                ctx -> JsonBodies.write(
                        ctx,
                        oidc == null
                                ? Json.mapper().createObjectNode().put("oidc", false)
                                : Json.mapper()
                                        .createObjectNode()
                                        .put("oidc", true)
                                        .put("login_url", "/auth/oidc/login")));
        if (oidc != null) {
            app.get("/auth/oidc/login", this::oidcLogin);
            app.get("/auth/oidc/callback", this::oidcCallback);
        }
        app.post("/auth/login", this::login);
        app.post("/auth/logout", this::logout);
        app.get("/auth/me", this::me);
        // the audit trail names whom an action concerns, never a password or a token
        app.post(
                "/auth/password",
                ctx -> audited.handle(
                        ctx,
                        AuditTrail.USER_CHANGE,
                        d -> d.put("username", Principal.of(ctx).username()).put("changed", "password"),
                        this::changePassword));
        app.get(
                "/auth/tokens",
                ctx -> JsonBodies.write(
                        ctx, UserResource.tokens(users, Principal.of(ctx).username())));
        app.post(
                "/auth/tokens",
                ctx -> audited.handle(
                        ctx,
                        AuditTrail.TOKEN_CREATE,
                        d -> d.put("name", JsonBodies.textField(ctx, "name")),
                        this::createToken));
        app.delete(
                "/auth/tokens/{id}",
                ctx -> audited.handle(
                        ctx,
                        AuditTrail.TOKEN_REVOKE,
                        d -> d.put("token_id", ctx.pathParam("id")),
                        c -> UserResource.deleteToken(users, c, Principal.of(c).username())));
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
        LOG.warn(
                "sign-in attempts {} from {} wait {} s after {} failures",
                username == null ? "of every user" : "for " + username,
                address,
                wait.toSeconds(),
                failures);
    }

    private void login(Context ctx) {
        Access.checkOrigin(ctx);
        JsonNode body = JsonBodies.read(ctx);
        String username = body.path("username").asText("");
        String password = body.path("password").asText("");
        if (username.isEmpty() || password.isEmpty()) {
            throw Problem.badRequest("Sign in with {\"username\": \"…\", \"password\": \"…\"}");
        }
        // the peer's address (the browser's, as the reverse proxy says, only with --behind-proxy): X-Forwarded-For is
        // otherwise anyone's to write
        LoginThrottle.Attempt attempt = throttle.begin(username, ctx.req().getRemoteAddr());
        Optional<User> user = checked(attempt, () -> users.authenticate(username, password));
        if (user.isEmpty()) {
            attempt.failed();
            throw new Problem(ProblemType.SIGN_IN_REFUSED, "Wrong user name or password.");
        }
        attempt.succeeded();
        Sessions.Session session = sessions.create(user.get().username());
        ctx.header(
                "Set-Cookie",
                Access.SESSION_COOKIE + "=" + session.id() + "; Path=/; HttpOnly; SameSite=Strict" + secure(ctx));
        JsonBodies.write(
                ctx,
                Json.mapper()
                        .createObjectNode()
                        .put("username", user.get().username())
                        .put("role", user.get().role())
                        .put("csrf_token", session.csrfToken()));
    }

    /** Runs a password check counted by {@code attempt}; a check that could not run (all busy) gives its count back. */
    private static <T> T checked(LoginThrottle.Attempt attempt, Supplier<T> check) {
        try {
            return check.get();
        } catch (TryLater busy) {
            attempt.notChecked();
            throw busy;
        }
    }

    /** Sends the browser to the identity provider; a cookie binds the sign-in's state to this browser. */
    private void oidcLogin(Context ctx) {
        OidcClient.Start start = oidc.start(callbackUri(ctx));
        ctx.header(
                "Set-Cookie",
                OIDC_COOKIE + "=" + start.state() + "; Path=/auth/oidc/; Max-Age=600; HttpOnly; SameSite=Lax"
                        + secure(ctx));
        ctx.redirect(start.authorization().toString(), HttpStatus.FOUND);
    }

    /** The provider sends the browser back here with a code; a checked ID token signs its user in (a researcher, the first time). */
    private void oidcCallback(Context ctx) {
        String state = ctx.queryParam("state");
        String error = ctx.queryParam("error");
        if (error != null) {
            throw new Problem(
                    ProblemType.SIGN_IN_REFUSED,
                    "The identity provider refused the sign-in: " + error
                            + (ctx.queryParam("error_description") != null
                                    ? " (" + ctx.queryParam("error_description") + ")"
                                    : "")
                            + ".");
        }
        String bound = ctx.cookie(OIDC_COOKIE);
        if (state == null
                || bound == null
                || !MessageDigest.isEqual(
                        state.getBytes(StandardCharsets.UTF_8), bound.getBytes(StandardCharsets.UTF_8))) {
            throw new Problem(
                    ProblemType.INVALID_SIGN_IN,
                    "This sign-in was not started from this browser (state does not match); start again from the sign-in page.");
        }
        OidcClient.Identity identity = oidc.finish(state, ctx.queryParam("code"));
        User user = users.oidcUser(identity.subject(), identity.preferredName());
        if (user.disabled()) {
            throw new Problem(ProblemType.ACCOUNT_DISABLED, "User " + user.username() + " is disabled; ask an admin.");
        }
        Sessions.Session session = sessions.create(user.username());
        ctx.res()
                .addHeader(
                        "Set-Cookie",
                        OIDC_COOKIE + "=; Path=/auth/oidc/; Max-Age=0; HttpOnly; SameSite=Lax" + secure(ctx));
        ctx.res()
                .addHeader(
                        "Set-Cookie",
                        Access.SESSION_COOKIE + "=" + session.id() + "; Path=/; HttpOnly; SameSite=Strict"
                                + secure(ctx));
        ctx.redirect("/portal/", HttpStatus.FOUND);
    }

    private static String callbackUri(Context ctx) {
        return ctx.scheme() + "://" + ctx.host() + "/auth/oidc/callback";
    }

    private void logout(Context ctx) {
        Sessions.Session session = ctx.attribute(Access.SESSION_ATTRIBUTE);
        if (session != null) {
            sessions.remove(session.id());
        }
        ctx.header(
                "Set-Cookie", Access.SESSION_COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + secure(ctx));
        ctx.status(204);
    }

    private void me(Context ctx) {
        Principal principal = Principal.of(ctx);
        Sessions.Session session = ctx.attribute(Access.SESSION_ATTRIBUTE);
        ObjectNode out = Json.mapper()
                .createObjectNode()
                .put("username", principal.username())
                .put("role", principal.role());
        out.put("csrf_token", session == null ? null : session.csrfToken());
        out.put("auth", principal.via());
        JsonBodies.write(ctx, out);
    }

    private void changePassword(Context ctx) {
        Principal principal = Principal.of(ctx);
        JsonNode body = JsonBodies.read(ctx);
        JsonNode next = body.get("new");
        if (next == null || !next.isTextual()) {
            throw Problem.badRequest("Give the current and the new password: {\"current\": \"…\", \"new\": \"…\"}");
        }
        UserStore.checkPassword(next.asText());
        // wrong "current" passwords count as failed sign-ins: a stolen session must not become a free guessing oracle
        LoginThrottle.Attempt attempt =
                throttle.begin(principal.username(), ctx.req().getRemoteAddr());
        try {
            checked(attempt, () -> {
                users.changePassword(principal.username(), body.path("current").asText(""), next.asText());
                return null;
            });
        } catch (Problem p) {
            if (p.status() == 403) {
                attempt.failed();
            } else if (!(p instanceof TryLater)) {
                attempt.notChecked();
            }
            throw p;
        }
        attempt.succeeded();
        Sessions.Session session = ctx.attribute(Access.SESSION_ATTRIBUTE);
        sessions.removeUser(principal.username(), session == null ? null : session.id());
        ctx.status(204);
    }

    private void createToken(Context ctx) {
        Principal principal = Principal.of(ctx);
        UserStore.CreatedToken created = users.createToken(
                principal.username(), JsonBodies.read(ctx).path("name").asText(null));
        ctx.status(201);
        JsonBodies.write(
                ctx,
                Json.mapper()
                        .createObjectNode()
                        .put("id", created.token().id())
                        .put("name", created.token().name())
                        .put("token", created.secret()));
    }

    private static String secure(Context ctx) {
        return "https".equals(ctx.scheme()) ? "; Secure" : "";
    }
}
