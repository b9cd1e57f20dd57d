package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.manager.audit.AuditTrail;
import org.mipfed.manager.users.Principal;

/**
 * Runs an analysis or an administrative action and records it in the manager's {@link AuditTrail}, with the details
 * the action fills in; a refused or failed action is recorded too, with its status and reason, and its error goes on
 * to the caller.
 */
final class AuditedActions {
    private final AuditTrail audit;

    AuditedActions(AuditTrail audit) {
        this.audit = requireNonNull(audit, "audit is null");
    }

    /** Does {@code work} under {@code action}; {@code work} fills in the details and returns the answer. */
    <T> T run(Context ctx, String action, Function<ObjectNode, T> work) {
        ObjectNode details = Json.mapper().createObjectNode();
        T result;
        try {
            result = work.apply(details);
        } catch (Problem p) {
            audit.record(
                    user(ctx),
                    action,
                    AuditTrail.REFUSED,
                    details.put("status", p.status()).put("reason", p.detail()));
            throw p;
        } catch (HttpResponseException e) {
            audit.record(
                    user(ctx),
                    action,
                    AuditTrail.REFUSED,
                    details.put("status", e.getStatus()).put("reason", e.getMessage()));
            throw e;
        } catch (RuntimeException e) {
            audit.record(
                    user(ctx),
                    action,
                    AuditTrail.REFUSED,
                    details.put("status", 500).put("reason", e.getClass().getSimpleName()));
            throw e;
        }
        audit.record(user(ctx), action, AuditTrail.OK, details);
        return result;
    }

    /** A handler under {@code action}, its details described by {@code describe} before it runs. */
    void handle(Context ctx, String action, Consumer<ObjectNode> describe, Handler work) {
        run(ctx, action, details -> {
            describe.accept(details);
            try {
                work.handle(ctx);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
    }

    /** Who acts: the signed-in user or the owner of the API token ({@link Access} has checked). */
    static String user(Context ctx) {
        return Principal.of(ctx).username();
    }
}
