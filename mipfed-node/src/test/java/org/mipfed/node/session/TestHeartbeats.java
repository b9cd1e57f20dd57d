package org.mipfed.node.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mipfed.core.session.SessionProtocol;
import org.mipfed.proto.v1.ManagerMessage;
import org.mipfed.proto.v1.NodeHello;
import org.mipfed.proto.v1.NodeMessage;
import org.mipfed.proto.v1.NodeSessionGrpc;
import org.mipfed.proto.v1.PrimitiveRequest;
import org.mipfed.proto.v1.PrimitiveResponse;
import org.mipfed.proto.v1.Welcome;

/**
 * A node sends a heartbeat only when it has sent nothing else for {@link SessionProtocol#HEARTBEAT}: a node busy
 * answering analyses sends (almost) none, an idle one one a second, so the manager hears from a live node at least
 * once a second either way. A manager on loopback (plain gRPC: the session's timing is under test, not TLS) welcomes
 * the node, never answers a heartbeat (as the real manager), and records what it hears.
 */
class TestHeartbeats {
    /** What the manager heard: heartbeats and answers, in order. */
    private final List<NodeMessage.KindCase> heard = new CopyOnWriteArrayList<>();

    private final AtomicReference<StreamObserver<ManagerMessage>> stream = new AtomicReference<>();
    private Server server;
    private ExecutorService workers;
    private SessionClient client;

    @BeforeEach
    void start() throws Exception {
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(new NodeSessionGrpc.NodeSessionImplBase() {
                    @Override
                    public StreamObserver<NodeMessage> open(StreamObserver<ManagerMessage> out) {
                        synchronized (out) {
                            out.onNext(ManagerMessage.newBuilder()
                                    .setWelcome(Welcome.newBuilder().setNodeId("n1"))
                                    .build());
                        }
                        stream.set(out);
                        return new StreamObserver<>() {
                            @Override
                            public void onNext(NodeMessage message) {
                                heard.add(message.getKindCase());
                            }

                            @Override
                            public void onError(Throwable t) {}

                            @Override
                            public void onCompleted() {}
                        };
                    }
                })
                .build()
                .start();
        workers = Executors.newFixedThreadPool(2);
        client = new SessionClient(
                "127.0.0.1:" + server.getPort(),
                InsecureChannelCredentials.create(),
                NodeHello::getDefaultInstance,
                request -> PrimitiveResponse.newBuilder()
                        .setRequestId(request.getRequestId())
                        .build(),
                workers);
        client.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!client.connected() || stream.get() == null) {
            assertThat(System.nanoTime()).as("the session is up within 30 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @AfterEach
    void stop() {
        client.close();
        server.shutdownNow();
        workers.shutdownNow();
    }

    private long count(NodeMessage.KindCase kind) {
        return heard.stream().filter(k -> k == kind).count();
    }

    @Test
    void aNodeAnsweringAnalysesSendsNoHeartbeatAndAnIdleOneSendsOneASecond() throws Exception {
        // busy: a request every 100 ms for 6 s, each answered at once; every answer counts as a heartbeat
        Thread.sleep(1500);
        heard.clear();
        StreamObserver<ManagerMessage> out = stream.get();
        for (int i = 0; i < 60; i++) {
            synchronized (out) {
                out.onNext(ManagerMessage.newBuilder()
                        .setRequest(PrimitiveRequest.newBuilder().setRequestId("r" + i))
                        .build());
            }
            Thread.sleep(100);
        }
        long answers = count(NodeMessage.KindCase.RESPONSE);
        long busyHeartbeats = count(NodeMessage.KindCase.HEARTBEAT);
        assertThat(answers).isGreaterThanOrEqualTo(50);
        // a stall of the machine longer than 0.9 s between two answers lets one through; a second a heartbeat
        // would be six
        assertThat(busyHeartbeats).isLessThanOrEqualTo(2);

        // idle: nothing to answer, so a heartbeat a second (six in 6 s; at least four on a loaded machine)
        Thread.sleep(500);
        heard.clear();
        Thread.sleep(6000);
        assertThat(count(NodeMessage.KindCase.HEARTBEAT)).isBetween(4L, 7L);
        assertThat(client.connected()).isTrue();
    }
}
