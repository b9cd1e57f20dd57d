package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import io.javalin.Javalin;
import io.javalin.http.Context;
import org.mipfed.core.problem.Problem;
import org.mipfed.manager.audit.AuditTrail;
import org.mipfed.manager.audit.PrivacyAlerts;

/** What the admins read back: {@code GET /admin/audit} (the manager's trail) and {@code GET /admin/alerts} (the nodes' privacy alerts), newest first. */
final class AuditResource implements ApiResource {
    private final AuditTrail audit;
    private final PrivacyAlerts alerts;

    AuditResource(AuditTrail audit, PrivacyAlerts alerts) {
        this.audit = requireNonNull(audit, "audit is null");
        this.alerts = requireNonNull(alerts, "alerts is null");
    }

    @Override
    public void routes(Javalin app) {
        app.get("/admin/audit", ctx -> JsonBodies.write(ctx, audit.newest(limit(ctx))));
        app.get("/admin/alerts", ctx -> JsonBodies.write(ctx, alerts.newest(limit(ctx))));
    }

    /** {@code ?limit=N}: 1 to 10,000, default 100. */
    private static int limit(Context ctx) {
        String text = ctx.queryParam("limit");
        if (text == null || text.isBlank()) {
            return 100;
        }
        try {
            int limit = Integer.parseInt(text.strip());
            if (limit >= 1 && limit <= 10_000) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw Problem.badRequest("limit must be a whole number from 1 to 10000, not '" + shorten(text) + "'");
    }

    private static String shorten(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}
