package org.mipfed.node.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Attributes;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.Server;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.security.KeyPairs;
import org.mipfed.core.security.Pem;
import org.mipfed.core.security.TlsManagers;
import org.mipfed.node.NodePaths;
import org.mipfed.node.tls.NodeCredentials;
import org.mipfed.node.tls.PkiFixture;
import org.mipfed.proto.v1.ManagerMessage;
import org.mipfed.proto.v1.NodeHello;
import org.mipfed.proto.v1.NodeMessage;
import org.mipfed.proto.v1.NodeSessionGrpc;
import org.mipfed.proto.v1.PrimitiveResponse;
import org.mipfed.proto.v1.Welcome;

/**
 * A node builds its session's TLS context once per key, certificate and CAs, however often it dials its manager: a
 * manager that restarts costs the node no new context, and the node dials only on its own backoff (gRPC does not dial
 * again behind its back: the restarted manager sees exactly one connection). A session the manager closed on a live
 * connection comes back on that connection, without a new handshake. A renewed certificate builds a new context, which
 * the next session presents. The node's credentials are its real {@link NodeCredentials} files; the manager is a real
 * mutual-TLS gRPC server on loopback that counts the connections it accepts and the certificate of each session.
 */
class TestKeptChannel {
    private PkiFixture pki;
    private KeyPair managerKeys;
    private X509Certificate managerCertificate;
    private Server server;
    private int port;
    private ExecutorService workers;
    private SessionClient client;

    /** The connections (each one TLS handshake) the manager accepted, over all its starts. */
    private final AtomicInteger connections = new AtomicInteger();
    /** The common name of the certificate of each session the manager welcomed, in order. */
    private final List<String> sessions = new CopyOnWriteArrayList<>();

