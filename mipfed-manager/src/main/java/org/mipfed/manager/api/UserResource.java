package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.manager.audit.AuditTrail;
import org.mipfed.manager.users.ApiToken;
import org.mipfed.manager.users.Roles;
import org.mipfed.manager.users.Sessions;
import org.mipfed.manager.users.User;
import org.mipfed.manager.users.UserStore;

/**
 * The users' administration: {@code /admin/users} (create, change, disable, delete) and every user's API tokens
 * ({@code /admin/tokens}). A user disabled, deleted or given a new password is signed out everywhere. Every change
 * is audited, naming whom it concerns and which settings it touches, never a password or a token.
 */
final class UserResource implements ApiResource {
    private final UserStore users;
    private final Sessions sessions;
    private final AuditedActions audited;

    UserResource(UserStore users, Sessions sessions, AuditedActions audited) {
        this.users = requireNonNull(users, "users is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.audited = requireNonNull(audited, "audited is null");
    }

    @Override
    public void routes(Javalin app) {
        app.get("/admin/users", ctx -> {
            ArrayNode out = Json.mapper().createArrayNode();
            users.users().forEach(u -> out.add(user(u)));
            JsonBodies.write(ctx, out);
        });
        app.post(
                "/admin/users",
                ctx -> audited.handle(
                        ctx,
                        AuditTrail.USER_CREATE,
                        d -> d.put("username", JsonBodies.textField(ctx, "username"))
                                .put("role", JsonBodies.textField(ctx, "role")),
                        this::create));
        app.patch(
                "/admin/users/{username}",
                ctx -> audited.handle(
                        ctx,
                        AuditTrail.USER_CHANGE,
                        d -> {
                            d.put("username", ctx.pathParam("username"));
                            ArrayNode changed = d.putArray("changed");
                            JsonBodies.fieldNames(ctx).forEach(changed::add);
                        },
                        this::update));
        app.delete(
                "/admin/users/{username}",
                ctx -> audited.handle(
                        ctx, AuditTrail.USER_DELETE, d -> d.put("username", ctx.pathParam("username")), c -> {
                            users.delete(c.pathParam("username"));
                            sessions.removeUser(c.pathParam("username"));
                            c.status(204);
                        }));
        app.get("/admin/tokens", ctx -> JsonBodies.write(ctx, tokens(users, null)));
        app.delete(
                "/admin/tokens/{id}",
                ctx -> audited.handle(
                        ctx,
                        AuditTrail.TOKEN_REVOKE,
                        d -> d.put("token_id", ctx.pathParam("id")),
                        c -> deleteToken(users, c, null)));
    }

    private void create(Context ctx) {
        JsonNode body = JsonBodies.read(ctx);
        User user = users.create(
                body.path("username").asText(null),
                body.path("password").asText(null),
                body.path("role").asText(Roles.RESEARCHER));
        ctx.status(201).header("Location", "/admin/users/" + user.username());
        JsonBodies.write(ctx, user(user));
    }

    private void update(Context ctx) {
        JsonNode body = JsonBodies.read(ctx);
        JsonNode disabled = body.get("disabled");
        if (disabled != null && !disabled.isBoolean()) {
            throw Problem.badRequest("\"disabled\" is true or false");
        }
        if (!body.has("role") && !body.has("password") && disabled == null) {
            throw Problem.badRequest(
                    "Say what to change: {\"role\": \"admin\"}, {\"password\": \"…\"} or {\"disabled\": true}");
        }
        String username = ctx.pathParam("username");
        User user = users.update(
                username,
                body.has("role") ? body.get("role").asText() : null,
                body.has("password") ? body.get("password").asText() : null,
                disabled == null ? null : disabled.booleanValue());
        if (user.disabled() || body.has("password")) {
            sessions.removeUser(username);
        }
        JsonBodies.write(ctx, user(user));
    }

    private static ObjectNode user(User u) {
        return Json.mapper()
                .createObjectNode()
                .put("username", u.username())
                .put("role", u.role())
                .put("created", u.created().toString())
                .put("disabled", u.disabled())
                .put("sign_in", u.oidcSubject() != null ? "oidc" : "password");
    }

    /** The API tokens of {@code owner} ({@code GET /auth/tokens}), or everyone's with their users when null ({@code GET /admin/tokens}). */
    static ArrayNode tokens(UserStore users, String owner) {
        ArrayNode out = Json.mapper().createArrayNode();
        for (ApiToken t : users.tokens(owner)) {
            ObjectNode item = out.addObject().put("id", t.id()).put("name", t.name());
            if (owner == null) {
                item.put("username", t.username());
            }
            item.put("created", t.created().toString())
                    .put("last_used", t.lastUsed() == null ? null : t.lastUsed().toString());
        }
        return out;
    }

    /** Revokes the token in the path, of {@code owner} only ({@code DELETE /auth/tokens/{id}}) or anyone's when null. */
    static void deleteToken(UserStore users, Context ctx, String owner) {
        if (!users.deleteToken(ctx.pathParam("id"), owner)) {
            throw Problem.notFound("No API token " + ctx.pathParam("id")
                    + (owner == null ? "; GET /admin/tokens lists them" : " of yours; GET /auth/tokens lists them"));
        }
        ctx.status(204);
    }
}
