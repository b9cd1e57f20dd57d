package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import io.javalin.Javalin;
import org.mipfed.manager.audit.AuditTrail;

/** The CA rotation under {@code /admin/ca}: its status, starting it and finishing it (both audited). */
final class CaResource implements ApiResource {
    private final CaAdministration ca;
    private final AuditedActions audited;

    CaResource(CaAdministration ca, AuditedActions audited) {
        this.ca = requireNonNull(ca, "ca is null");
        this.audited = requireNonNull(audited, "audited is null");
    }

    @Override
    public void routes(Javalin app) {
        app.get("/admin/ca", ctx -> JsonBodies.write(ctx, ca.status()));
        app.post(
                "/admin/ca/rotate",
                ctx -> JsonBodies.write(ctx, audited.run(ctx, AuditTrail.CA_ROTATE, details -> ca.rotate())));
        app.post(
                "/admin/ca/rotate/finish",
                ctx -> JsonBodies.write(ctx, audited.run(ctx, AuditTrail.CA_ROTATE_FINISH, details -> ca.finish())));
    }
}
