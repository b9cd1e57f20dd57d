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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mipfed.proto.v1.ManagerDirectory;
import org.mipfed.proto.v1.ManagerEndpoint;
import org.mipfed.proto.v1.ManagerMessage;
import org.mipfed.proto.v1.NodeHello;
import org.mipfed.proto.v1.NodeMessage;
import org.mipfed.proto.v1.NodeSessionGrpc;
import org.mipfed.proto.v1.PrimitiveResponse;
import org.mipfed.proto.v1.PrivacyAlert;
import org.mipfed.proto.v1.Welcome;

/**
 * The node's sessions to the federation's managers follow the managers' directory: two managers speaking the
 * session protocol on loopback (plain gRPC, no TLS: the list, not the handshake, is under test) tell the node lists
 * of managers, newer, older, conflicting or malformed.
 */
class TestManagerLinks {
    /** A manager that welcomes every session, then sends its directory (if set), and records what it hears. */
    static final class FakeManager extends NodeSessionGrpc.NodeSessionImplBase {
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger ended = new AtomicInteger();
        final List<StreamObserver<ManagerMessage>> streams = new CopyOnWriteArrayList<>();
        final List<NodeMessage> received = new CopyOnWriteArrayList<>();
        final AtomicReference<ManagerDirectory> directory = new AtomicReference<>();
        Server server;

        @Override
        public StreamObserver<NodeMessage> open(StreamObserver<ManagerMessage> out) {
            opened.incrementAndGet();
            streams.add(out);
            synchronized (out) {
                out.onNext(ManagerMessage.newBuilder()
                        .setWelcome(Welcome.newBuilder().setNodeId("n1"))
                        .build());
                if (directory.get() != null) {
                    out.onNext(ManagerMessage.newBuilder()
                            .setDirectory(directory.get())
                            .build());
                }
            }
            return new StreamObserver<>() {
                @Override
                public void onNext(NodeMessage message) {
                    if (!message.hasHeartbeat()) {
                        received.add(message);
                    }
                }

                @Override
                public void onError(Throwable t) {
                    streams.remove(out);
                    ended.incrementAndGet();
                }

                @Override
                public void onCompleted() {
                    streams.remove(out);
                    ended.incrementAndGet();
                    try {
                        out.onCompleted();
                    } catch (RuntimeException ignored) {
                        // already closed
                    }
                }
            };
        }

        FakeManager start() throws IOException {
            server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                    .addService(this)
                    .build()
                    .start();
            return this;
        }

        String address() {
            return "127.0.0.1:" + server.getPort();
        }

        void push(ManagerDirectory d) {
            for (StreamObserver<ManagerMessage> out : streams) {
                synchronized (out) {
                    out.onNext(ManagerMessage.newBuilder().setDirectory(d).build());
                }
            }
        }
    }

    private final List<FakeManager> managers = new ArrayList<>();
    private final List<String> saved = new CopyOnWriteArrayList<>();
    private ExecutorService workers;
    private ManagerLinks links;

    @BeforeEach
    void workers() {
        workers = Executors.newFixedThreadPool(2);
    }

    @AfterEach
    void stop() {
        if (links != null) {
            links.close();
        }
        managers.forEach(m -> m.server.shutdownNow());
        workers.shutdownNow();
    }

    private FakeManager manager() throws IOException {
        FakeManager m = new FakeManager().start();
        managers.add(m);
        return m;
    }

    private ManagerLinks links(List<KnownManager> known, long version) {
        links = new ManagerLinks(
                known,
                version,
                (target, events) -> new SessionClient(
                        target,
                        InsecureChannelCredentials::create,
                        NodeHello::getDefaultInstance,
                        (request, manager) -> PrimitiveResponse.newBuilder()
                                .setRequestId(request.getRequestId())
                                .build(),
                        workers,
                        null,
                        events),
                (list, v) -> saved.add(v + " " + list));
        return links;
    }

