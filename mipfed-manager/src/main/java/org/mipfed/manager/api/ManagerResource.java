package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import io.javalin.Javalin;
import org.mipfed.core.json.Json;
import org.mipfed.manager.replication.ManagerReplication;

/**
 * The managers of the federation under {@code /admin/managers} ({@code mipfed manager ls}): one entry per member of
 * the managers' Raft group with its id, the address nodes dial, its role, whether it is ready or down, how far its
 * log lags behind, and which one answered ({@code self}).
 */
final class ManagerResource implements ApiResource {
    private final ManagerReplication replication;

    ManagerResource(ManagerReplication replication) {
        this.replication = requireNonNull(replication, "replication is null");
    }

    @Override
    public void routes(Javalin app) {
        app.get("/admin/managers", ctx -> JsonBodies.write(ctx, Json.mapper().valueToTree(replication.managers())));
    }
}
