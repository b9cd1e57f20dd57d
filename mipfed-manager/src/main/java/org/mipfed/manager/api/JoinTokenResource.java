package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.security.Role;
import org.mipfed.manager.audit.AuditTrail;
import org.mipfed.manager.join.JoinTokens;

/**
 * The join tokens under {@code /admin/join-tokens/{role}} ({@code mipfed manager join-token}): show one, or rotate
 * it so that the old one no longer admits anyone. Both are audited; the token itself is never written to the trail.
 */
final class JoinTokenResource implements ApiResource {
    private final JoinTokens tokens;
    private final TokenRotation rotation;
    private final AuditedActions audited;

    JoinTokenResource(JoinTokens tokens, TokenRotation rotation, AuditedActions audited) {
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.rotation = requireNonNull(rotation, "rotation is null");
        this.audited = requireNonNull(audited, "audited is null");
    }

    @Override
    public void routes(Javalin app) {
        app.get(
                "/admin/join-tokens/{role}",
                ctx -> JsonBodies.write(
                        ctx,
                        audited.run(
                                ctx,
                                AuditTrail.JOIN_TOKEN_SHOW,
                                details -> withCommand(Json.mapper()
                                        .createObjectNode()
                                        .put("role", role(ctx, details))
                                        .put("token", tokens.token(role(ctx)))))));
        app.post(
                "/admin/join-tokens/{role}/rotate",
                ctx -> JsonBodies.write(
                        ctx,
                        audited.run(
                                ctx,
                                AuditTrail.JOIN_TOKEN_ROTATE,
                                details -> withCommand(Json.mapper()
                                        .createObjectNode()
                                        .put("role", role(ctx, details))
                                        .put("token", rotation.rotate(role(ctx)))))));
    }

    /** Adds to a worker token the command a hospital's machine joins with, as the administrator hands it over. */
    private ObjectNode withCommand(ObjectNode answer) {
        String command = answer.path("role").asText().equals(Role.WORKER.label())
                ? tokens.joinCommand(answer.path("token").asText())
                : null;
        if (command != null) {
            answer.put("command", command);
        }
        return answer;
    }

    private static String role(Context ctx, ObjectNode details) {
        details.put("role", ctx.pathParam("role"));
        return role(ctx).label();
    }

    private static Role role(Context ctx) {
        String role = ctx.pathParam("role");
        try {
            return Role.parse(role);
        } catch (IllegalArgumentException e) {
            throw Problem.notFound("There are two join tokens: worker and manager; not '" + role + "'");
        }
    }
}
