package org.mipfed.manager.registry;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.mipfed.proto.v1.ManagerMessage;
import org.mipfed.proto.v1.NodeMessage;
import org.mipfed.proto.v1.PrivacyAlert;
import org.mipfed.proto.v1.RenewalRequest;
import org.mipfed.proto.v1.RenewalResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node sends on its session: hello, heartbeats, answers, alerts, renewals and confirmed cancels.
 *
 * <p>The manager's gRPC server calls this on the session's transport thread (see {@code ManagerServer}): an answer
 * completes the analysis' future and a heartbeat sets a time, both at once, where handing each message to another
 * thread cost a wake-up per node and answer (at 100 nodes, a third of the manager's CPU on an analysis' path). What may
 * take longer (a hello's dataset claims, an alert's audit line, a renewal's signature, a cancel's bookkeeping) runs
 * on {@link #WORK}, in the order the node sent it.
 */
public final class SessionEvents implements StreamObserver<NodeMessage> {
    private static final Logger LOG = LoggerFactory.getLogger(SessionEvents.class);

    /** Where a session's slower messages run, off the transport's threads; daemon threads, made when needed. */
    private static final ExecutorService WORK = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "mipfed-session-events");
        t.setDaemon(true);
        return t;
    });

    private final NodeRegistry registry;
    private final NodeSession session;
    private final Function<RenewalRequest, RenewalResponse> renewals;
    private final BiConsumer<String, PrivacyAlert> alerts;
    /** The last of this session's slower messages handed to {@link #WORK}: the next one runs after it. */
    private CompletableFuture<Void> work = CompletableFuture.completedFuture(null);

    public SessionEvents(NodeRegistry registry, NodeSession session) {
        this(
                registry,
                session,
                r -> RenewalResponse.newBuilder()
                        .setRefusal("this manager does not renew certificates")
                        .build());
    }

    /** @param renewals answers the node's certificate renewal requests */
    public SessionEvents(
            NodeRegistry registry, NodeSession session, Function<RenewalRequest, RenewalResponse> renewals) {
        this(registry, session, renewals, (node, alert) -> {});
    }

    /** @param alerts takes the node's privacy alerts, with the node's id as its certificate proves it */
    public SessionEvents(
            NodeRegistry registry,
            NodeSession session,
            Function<RenewalRequest, RenewalResponse> renewals,
            BiConsumer<String, PrivacyAlert> alerts) {
        this.registry = requireNonNull(registry, "registry is null");
        this.session = requireNonNull(session, "session is null");
        this.renewals = requireNonNull(renewals, "renewals is null");
        this.alerts = requireNonNull(alerts, "alerts is null");
    }

    /** An observer for a stream that was refused. */
    public static StreamObserver<NodeMessage> ignoring() {
        return new StreamObserver<>() {
            @Override
            public void onNext(NodeMessage value) {}

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        };
    }

    @Override
    public void onNext(NodeMessage message) {
        switch (message.getKindCase()) {
            // not answered: a node reads nothing from an answer (it sees a manager gone by its connection and the
            // HTTP/2 keepalive), and each answer was a TLS record and a flush per node and second on the manager
            case HEARTBEAT -> session.touch();
            case RESPONSE -> session.answered(message.getResponse());
            default -> later(message);
        }
    }

    /** Handles {@code message} on {@link #WORK} after the session's earlier ones. */
    private synchronized void later(NodeMessage message) {
        work = work.thenRunAsync(() -> handle(message), WORK).exceptionally(e -> {
            LOG.error("node {}'s {} message failed", session.nodeId(), message.getKindCase(), e);
            return null;
        });
    }

    private void handle(NodeMessage message) {
        switch (message.getKindCase()) {
            case HELLO -> registry.hello(session, message.getHello());
            case ALERT -> {
                session.touch();
                alerts.accept(session.nodeId(), message.getAlert());
            }
            case CANCELLED -> {
                session.touch();
                LOG.info(
                        "node {} stopped analysis {} ({} primitive(s) of it were running)",
                        registry.displayName(session.nodeId()),
                        message.getCancelled().getAnalysisId(),
                        message.getCancelled().getInterrupted());
                registry.cancelConfirmed(
                        session.nodeId(),
                        message.getCancelled().getAnalysisId(),
                        message.getCancelled().getInterrupted());
            }
            case RENEW -> {
                session.touch();
                session.offer(ManagerMessage.newBuilder()
                        .setRenewed(renewals.apply(message.getRenew()))
                        .build());
            }
            default -> session.touch();
        }
    }

    @Override
    public void onError(Throwable t) {
        registry.disconnected(
                session,
                Status.fromThrowable(t).getCode() + " "
                        + String.valueOf(Status.fromThrowable(t).getDescription()));
    }

    @Override
    public void onCompleted() {
        session.close(Status.OK);
        registry.disconnected(session, "the node closed its session");
    }
}