    private final AtomicReference<StreamObserver<ManagerMessage>> stream = new AtomicReference<>();
    private NodeCredentials credentials;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        pki = new PkiFixture("fed");
        managerKeys = KeyPairs.generate();
        managerCertificate = pki.leaf(
                managerKeys,
                "CN=localhost, OU=manager, O=fed",
                Instant.now().plus(Duration.ofDays(1)),
                KeyPurposeId.id_kp_serverAuth,
                KeyPurposeId.id_kp_clientAuth);
        server = serve(0);
        port = server.getPort();
        NodePaths paths = new NodePaths(dir);
        Files.createDirectories(paths.key().getParent());
        KeyPair keys = KeyPairs.generate();
        Pem.writePrivateKey(paths.key(), keys.getPrivate());
        Pem.writeCertificate(paths.certificate(), nodeCertificate(keys, "node-a"));
        Pem.writeCertificate(paths.caCertificate(), pki.ca);
        credentials = NodeCredentials.load(paths.credentials());
        workers = Executors.newFixedThreadPool(2);
        client = new SessionClient(
                "localhost:" + port,
                // as NodeAgent gives them
                credentials::sessionCredentials,
                NodeHello::getDefaultInstance,
                request -> PrimitiveResponse.newBuilder()
                        .setRequestId(request.getRequestId())
                        .build(),
                workers,
                null);
        client.start();
        await("the first session", () -> sessions.size() == 1 && client.connected());
    }

    @AfterEach
    void stop() throws InterruptedException {
        client.close();
        server.shutdownNow();
        server.awaitTermination(10, TimeUnit.SECONDS);
        workers.shutdownNow();
    }

    @Test
    void aManagerRestartCostsTheNodeNoNewTlsContextAndOneConnection() throws Exception {
        ChannelCredentials before = credentials.sessionCredentials();
        server.shutdownNow();
        server.awaitTermination(10, TimeUnit.SECONDS);
        await("the session to end", () -> !client.connected());
        // down for two seconds: attempts fail on the refused port meanwhile
        Thread.sleep(2000);
        assertThat(client.status().failures()).isGreaterThanOrEqualTo(1);
        server = serve(port);

        await("the session back after the restart", () -> sessions.size() == 2 && client.connected());
        assertThat(credentials.sessionCredentials())
                .as("the same credentials, their TLS context built once, for every attempt")
                .isSameAs(before);
        // let any dialling gRPC would do on its own timer show (its backoff starts at 1 s)
        Thread.sleep(2500);
        assertThat(connections.get())
                .as("the restarted manager accepted exactly one connection: the session's")
                .isEqualTo(2);
        assertThat(sessions).containsExactly("node-a", "node-a");
        assertThat(client.connected()).isTrue();
    }

    @Test
    void aSessionTheManagerClosedComesBackOnTheSameConnection() throws Exception {
        assertThat(connections.get()).isEqualTo(1);
        assertThat(client.channelsBuilt()).isEqualTo(1);
        // as the manager closes a session it heard nothing from (SessionProtocol.SILENCE)
        StreamObserver<ManagerMessage> out = stream.get();
        synchronized (out) {
            out.onError(Status.UNAVAILABLE.withDescription("no heartbeat").asRuntimeException());
        }
        await("the second session", () -> sessions.size() == 2 && client.connected());
        assertThat(client.status().lastError()).contains("no heartbeat");
        assertThat(connections.get())
                .as("the new session opened on the kept connection: no new TLS handshake")
                .isEqualTo(1);
        assertThat(client.channelsBuilt()).isEqualTo(1);
    }

    @Test
    void aRenewedCertificateBuildsANewTlsContextThatTheNextSessionPresents() throws Exception {
        ChannelCredentials before = credentials.sessionCredentials();
        KeyPair renewed = KeyPairs.generate();
        credentials.replaceIdentity(renewed.getPrivate(), nodeCertificate(renewed, "node-b"));
        ChannelCredentials after = credentials.sessionCredentials();
        assertThat(after).isNotSameAs(before);
        // the session up now keeps its connection; the next one presents the renewed certificate
        server.shutdownNow();
        server.awaitTermination(10, TimeUnit.SECONDS);
        server = serve(port);

        await("the session back", () -> sessions.size() == 2 && client.connected());
        assertThat(sessions).containsExactly("node-a", "node-b");
        assertThat(credentials.sessionCredentials()).isSameAs(after);
    }

    private X509Certificate nodeCertificate(KeyPair keys, String name) throws Exception {
        return pki.leaf(
                keys,
                "CN=" + name + ", OU=worker, O=fed",
                Instant.now().plus(Duration.ofDays(1)),
                KeyPurposeId.id_kp_clientAuth);
    }

    /** A manager on loopback: mutual TLS with the fixture's CA; welcomes every session and records who opened it. */
    private Server serve(int at) throws IOException {
        TlsServerCredentials tls = (TlsServerCredentials) TlsServerCredentials.newBuilder()
                .keyManager(TlsManagers.keyManager(managerKeys.getPrivate(), managerCertificate))
                .trustManager(TlsManagers.trustingOnly(pki.ca))
                .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                .build();
        return Grpc.newServerBuilderForPort(at, tls)
                .addTransportFilter(new ServerTransportFilter() {
                    @Override
                    public Attributes transportReady(Attributes attributes) {
                        connections.incrementAndGet();
                        return attributes;
                    }
                })
                .intercept(new io.grpc.ServerInterceptor() {
                    @Override
                    public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(
                            io.grpc.ServerCall<Q, R> call,
                            io.grpc.Metadata headers,
                            io.grpc.ServerCallHandler<Q, R> next) {
                        sessions.add(commonName(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION)));
                        return next.startCall(call, headers);
                    }
                })
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
                            public void onNext(NodeMessage message) {}

                            @Override
                            public void onError(Throwable t) {}

                            @Override
                            public void onCompleted() {}
                        };
                    }
                })
                .build()
                .start();
    }

    private static String commonName(SSLSession tls) {
        try {
            String subject = ((X509Certificate) tls.getPeerCertificates()[0])
                    .getSubjectX500Principal()
                    .getName();
            java.util.regex.Matcher cn =
                    java.util.regex.Pattern.compile("CN=([^,]+)").matcher(subject);
            return cn.find() ? cn.group(1) : subject;
        } catch (SSLPeerUnverifiedException | RuntimeException e) {
            return "(none: " + e + ")";
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
