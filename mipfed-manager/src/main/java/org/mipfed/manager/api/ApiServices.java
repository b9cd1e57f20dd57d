package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import org.mipfed.manager.analysis.AnalysisService;
import org.mipfed.manager.audit.AuditTrail;
import org.mipfed.manager.audit.PrivacyAlerts;
import org.mipfed.manager.join.JoinTokens;
import org.mipfed.manager.metrics.ManagerMetrics;
import org.mipfed.manager.registry.NodeRegistry;
import org.mipfed.manager.replication.ManagerReplication;
import org.mipfed.manager.users.OidcSettings;
import org.mipfed.manager.users.UserStore;

/**
 * Everything the REST API serves from, given to {@link RestApi} once when it is built: the manager's parts it calls
 * and the few settings of sign-in. {@link RestApi} hands each resource the parts it needs.
 *
 * @param adminToken the manager's {@code admin.token}, accepted as a bearer token of the admin
 * @param oidc sign-in through an OpenID Connect provider, or null when only passwords are accepted
 */
public record ApiServices(
        AnalysisService analyses,
        NodeRegistry registry,
        JoinTokens tokens,
        TokenRotation tokenRotation,
        CaAdministration ca,
        UserStore users,
        String adminToken,
        OidcSettings oidc,
        AuditTrail audit,
        PrivacyAlerts alerts,
        ManagerMetrics metrics,
        ManagerReplication replication) {
    public ApiServices {
        requireNonNull(replication, "replication is null");
        requireNonNull(analyses, "analyses is null");
        requireNonNull(registry, "registry is null");
        requireNonNull(tokens, "tokens is null");
        requireNonNull(tokenRotation, "tokenRotation is null");
        requireNonNull(ca, "ca is null");
        requireNonNull(users, "users is null");
        requireNonNull(adminToken, "adminToken is null");
        requireNonNull(audit, "audit is null");
        requireNonNull(alerts, "alerts is null");
        requireNonNull(metrics, "metrics is null");
    }
}
