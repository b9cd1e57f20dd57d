package org.mipfed.node.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mipfed.core.session.SessionProtocol;
import org.mipfed.proto.v1.ManagerMessage;
import org.mipfed.proto.v1.NodeHello;
import org.mipfed.proto.v1.NodeMessage;
import org.mipfed.proto.v1.NodeSessionGrpc;
import org.mipfed.proto.v1.PrimitiveResponse;
import org.mipfed.proto.v1.Welcome;

/**
 * After a manager restart its nodes come back spread out, not in one storm, and none is starved: 50 real session
 * clients on loopback (plain gRPC: the reconnection, not the handshake, is under test) lose their manager, which
 * comes back on the same port two seconds later; the times at which each one's new session opens are recorded.
 */
class TestReconnectionSpread {
    private static final int NODES = 50;

    @Test
    void fiftyNodesComeBackSpreadOverTheBackoffWindowAndAllWithinItsCap() throws Exception {
        ConcurrentHashMap<String, Long> opened = new ConcurrentHashMap<>();
        Server server = serve(0, opened);
        int port = server.getPort();
        ExecutorService workers = Executors.newFixedThreadPool(2);
        List<SessionClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < NODES; i++) {
                String name = "node" + i;
                SessionClient c = new SessionClient(
                        "127.0.0.1:" + port,
                        InsecureChannelCredentials.create(),
                        () -> NodeHello.newBuilder().setHostname(name).build(),
                        request -> PrimitiveResponse.newBuilder()
                                .setRequestId(request.getRequestId())
                                .build(),
                        workers);
                clients.add(c);
                c.start();
            }
            await(
                    "all 50 sessions up",
                    () -> opened.size() == NODES && clients.stream().allMatch(SessionClient::connected));

            // the manager goes away: every session ends at the same instant
            opened.clear();
            server.shutdownNow();
            server.awaitTermination(10, TimeUnit.SECONDS);
            Thread.sleep(2000);
            long back = System.nanoTime();
            server = serve(port, opened);
            await("all 50 sessions back", () -> opened.size() == NODES);

            List<Long> after = opened.values().stream()
                    .map(t -> TimeUnit.NANOSECONDS.toMillis(t - back))
                    .sorted()
                    .toList();
            long first = after.get(0);
            long last = after.get(after.size() - 1);
            System.out.printf(
                    "reconnections after the restart: first %d ms, median %d ms, last %d ms%n",
                    first, after.get(NODES / 2), last);
            // not a storm: the 50 did not all come back within the same 100 ms ...
            assertThat(last - first).isGreaterThan(100);
            // ... and at most 10 of them (a fifth) did in any 100 ms window
            for (long start : after) {
                long inWindow = after.stream()
                        .filter(t -> t >= start && t < start + 100)
                        .count();
                assertThat(inWindow)
                        .as("reconnections within 100 ms of %d ms", start)
                        .isLessThanOrEqualTo(NODES / 5);
            }
            // none starved: each one's next attempt after the manager is back comes within the cap (plus the
            // handshake and a busy machine's scheduling)
            assertThat(last).isLessThan(SessionProtocol.RECONNECT_CAP.toMillis() + 5000);
        } finally {
            clients.forEach(SessionClient::close);
            server.shutdownNow();
            workers.shutdownNow();
        }
    }

    @Test
    void theWaitIsDrawnOverTheWholeWindowWhoseCeilingDoublesUpToTheCap() {
        ReconnectBackoff backoff =
                new ReconnectBackoff(Duration.ofMillis(250), Duration.ofSeconds(4), new SplittableRandom(21));
        List<Long> ceilings = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
            ceilings.add(backoff.ceilingMillis());
            assertThat(backoff.nextMillis()).isBetween(0L, ceilings.get(k));
        }
        assertThat(ceilings).containsExactly(250L, 500L, 1000L, 2000L, 4000L, 4000L, 4000L, 4000L);
        backoff.reset();
        assertThat(backoff.ceilingMillis()).isEqualTo(250);

        // full jitter: over many draws the waits cover the window, from near 0 to near the cap
        ReconnectBackoff capped =
                new ReconnectBackoff(Duration.ofMillis(4000), Duration.ofSeconds(4), new SplittableRandom(7));
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 1000; i++) {
            long w = capped.nextMillis();
            min = Math.min(min, w);
            max = Math.max(max, w);
        }
        assertThat(min).isLessThan(100);
        assertThat(max).isGreaterThan(3900).isLessThanOrEqualTo(4000);
    }

    private static Server serve(int port, ConcurrentHashMap<String, Long> opened) throws IOException {
        return Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create())
                .addService(new NodeSessionGrpc.NodeSessionImplBase() {
                    @Override
                    public StreamObserver<NodeMessage> open(StreamObserver<ManagerMessage> out) {
                        synchronized (out) {
                            out.onNext(ManagerMessage.newBuilder()
                                    .setWelcome(Welcome.newBuilder().setNodeId("n"))
                                    .build());
                        }
                        return new StreamObserver<>() {
                            @Override
                            public void onNext(NodeMessage message) {
                                if (message.hasHello()) {
                                    opened.putIfAbsent(message.getHello().getHostname(), System.nanoTime());
                                }
                            }

                            @Override
                            public void onError(Throwable t) {}

                            @Override
                            public void onCompleted() {
                                synchronized (out) {
                                    try {
                                        out.onCompleted();
                                    } catch (RuntimeException ignored) {
                                        // already closed
                                    }
                                }
                            }
                        };
                    }
                })
                .build()
                .start();
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
