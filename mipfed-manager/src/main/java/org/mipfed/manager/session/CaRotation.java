package org.mipfed.manager.session;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.mipfed.core.json.Json;
import org.mipfed.core.security.CaDigest;
import org.mipfed.core.security.Role;
import org.mipfed.manager.ca.FederationCa;
import org.mipfed.manager.join.JoinTokens;
import org.mipfed.manager.registry.NodeRegistry;
import org.mipfed.manager.registry.NodeSession;
import org.mipfed.manager.state.NodeRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code mipfed manager ca --rotate}: starts a CA rotation, follows the nodes as they move to the new CA over
 * their sessions, and finishes it when every node has moved (or when told to), after which certificates under
 * the old CA are refused and the join tokens carry the new CA's digest.
 *
 * <p>It lives beside {@link CertificateRenewals}, which it drives, rather than in {@code ca}: the CA itself knows
 * nothing of tokens, the registry or sessions, so {@code ca} depends on none of its callers.
 */
public final class CaRotation {
    private static final Logger LOG = LoggerFactory.getLogger(CaRotation.class);

    private final FederationCa ca;
    private final NodeRegistry registry;
    private final CertificateRenewals renewals;
    private final JoinTokens tokens;

    public CaRotation(FederationCa ca, NodeRegistry registry, CertificateRenewals renewals, JoinTokens tokens) {
        this.ca = requireNonNull(ca, "ca is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.renewals = requireNonNull(renewals, "renewals is null");
        this.tokens = requireNonNull(tokens, "tokens is null");
    }

    /** Starts a rotation and tells every connected node to move; answers the status. */
    public ObjectNode start() {
        ca.startRotation();
        int told = renewals.pushTrust();
        LOG.info("CA rotation: {} connected node(s) told to move to the new CA", told);
        return status();
    }

    /** Finishes the rotation now, whether or not every node has moved; answers the status with the new join tokens. */
    public synchronized ObjectNode finish() {
        ca.finishRotation();
        registry.closeSessions(
                s -> s.certificate() != null && !ca.trusts(s.certificate()),
                "the node's certificate is from the federation's old CA, which was dropped; join again with a current token");
        renewals.pushTrust();
        ObjectNode status = status();
        status.put("worker_token", tokens.token(Role.WORKER));
        status.put("manager_token", tokens.token(Role.MANAGER));
        return status;
    }

    /** Finishes a running rotation once every node has moved and no session still uses a certificate under the old CA. */
    public synchronized void finishIfAllMoved() {
        if (!ca.rotating()) {
            return;
        }
        String next = ca.nextDigest().orElseThrow();
        boolean allMoved = registry.records().stream()
                .filter(r -> Role.WORKER.label().equals(r.role()))
                .allMatch(r -> next.equals(r.certificateCa()));
        boolean noOldSession = registry.openSessions().stream()
                .map(NodeSession::certificate)
                .allMatch(c -> c == null || ca.renewalCa().issued(c));
        if (allMoved && noOldSession) {
            LOG.info(
                    "every node has moved to the new CA: finishing the rotation; the join tokens now carry the new CA's digest (mipfed join-token worker)");
            ca.finishRotation();
            renewals.pushTrust();
        }
    }

    /** The CAs, and for each node which CA its certificate is from and when it expires. */
    public ObjectNode status() {
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("rotating", ca.rotating());
        out.put("ca_digest", ca.digest());
        ca.nextDigest().ifPresent(d -> out.put("next_ca_digest", d));
        ArrayNode nodes = out.putArray("nodes");
        int moved = 0;
        int workers = 0;
        for (NodeRecord r : registry.records()) {
            String where = r.certificateCa() == null
                    ? "unknown"
                    : r.certificateCa().equals(ca.nextDigest().orElse(null))
                            ? "next"
                            : r.certificateCa().equals(ca.digest()) ? "current" : "old";
            nodes.addObject()
                    .put("id", r.id())
                    .put("alias", r.alias())
                    .put("role", r.role())
                    .put("ca", where)
                    .put(
                            "certificate_expires",
                            r.certificateExpires() == null
                                    ? null
                                    : r.certificateExpires().toString());
            if (Role.WORKER.label().equals(r.role())) {
                workers++;
                moved += where.equals(ca.rotating() ? "next" : "current") ? 1 : 0;
            }
        }
        out.put("nodes_moved", moved).put("nodes_total", workers);
        return out;
    }

    /** The digest of the CA that signs joins now. */
    public String digest() {
        return CaDigest.of(ca.joinCa().certificate());
    }
}
