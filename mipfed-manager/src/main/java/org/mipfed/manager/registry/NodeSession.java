package org.mipfed.manager.registry;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.mipfed.proto.v1.DataModelInfo;
import org.mipfed.proto.v1.ManagerMessage;
import org.mipfed.proto.v1.NodeHello;
import org.mipfed.proto.v1.PrimitiveRequest;
import org.mipfed.proto.v1.PrimitiveResponse;

/**
 * One node's live session: the stream the manager sends primitive requests on, and the requests
 * still waiting for an answer.
 */
public final class NodeSession {
    private final String nodeId;
    private final StreamObserver<ManagerMessage> outbound;
    private final Map<String, CompletableFuture<PrimitiveResponse>> pending = new ConcurrentHashMap<>();
    private volatile NodeHello hello = NodeHello.getDefaultInstance();
    private volatile Instant lastSeen = Instant.now();
    private volatile boolean closed;
    private volatile boolean greeted;

    public NodeSession(String nodeId, StreamObserver<ManagerMessage> outbound) {
        this.nodeId = requireNonNull(nodeId, "nodeId is null");
        this.outbound = requireNonNull(outbound, "outbound is null");
    }

    public String nodeId() {
        return nodeId;
    }

    public NodeHello hello() {
        return hello;
    }

    public List<DataModelInfo> dataModels() {
        return hello.getDataModelsList();
    }

    public Instant lastSeen() {
        return lastSeen;
    }

    public boolean closed() {
        return closed;
    }

    void hello(NodeHello newHello) {
        this.hello = requireNonNull(newHello, "newHello is null");
        greeted = true;
        touch();
    }

    /** Whether the node has said what it holds: only then does it take part in analyses. */
    public boolean greeted() {
        return greeted;
    }

    void touch() {
        lastSeen = Instant.now();
    }

    /** Sends a primitive request; the future completes with the node's answer or fails when the session ends. */
    public CompletableFuture<PrimitiveResponse> send(PrimitiveRequest request) {
        CompletableFuture<PrimitiveResponse> answer = new CompletableFuture<>();
        if (closed) {
            answer.completeExceptionally(new NodeUnavailableException(nodeId, "its session has closed"));
            return answer;
        }
        pending.put(request.getRequestId(), answer);
        answer.whenComplete((r, e) -> pending.remove(request.getRequestId()));
        try {
            send(ManagerMessage.newBuilder().setRequest(request).build());
        }
        catch (RuntimeException e) {
            answer.completeExceptionally(new NodeUnavailableException(nodeId, "sending failed: " + e.getMessage()));
        }
        return answer;
    }

    void send(ManagerMessage message) {
        // StreamObserver is not thread-safe; requests come from many analyses at once.
        synchronized (outbound) {
            if (closed) {
                throw new IllegalStateException("session closed");
            }
            outbound.onNext(message);
        }
    }

    void answered(PrimitiveResponse response) {
        touch();
        CompletableFuture<PrimitiveResponse> answer = pending.get(response.getRequestId());
        if (answer != null) {
            answer.complete(response);
        }
    }

    /** Ends the session: waiting requests fail, and the stream is closed with {@code status} if still open. */
    void close(Status status) {
        synchronized (outbound) {
            if (closed) {
                return;
            }
            closed = true;
            if (status != null) {
                try {
                    if (status.isOk()) {
                        outbound.onCompleted();
                    }
                    else {
                        outbound.onError(status.asRuntimeException());
                    }
                }
                catch (RuntimeException ignored) {
                    // the transport is already gone
                }
            }
        }
        pending.values().forEach(f -> f.completeExceptionally(new NodeUnavailableException(nodeId, "its session ended")));
    }
}
