package org.mipfed.manager.registry;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.mipfed.proto.v1.Heartbeat;
import org.mipfed.proto.v1.ManagerMessage;
import org.mipfed.proto.v1.NodeMessage;

/** What a node sends on its session: hello, heartbeats and answers. */
public final class SessionEvents implements StreamObserver<NodeMessage> {
    private final NodeRegistry registry;
    private final NodeSession session;

    public SessionEvents(NodeRegistry registry, NodeSession session) {
        this.registry = requireNonNull(registry, "registry is null");
        this.session = requireNonNull(session, "session is null");
    }

    /** An observer for a stream that was refused. */
    public static StreamObserver<NodeMessage> ignoring() {
        return new StreamObserver<>() {
            @Override
            public void onNext(NodeMessage value) {
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    @Override
    public void onNext(NodeMessage message) {
        switch (message.getKindCase()) {
            case HELLO -> registry.hello(session, message.getHello());
            case HEARTBEAT -> {
                session.touch();
                try {
                    session.send(ManagerMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder().setUnixMillis(System.currentTimeMillis())).build());
                }
                catch (RuntimeException e) {
                    registry.disconnected(session, "cannot answer its heartbeat: " + e.getMessage());
                }
            }
            case RESPONSE -> session.answered(message.getResponse());
            default -> session.touch();
        }
    }

    @Override
    public void onError(Throwable t) {
        registry.disconnected(session, Status.fromThrowable(t).getCode() + " " + String.valueOf(Status.fromThrowable(t).getDescription()));
    }

    @Override
    public void onCompleted() {
        session.close(Status.OK);
        registry.disconnected(session, "the node closed its session");
    }
}
