package org.mipfed.manager.session;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import org.mipfed.core.security.PeerIdentity;
import org.mipfed.manager.registry.NodeRegistry;
import org.mipfed.manager.registry.NodeSession;
import org.mipfed.manager.registry.SessionEvents;
import org.mipfed.manager.state.NodeRecord;
import org.mipfed.manager.tls.PeerCertificateInterceptor;
import org.mipfed.proto.v1.ManagerMessage;
import org.mipfed.proto.v1.NodeMessage;
import org.mipfed.proto.v1.NodeSessionGrpc;
import org.mipfed.proto.v1.Welcome;

/** Accepts the long-lived session of each member node (identified by its client certificate). */
public final class NodeSessionService extends NodeSessionGrpc.NodeSessionImplBase {
    private final NodeRegistry registry;
    private final String federationId;

    public NodeSessionService(NodeRegistry registry, String federationId) {
        this.registry = requireNonNull(registry, "registry is null");
        this.federationId = requireNonNull(federationId, "federationId is null");
    }

    @Override
    public StreamObserver<NodeMessage> open(StreamObserver<ManagerMessage> outbound) {
        PeerIdentity peer = PeerCertificateInterceptor.PEER.get();
        if (peer == null) {
            outbound.onError(Status.UNAUTHENTICATED.withDescription("a node session needs the node's client certificate; join first (mipfed node join)").asRuntimeException());
            return SessionEvents.ignoring();
        }
        Optional<NodeRecord> member = peer.federationId().equals(federationId) ? registry.member(peer.nodeId(), null) : Optional.empty();
        if (member.isEmpty()) {
            outbound.onError(Status.PERMISSION_DENIED.withDescription("node " + peer.nodeId() + " is not a member of this federation (it was removed); join again with a current token").asRuntimeException());
            return SessionEvents.ignoring();
        }
        NodeSession session = new NodeSession(peer.nodeId(), outbound);
        if (outbound instanceof ServerCallStreamObserver<ManagerMessage> call) {
            call.setOnCancelHandler(() -> registry.disconnected(session, "connection lost"));
        }
        registry.connected(session);
        outbound.onNext(ManagerMessage.newBuilder()
                .setWelcome(Welcome.newBuilder().setNodeId(peer.nodeId()).setAlias(member.get().alias() == null ? "" : member.get().alias()))
                .build());
        return new SessionEvents(registry, session);
    }
}
