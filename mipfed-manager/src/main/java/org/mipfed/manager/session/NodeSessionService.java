package org.mipfed.manager.session;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.mipfed.core.security.PeerIdentity;
import org.mipfed.core.security.Role;
import org.mipfed.manager.registry.NodeRegistry;
import org.mipfed.manager.registry.NodeSession;
import org.mipfed.manager.registry.SessionEvents;
import org.mipfed.manager.state.NodeRecord;
import org.mipfed.manager.tls.PeerCertificateInterceptor;
import org.mipfed.proto.v1.ManagerDirectory;
import org.mipfed.proto.v1.ManagerMessage;
import org.mipfed.proto.v1.NodeMessage;
import org.mipfed.proto.v1.NodeSessionGrpc;
import org.mipfed.proto.v1.PrivacyAlert;
import org.mipfed.proto.v1.Welcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts the long-lived session of each member node (identified by its client certificate). The certificate
 * is checked again here, not only in the TLS handshake (a resumed TLS session skips the handshake's checks):
 * it must be current, from a CA the manager trusts now, and name a worker that is still a member.
 */
public final class NodeSessionService extends NodeSessionGrpc.NodeSessionImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(NodeSessionService.class);

    private final NodeRegistry registry;
    private final String federationId;
    private final CertificateRenewals renewals;
    private final BiConsumer<String, PrivacyAlert> alerts;
    private final Supplier<ManagerDirectory> directory;

    public NodeSessionService(NodeRegistry registry, String federationId, CertificateRenewals renewals) {
        this(registry, federationId, renewals, (node, alert) -> {});
    }

    /** @param alerts takes the nodes' privacy alerts (node id, alert) */
    public NodeSessionService(
            NodeRegistry registry,
            String federationId,
            CertificateRenewals renewals,
            BiConsumer<String, PrivacyAlert> alerts) {
        this(registry, federationId, renewals, alerts, () -> null);
    }

    /**
     * @param directory the federation's managers, sent to each node after the welcome (null: none is sent)
     */
    public NodeSessionService(
            NodeRegistry registry,
            String federationId,
            CertificateRenewals renewals,
            BiConsumer<String, PrivacyAlert> alerts,
            Supplier<ManagerDirectory> directory) {
        this.registry = requireNonNull(registry, "registry is null");
        this.federationId = requireNonNull(federationId, "federationId is null");
        this.renewals = requireNonNull(renewals, "renewals is null");
        this.alerts = requireNonNull(alerts, "alerts is null");
        this.directory = requireNonNull(directory, "directory is null");
    }

    @Override
    public StreamObserver<NodeMessage> open(StreamObserver<ManagerMessage> outbound) {
        PeerIdentity peer = PeerCertificateInterceptor.PEER.get();
        X509Certificate certificate = PeerCertificateInterceptor.PEER_CERTIFICATE.get();
        if (peer == null || certificate == null) {
            outbound.onError(Status.UNAUTHENTICATED
                    .withDescription(
                            "a node session needs the node's client certificate; join first (mipfed node join)")
                    .asRuntimeException());
            return SessionEvents.ignoring();
        }
        String refusal = refusal(peer, certificate);
        if (refusal != null) {
            LOG.warn("session refused for node {}: {}", peer.nodeId(), refusal);
            outbound.onError(Status.PERMISSION_DENIED.withDescription(refusal).asRuntimeException());
            return SessionEvents.ignoring();
        }
        NodeRecord member = registry.member(peer.nodeId(), null).orElseThrow();
        NodeSession session = new NodeSession(peer.nodeId(), certificate, outbound);
        if (outbound instanceof ServerCallStreamObserver<ManagerMessage> call) {
            call.setOnCancelHandler(() -> registry.disconnected(session, "connection lost"));
        }
        registry.connected(session);
        // through the session, which serializes sends: a change of the managers may be told to every session at once
        session.offer(ManagerMessage.newBuilder()
                .setWelcome(Welcome.newBuilder()
                        .setNodeId(peer.nodeId())
                        .setAlias(member.alias() == null ? "" : member.alias())
                        .setUnixMillis(System.currentTimeMillis())
                        .setTrust(renewals.ca().trustUpdate(certificate)))
                .build());
        ManagerDirectory managers = directory.get();
        if (managers != null) {
            session.offer(ManagerMessage.newBuilder().setDirectory(managers).build());
        }
        return new SessionEvents(registry, session, request -> renewals.renew(peer, request), alerts);
    }

    /** Why this certificate may not open a session, or null if it may. */
    private String refusal(PeerIdentity peer, X509Certificate certificate) {
        if (!peer.federationId().equals(federationId)) {
            return "the certificate belongs to federation " + peer.federationId() + ", not this one";
        }
        try {
            certificate.checkValidity();
        } catch (CertificateException e) {
            return "the node's certificate is not valid now (" + e.getMessage()
                    + "); a node offline past its certificate's expiry must join again with a current token";
        }
        if (!renewals.ca().trusts(certificate)) {
            return "the node's certificate is from a CA this federation no longer trusts (the CA was rotated while the node was away); join again with a current token";
        }
        // a manager's certificate (OU=manager) is never a node's, whatever its name
        if (!Role.WORKER.label().equals(peer.role())) {
            return "this certificate was issued to a " + peer.role()
                    + ", not a hospital node; a node joins with the worker token";
        }
        Optional<NodeRecord> member =
                registry.member(peer.nodeId(), certificate.getSerialNumber().toString(16));
        if (member.isEmpty()) {
            return "node " + peer.nodeId()
                    + " is not a member of this federation (it was removed); join again with a current token";
        }
        return null;
    }
}
