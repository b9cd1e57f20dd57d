package org.mipfed.manager.registry;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
    /** How long a replaced session may take to deliver the answers it still owes. */
    private static final long RETIRE_GRACE_SECONDS = 30;

    private final String nodeId;
    private final X509Certificate certificate;
    private final StreamObserver<ManagerMessage> outbound;
    private final Map<String, CompletableFuture<PrimitiveResponse>> pending = new ConcurrentHashMap<>();
    private volatile NodeHello hello = NodeHello.getDefaultInstance();
    private volatile Instant lastSeen = Instant.now();
    private volatile boolean closed;
    private volatile boolean greeted;
    private volatile boolean retired;

    public NodeSession(String nodeId, StreamObserver<ManagerMessage> outbound) {
        this(nodeId, null, outbound);
    }

    /** @param certificate the client certificate the session was opened with (null in tests without TLS) */
    public NodeSession(String nodeId, X509Certificate certificate, StreamObserver<ManagerMessage> outbound) {
        this.nodeId = requireNonNull(nodeId, "nodeId is null");
        this.certificate = certificate;
        this.outbound = requireNonNull(outbound, "outbound is null");
    }

    /** The certificate the node opened this session with, or null. */
    public X509Certificate certificate() {
        return certificate;
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
        if (closed || retired) {
            answer.completeExceptionally(new NodeUnavailableException(nodeId, "its session has closed"));
            return answer;
        }
        pending.put(request.getRequestId(), answer);
        answer.whenComplete((r, e) -> pending.remove(request.getRequestId()));
        try {
            send(ManagerMessage.newBuilder().setRequest(request).build());
        } catch (RuntimeException e) {
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
        if (retired && pending.isEmpty()) {
            close(Status.OK);
        }
    }

    /**
     * Replaced by a newer session of the same node with a new certificate (renewal): no new requests come here,
     * but the answers it still owes are awaited (for at most {@value #RETIRE_GRACE_SECONDS} s) before it closes.
     */
    void retire() {
        retired = true;
        if (pending.isEmpty()) {
            close(Status.OK);
            return;
        }
        CompletableFuture.delayedExecutor(RETIRE_GRACE_SECONDS, TimeUnit.SECONDS)
                .execute(() -> close(Status.UNAVAILABLE.withDescription("replaced by a newer session")));
    }

    /** Sends a message outside the request/answer flow (trust updates, renewals); false if the session is closed. */
    public boolean offer(ManagerMessage message) {
        try {
            send(message);
            return true;
        } catch (RuntimeException e) {
            return false;
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
                    } else {
                        outbound.onError(status.asRuntimeException());
                    }
                } catch (RuntimeException ignored) {
                    // the transport is already gone
                }
            }
        }
        pending.values()
                .forEach(f -> f.completeExceptionally(new NodeUnavailableException(nodeId, "its session ended")));
    }
}
