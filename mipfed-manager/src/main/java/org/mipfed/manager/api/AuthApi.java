package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Optional;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.manager.users.ApiToken;
import org.mipfed.manager.users.LoginThrottle;
import org.mipfed.manager.users.Principal;
import org.mipfed.manager.users.Roles;
import org.mipfed.manager.users.Sessions;
import org.mipfed.manager.users.User;
import org.mipfed.manager.users.UserStore;

/** Sign-in, one's own password and API tokens ({@code /auth/**}), and the users' administration ({@code /admin/users}, {@code /admin/tokens}). */
final class AuthApi {
    private final UserStore users;
    private final Sessions sessions;
    private final LoginThrottle throttle;

    AuthApi(UserStore users, Sessions sessions, LoginThrottle throttle) {
        this.users = requireNonNull(users, "users is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.throttle = requireNonNull(throttle, "throttle is null");
    }

    void routes(Javalin app) {
        app.get("/auth/config", ctx -> RestApi.json(ctx, Json.mapper().createObjectNode().put("oidc", false)));
        app.post("/auth/login", this::login);
        app.post("/auth/logout", this::logout);
        app.get("/auth/me", this::me);
        app.post("/auth/password", this::changePassword);
        app.get("/auth/tokens", ctx -> RestApi.json(ctx, tokens(Principal.of(ctx).username())));
        app.post("/auth/tokens", this::createToken);
        app.delete("/auth/tokens/{id}", ctx -> deleteToken(ctx, Principal.of(ctx).username()));

        app.get("/admin/users", ctx -> {
            ArrayNode out = Json.mapper().createArrayNode();
            users.users().forEach(u -> out.add(user(u)));
            RestApi.json(ctx, out);
        });
        app.post("/admin/users", this::createUser);
        app.patch("/admin/users/{username}", this::updateUser);
        app.delete("/admin/users/{username}", ctx -> {
            users.delete(ctx.pathParam("username"));
            sessions.removeUser(ctx.pathParam("username"));
            ctx.status(204);
        });
        app.get("/admin/tokens", ctx -> RestApi.json(ctx, tokens(null)));
        app.delete("/admin/tokens/{id}", ctx -> deleteToken(ctx, null));
    }

    private void login(Context ctx) {
        Access.checkOrigin(ctx);
        JsonNode body = RestApi.body(ctx);
        String username = body.path("username").asText("");
        String password = body.path("password").asText("");
        if (username.isEmpty() || password.isEmpty()) {
            throw Problem.badRequest("Sign in with {\"username\": \"…\", \"password\": \"…\"}");
        }
        String address = ctx.req().getRemoteAddr();
        Optional<Duration> wait = throttle.retryAfter(username, address);
        if (wait.isPresent()) {
            long seconds = Math.max(1, wait.get().toSeconds() + 1);
            ctx.header("Retry-After", String.valueOf(seconds));
            throw new Problem(429, "Too many failed sign-ins", "There were " + LoginThrottle.MAX_FAILURES + " failed sign-ins for this user or from this address within "
                    + LoginThrottle.WINDOW.toMinutes() + " minutes; try again in " + (seconds + 59) / 60 + " minute(s).");
        }
        Optional<User> user = users.authenticate(username, password);
        if (user.isEmpty()) {
            throttle.failed(username, address);
            throw new Problem(401, "Unauthorized", "Wrong user name or password.");
        }
        throttle.succeeded(username);
        Sessions.Session session = sessions.create(user.get().username());
        ctx.header("Set-Cookie", Access.SESSION_COOKIE + "=" + session.id() + "; Path=/; HttpOnly; SameSite=Strict" + secure(ctx));
        RestApi.json(ctx, Json.mapper().createObjectNode().put("username", user.get().username()).put("role", user.get().role())
                .put("csrf_token", session.csrfToken()));
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
        users.changePassword(principal.username(), body.path("current").asText(""), next.asText());
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