    private static ManagerDirectory directory(long version, FakeManager... ms) {
        ManagerDirectory.Builder d = ManagerDirectory.newBuilder().setVersion(version);
        for (int i = 0; i < ms.length; i++) {
            d.addManagers(ManagerEndpoint.newBuilder().setId("m" + i).setAddress(ms[i].address()));
        }
        return d.build();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private List<String> addresses() {
        return links.managers().stream().map(KnownManager::address).toList();
    }

    @Test
    void aNodeDialsTheManagersANewerListAddsAndDropsTheOnesItRemoves() throws Exception {
        FakeManager a = manager();
        FakeManager b = manager();
        a.directory.set(directory(1, a, b));
        links(List.of(new KnownManager("", a.address())), 0).start();

        await("a session to B, which only A's list names", () -> b.opened.get() == 1);
        await(
                "both sessions up",
                () -> links.links().stream().allMatch(l -> l.status().state() == SessionClient.State.CONNECTED));
        assertThat(addresses()).containsExactly(a.address(), b.address());
        assertThat(links.version()).isEqualTo(1);
        assertThat(saved)
                .containsExactly(
                        "1 " + List.of(new KnownManager("m0", a.address()), new KnownManager("m1", b.address())));

        // B lags: its older list (without itself even) is ignored
        b.push(directory(0, a));
        Thread.sleep(300);
        assertThat(addresses()).containsExactly(a.address(), b.address());

        // the same version with another list is a disagreement, not an update
        a.push(directory(1, a));
        Thread.sleep(300);
        assertThat(addresses()).containsExactly(a.address(), b.address());

        // B left the federation: the node disconnects from it and forgets it
        a.push(directory(2, a));
        await("B's session to end", () -> b.ended.get() == 1);
        assertThat(addresses()).containsExactly(a.address());
        assertThat(links.links()).hasSize(1);
        assertThat(saved).hasSize(2).last().asString().startsWith("2 ");
        Thread.sleep(1_000);
        assertThat(b.opened.get()).as("B is not dialled again").isEqualTo(1);
    }

    @Test
    void emptyOversizedOrMalformedListsAreIgnored() throws Exception {
        FakeManager a = manager();
        links(List.of(new KnownManager("", a.address())), 3).start();
        await("the session to A", () -> links.anyConnected());

        a.push(ManagerDirectory.newBuilder().setVersion(9).build());
        ManagerDirectory.Builder many = ManagerDirectory.newBuilder().setVersion(9);
        for (int i = 0; i <= ManagerLinks.MAX_MANAGERS; i++) {
            many.addManagers(ManagerEndpoint.newBuilder().setId("m" + i).setAddress("127.0.0.1:" + (20000 + i)));
        }
        a.push(many.build());
        a.push(ManagerDirectory.newBuilder()
                .setVersion(9)
                .addManagers(ManagerEndpoint.newBuilder().setId("x").setAddress("not an address; rm -rf /"))
                .build());
        Thread.sleep(500);
        assertThat(addresses()).containsExactly(a.address());
        assertThat(links.version()).isEqualTo(3);
        assertThat(saved).isEmpty();
    }

    @Test
    void anAlertRaisedWhileNoManagerIsUpGoesToTheFirstThatComesUpAndOnlyToOne() throws Exception {
        FakeManager a = manager();
        FakeManager b = manager();
        // both addresses are known but nothing answers there until the managers start again
        int portA = a.server.getPort();
        int portB = b.server.getPort();
        a.server.shutdownNow().awaitTermination();
        b.server.shutdownNow().awaitTermination();
        links(List.of(new KnownManager("a", "127.0.0.1:" + portA), new KnownManager("b", "127.0.0.1:" + portB)), 0)
                .start();
        links.send(NodeMessage.newBuilder()
                .setAlert(PrivacyAlert.newBuilder().setRequester("mallory"))
                .build());
        assertThat(links.anyConnected()).isFalse();
        await(
                "failed attempts",
                () -> links.links().stream()
                        .allMatch(l -> l.status().state() == SessionClient.State.DOWN
                                && l.status().failures() > 0
                                && !l.status().lastError().isEmpty()));

        for (FakeManager m : List.of(a, b)) {
            m.server = Grpc.newServerBuilderForPort(m == a ? portA : portB, InsecureServerCredentials.create())
                    .addService(m)
                    .build()
                    .start();
        }
        await("both sessions up", () -> a.opened.get() > 0 && b.opened.get() > 0);
        await("the alert at a manager", () -> alerts(a) + alerts(b) == 1);
        Thread.sleep(500);
        assertThat(alerts(a) + alerts(b)).as("one manager is told, not both").isEqualTo(1);
        assertThat(links.links())
                .allMatch(l -> l.status().state() == SessionClient.State.CONNECTED
                        && l.status().failures() == 0);
    }

    private static long alerts(FakeManager m) {
        return m.received.stream().filter(NodeMessage::hasAlert).count();
    }
}
