package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.manager.audit.AuditTrail;
import org.mipfed.manager.users.ApiToken;
import org.mipfed.manager.users.LoginThrottle;
import org.mipfed.manager.users.OidcClient;
import org.mipfed.manager.users.Principal;
import org.mipfed.manager.users.Roles;
import org.mipfed.manager.users.Sessions;
import org.mipfed.manager.users.TryLater;
import org.mipfed.manager.users.User;
import org.mipfed.manager.users.UserStore;

/** Sign-in, one's own password and API tokens ({@code /auth/**}), and the users' administration ({@code /admin/users}, {@code /admin/tokens}). */
final class AuthApi {
    static final String OIDC_COOKIE = "mipfed_oidc";
    private final UserStore users;
    private final Sessions sessions;
    private final LoginThrottle throttle;
    /** Null when sign-in through an OpenID Connect provider is not configured. */
    private final OidcClient oidc;
    private final Auditing audit;

    /** Runs an action and records it in the manager's audit trail (see {@link RestApi}). */
    @FunctionalInterface
    interface Auditing {
        void run(Context ctx, String action, Consumer<ObjectNode> describe, Handler work) throws Exception;
    }

    AuthApi(UserStore users, Sessions sessions, LoginThrottle throttle, OidcClient oidc, Auditing audit) {
        this.audit = requireNonNull(audit, "audit is null");
        this.users = requireNonNull(users, "users is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.throttle = requireNonNull(throttle, "throttle is null");
        this.oidc = oidc;
    }

    void routes(Javalin app) {
        app.get("/auth/config", ctx -> RestApi.json(ctx, oidc == null ? Json.mapper().createObjectNode().put("oidc", false)
                : Json.mapper().createObjectNode().put("oidc", true).put("login_url", "/auth/oidc/login")));
        if (oidc != null) {
            app.get("/auth/oidc/login", this::oidcLogin);
            app.get("/auth/oidc/callback", this::oidcCallback);
        }
        app.post("/auth/login", this::login);
        app.post("/auth/logout", this::logout);
        app.get("/auth/me", this::me);
        // the audit trail names whom an action concerns, never a password or a token
        app.post("/auth/password", ctx -> audit.run(ctx, AuditTrail.USER_CHANGE,
                d -> d.put("username", Principal.of(ctx).username()).put("changed", "password"), this::changePassword));
        app.get("/auth/tokens", ctx -> RestApi.json(ctx, tokens(Principal.of(ctx).username())));
        app.post("/auth/tokens", ctx -> audit.run(ctx, AuditTrail.TOKEN_CREATE, d -> d.put("name", bodyText(ctx, "name")), this::createToken));
        app.delete("/auth/tokens/{id}", ctx -> audit.run(ctx, AuditTrail.TOKEN_REVOKE, d -> d.put("token_id", ctx.pathParam("id")),
                c -> deleteToken(c, Principal.of(c).username())));

        app.get("/admin/users", ctx -> {
            ArrayNode out = Json.mapper().createArrayNode();
            users.users().forEach(u -> out.add(user(u)));
            RestApi.json(ctx, out);
        });
        app.post("/admin/users", ctx -> audit.run(ctx, AuditTrail.USER_CREATE,
                d -> d.put("username", bodyText(ctx, "username")).put("role", bodyText(ctx, "role")), this::createUser));
        app.patch("/admin/users/{username}", ctx -> audit.run(ctx, AuditTrail.USER_CHANGE, d -> {
            d.put("username", ctx.pathParam("username"));
            ArrayNode changed = d.putArray("changed");
            bodyFields(ctx).forEach(changed::add);
        }, this::updateUser));
        app.delete("/admin/users/{username}", ctx -> audit.run(ctx, AuditTrail.USER_DELETE, d -> d.put("username", ctx.pathParam("username")), c -> {
            users.delete(c.pathParam("username"));
            sessions.removeUser(c.pathParam("username"));
            c.status(204);
        }));
        app.get("/admin/tokens", ctx -> RestApi.json(ctx, tokens(null)));
        app.delete("/admin/tokens/{id}", ctx -> audit.run(ctx, AuditTrail.TOKEN_REVOKE, d -> d.put("token_id", ctx.pathParam("id")),
                c -> deleteToken(c, null)));
    }

    /** A text field of the JSON body for the audit trail, or "" when the body has none (the handler then refuses it). */
    private static String bodyText(Context ctx, String field) {
        try {
            JsonNode value = Json.mapper().readTree(ctx.body()).get(field);
            return value != null && value.isTextual() ? value.asText() : "";
        }
        catch (Exception e) {
            return "";
        }
    }

    /** The names of the JSON body's fields (which settings a change touches; never their values). */
    private static List<String> bodyFields(Context ctx) {
        try {
            List<String> names = new ArrayList<>();
            Json.mapper().readTree(ctx.body()).fieldNames().forEachRemaining(names::add);
            return names;
        }
        catch (Exception e) {
            return List.of();
        }
    }

    private void login(Context ctx) {
        Access.checkOrigin(ctx);
        JsonNode body = RestApi.body(ctx);
        String username = body.path("username").asText("");
        String password = body.path("password").asText("");
        if (username.isEmpty() || password.isEmpty()) {
            throw Problem.badRequest("Sign in with {\"username\": \"…\", \"password\": \"…\"}");
        }
        // the peer's address (the browser's, as the reverse proxy says, only with --behind-proxy): X-Forwarded-For is otherwise anyone's to write
        LoginThrottle.Attempt attempt = throttle.begin(username, ctx.req().getRemoteAddr());
        Optional<User> user = checked(attempt, () -> users.authenticate(username, password));
        if (user.isEmpty()) {
            attempt.failed();
            throw new Problem(ProblemType.SIGN_IN_REFUSED, "Wrong user name or password.");
        }
        attempt.succeeded();
        Sessions.Session session = sessions.create(user.get().username());
        ctx.header("Set-Cookie", Access.SESSION_COOKIE + "=" + session.id() + "; Path=/; HttpOnly; SameSite=Strict" + secure(ctx));
        RestApi.json(ctx, Json.mapper().createObjectNode().put("username", user.get().username()).put("role", user.get().role())
                .put("csrf_token", session.csrfToken()));
    }

    /** Runs a password check counted by {@code attempt}; a check that could not run (all busy) gives its count back. */
    private static <T> T checked(LoginThrottle.Attempt attempt, Supplier<T> check) {
        try {
            return check.get();
        }
        catch (TryLater busy) {
            attempt.notChecked();
            throw busy;
        }
    }

    /** Sends the browser to the identity provider; a cookie binds the sign-in's state to this browser. */
    private void oidcLogin(Context ctx) {
        OidcClient.Start start = oidc.start(callbackUri(ctx));
        ctx.header("Set-Cookie", OIDC_COOKIE + "=" + start.state() + "; Path=/auth/oidc/; Max-Age=600; HttpOnly; SameSite=Lax" + secure(ctx));
        ctx.redirect(start.authorization().toString(), HttpStatus.FOUND);
    }

    /** The provider sends the browser back here with a code; a checked ID token signs its user in (a researcher, the first time). */
    private void oidcCallback(Context ctx) {
        String state = ctx.queryParam("state");
        String error = ctx.queryParam("error");
        if (error != null) {
            throw new Problem(ProblemType.SIGN_IN_REFUSED, "The identity provider refused the sign-in: " + error
                    + (ctx.queryParam("error_description") != null ? " (" + ctx.queryParam("error_description") + ")" : "") + ".");
        }
        String bound = ctx.cookie(OIDC_COOKIE);
        if (state == null || bound == null || !MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8), bound.getBytes(StandardCharsets.UTF_8))) {
            throw new Problem(ProblemType.INVALID_SIGN_IN, "This sign-in was not started from this browser (state does not match); start again from the sign-in page.");
        }
        OidcClient.Identity identity = oidc.finish(state, ctx.queryParam("code"));
        User user = users.oidcUser(identity.subject(), identity.preferredName());
        if (user.disabled()) {
            throw new Problem(ProblemType.ACCOUNT_DISABLED, "User " + user.username() + " is disabled; ask an admin.");
        }
        Sessions.Session session = sessions.create(user.username());
        ctx.res().addHeader("Set-Cookie", OIDC_COOKIE + "=; Path=/auth/oidc/; Max-Age=0; HttpOnly; SameSite=Lax" + secure(ctx));
        ctx.res().addHeader("Set-Cookie", Access.SESSION_COOKIE + "=" + session.id() + "; Path=/; HttpOnly; SameSite=Strict" + secure(ctx));
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
        ctx.header("Set-Cookie", Access.SESSION_COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + secure(ctx));
        ctx.status(204);
    }

    private void me(Context ctx) {
        Principal principal = Principal.of(ctx);
        Sessions.Session session = ctx.attribute(Access.SESSION_ATTRIBUTE);
        ObjectNode out = Json.mapper().createObjectNode().put("username", principal.username()).put("role", principal.role());
        out.put("csrf_token", session == null ? null : session.csrfToken());
        out.put("auth", principal.via());
        RestApi.json(ctx, out);
    }

    private void changePassword(Context ctx) {
        Principal principal = Principal.of(ctx);
        JsonNode body = RestApi.body(ctx);
        JsonNode next = body.get("new");
        if (next == null || !next.isTextual()) {
            throw Problem.badRequest("Give the current and the new password: {\"current\": \"…\", \"new\": \"…\"}");
        }
        UserStore.checkPassword(next.asText());
        // wrong "current" passwords count as failed sign-ins: a stolen session must not become a free guessing oracle
        LoginThrottle.Attempt attempt = throttle.begin(principal.username(), ctx.req().getRemoteAddr());
        try {
            checked(attempt, () -> {
                users.changePassword(principal.username(), body.path("current").asText(""), next.asText());
                return null;
            });
        }
        catch (Problem p) {
            if (p.status() == 403) {
                attempt.failed();
            }
            else if (!(p instanceof TryLater)) {
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
        UserStore.CreatedToken created = users.createToken(principal.username(), RestApi.body(ctx).path("name").asText(null));
        ctx.status(201);
        RestApi.json(ctx, Json.mapper().createObjectNode().put("id", created.token().id()).put("name", created.token().name())
                .put("token", created.secret()));
    }

    private void deleteToken(Context ctx, String owner) {
        if (!users.deleteToken(ctx.pathParam("id"), owner)) {
            throw Problem.notFound("No API token " + ctx.pathParam("id") + (owner == null ? "; GET /admin/tokens lists them" : " of yours; GET /auth/tokens lists them"));
        }
        ctx.status(204);
    }

    private ArrayNode tokens(String owner) {
        ArrayNode out = Json.mapper().createArrayNode();
        for (ApiToken t : users.tokens(owner)) {
            ObjectNode item = out.addObject().put("id", t.id()).put("name", t.name());
            if (owner == null) {
                item.put("username", t.username());
            }
            item.put("created", t.created().toString()).put("last_used", t.lastUsed() == null ? null : t.lastUsed().toString());
        }
        return out;
    }

    private void createUser(Context ctx) {
        JsonNode body = RestApi.body(ctx);
        User user = users.create(body.path("username").asText(null), body.path("password").asText(null), body.path("role").asText(Roles.RESEARCHER));
        ctx.status(201).header("Location", "/admin/users/" + user.username());
        RestApi.json(ctx, user(user));
    }

    private void updateUser(Context ctx) {
        JsonNode body = RestApi.body(ctx);
        JsonNode disabled = body.get("disabled");
        if (disabled != null && !disabled.isBoolean()) {
            throw Problem.badRequest("\"disabled\" is true or false");
        }
        if (!body.has("role") && !body.has("password") && disabled == null) {
            throw Problem.badRequest("Say what to change: {\"role\": \"admin\"}, {\"password\": \"…\"} or {\"disabled\": true}");
        }
        String username = ctx.pathParam("username");
        User user = users.update(username, body.has("role") ? body.get("role").asText() : null,
                body.has("password") ? body.get("password").asText() : null, disabled == null ? null : disabled.booleanValue());
        if (user.disabled() || body.has("password")) {
            sessions.removeUser(username);
        }
        RestApi.json(ctx, user(user));
    }

    private static ObjectNode user(User u) {
        return Json.mapper().createObjectNode().put("username", u.username()).put("role", u.role()).put("created", u.created().toString())
                .put("disabled", u.disabled()).put("sign_in", u.oidcSubject() != null ? "oidc" : "password");
    }

    private static String secure(Context ctx) {
        return "https".equals(ctx.scheme()) ? "; Secure" : "";
    }
}
