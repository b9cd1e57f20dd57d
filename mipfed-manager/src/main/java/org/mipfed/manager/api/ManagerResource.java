package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import io.javalin.Javalin;
import io.javalin.http.Context;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.manager.audit.AuditTrail;
import org.mipfed.manager.replication.ManagerReplication;
import org.mipfed.manager.replication.ManagerStatus;

/**
 * The managers of the federation under {@code /admin/managers} ({@code mipfed manager ls}): one entry per member of
 * the managers' Raft group with its id, the address nodes dial, its role, whether it is ready, catching up (it has not
 * applied up to the leader's commit index yet) or down, how many entries it lags behind, and which one answered ({@code self}). An admin demotes a live manager (it leaves the voting
 * group) and removes a down one; both are audited, refusals too.
 */
final class ManagerResource implements ApiResource {
    /** How long a membership change may take (a busy machine, a member catching up). */
    private static final long CHANGE_TIMEOUT_MILLIS = 30_000;

    private final ManagerReplication replication;
    private final AuditedActions audited;

    ManagerResource(ManagerReplication replication, AuditedActions audited) {
        this.replication = requireNonNull(replication, "replication is null");
        this.audited = requireNonNull(audited, "audited is null");
    }

    @Override
    public void routes(Javalin app) {
        app.get("/admin/managers", ctx -> JsonBodies.write(ctx, Json.mapper().valueToTree(replication.managers())));
        app.post(
                "/admin/managers/{id}/demote",
                ctx -> JsonBodies.write(ctx, audited.run(ctx, AuditTrail.MANAGER_DEMOTE, details -> {
                    ManagerStatus manager = member(ctx, details);
                    if (manager.status().equals("down")) {
                        throw new Problem(
                                ProblemType.CONFLICT,
                                "Manager " + manager.id() + " is down: only a live manager is demoted. Remove it: "
                                        + "mipfed manager rm " + manager.id());
                    }
                    replication.removeMember(manager.id(), CHANGE_TIMEOUT_MILLIS);
                    return Json.mapper().valueToTree(replication.managers());
                })));
        app.delete(
                "/admin/managers/{id}",
                ctx -> JsonBodies.write(ctx, audited.run(ctx, AuditTrail.MANAGER_REMOVE, details -> {
                    ManagerStatus manager = member(ctx, details);
                    if (!manager.status().equals("down")) {
                        throw new Problem(
                                ProblemType.CONFLICT,
                                "Manager " + manager.id() + " is live and votes in the managers' group: demote it "
                                        + "first (mipfed manager demote " + manager.id() + "), then remove it.");
                    }
                    replication.removeMember(manager.id(), CHANGE_TIMEOUT_MILLIS);
                    return Json.mapper().valueToTree(replication.managers());
                })));
    }

    /** The group's member named in the path, or a 404 that says where the ids are listed. */
    private ManagerStatus member(Context ctx, com.fasterxml.jackson.databind.node.ObjectNode details) {
        String id = ctx.pathParam("id");
        details.put("manager", id);
        return replication.managers().stream()
                .filter(m -> m.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new Problem(
                        ProblemType.NOT_FOUND,
                        "No manager '" + id + "' in the federation's managers' group; mipfed manager ls lists them."));
    }
}
