package org.mipfed.manager.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.security.JoinToken;
import org.mipfed.core.security.KeyPairs;
import org.mipfed.core.security.PeerIdentity;
import org.mipfed.core.security.Pem;
import org.mipfed.core.security.Role;
import org.mipfed.core.security.TlsManagers;
import org.mipfed.manager.ca.CertificateAuthority;
import org.mipfed.manager.ca.FederationCa;
import org.mipfed.manager.ca.NodeIds;
import org.mipfed.node.tls.Csr;
import org.mipfed.node.tls.NodeTls;
import org.mipfed.node.tls.PinnedCaTrustManager;
import org.mipfed.proto.v1.JoinGrpc;
import org.mipfed.proto.v1.JoinRequest;
import org.mipfed.proto.v1.JoinResponse;

/**
 * The manager's and the node's TLS halves against each other, over a real gRPC server on 127.0.0.1:
 * joining with a pinned CA digest, then a mutually authenticated session.
 */
class TestManagerTls {
    @TempDir
    Path dataDir;

    private CertificateAuthority ca;
    private JoinToken token;
    private RecordingJoinService service;
    private ProtocolRecorder protocols;
    private Server server;
    private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startManager() throws Exception {
        ca = CertificateAuthority.create("fed-1", dataDir.resolve("ca"));
        token = JoinToken.generate(ca.certificate());
        KeyPair managerKeys = KeyPairs.generate();
        X509Certificate managerCertificate =
                ca.issueServerCertificate(managerKeys, List.of("manager.example.org"), Duration.ofDays(1));
        service = new RecordingJoinService(ca);
        protocols = new ProtocolRecorder();
        FederationCa.Identity identity =
                new FederationCa.Identity(managerKeys.getPrivate(), List.of(managerCertificate, ca.certificate()));
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .sslContext(ManagerTls.serverContext(() -> identity, () -> List.of(ca.certificate())))
                .addService(ServerInterceptors.intercept(service, new PeerCertificateInterceptor(), protocols))
                .build()
                .start();
    }

    @AfterEach
    void stopManager() throws InterruptedException {
        channels.forEach(ManagedChannel::shutdownNow);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void joinsWithTheTokensDigestPinningTheCaTheManagerSends() {
        PinnedCaTrustManager pinning = new PinnedCaTrustManager(token.digest());

        JoinResponse response = join(NodeTls.joinChannelCredentials(pinning), KeyPairs.generate());

        assertThat(service.tokens).containsExactly(token.format());
        assertThat(service.peers).containsExactly(Optional.empty());
        assertThat(pinning.pinnedCa()).contains(ca.certificate());
        assertThat(response.getCaCertificateDer().toByteArray()).isEqualTo(encoded(ca.certificate()));
        assertThat(protocols.seen).containsExactly("TLSv1.3");
    }

    @Test
    void aWrongDigestFailsTheHandshakeBeforeTheTokenIsSent() {
        JoinToken otherFederation = JoinToken.generate(CertificateAuthority.create("fed-2", dataDir.resolve("other-ca"))
                .certificate());
        PinnedCaTrustManager pinning = new PinnedCaTrustManager(otherFederation.digest());

        assertThatThrownBy(() -> join(NodeTls.joinChannelCredentials(pinning), KeyPairs.generate()))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThat(pinning.mismatch()).contains("no certificate in the manager's chain has the digest");
        assertThat(pinning.pinnedCa()).isEmpty();
        assertThat(service.tokens).isEmpty();
        assertThat(protocols.seen).isEmpty();
    }

    @Test
    void theSessionCarriesTheNodesIdentityFromItsCertificate() {
        KeyPair nodeKeys = KeyPairs.generate();
        PinnedCaTrustManager pinning = new PinnedCaTrustManager(token.digest());
        JoinResponse joined = join(NodeTls.joinChannelCredentials(pinning), nodeKeys);
        X509Certificate nodeCertificate =
                Pem.certificate(joined.getCertificateDer().toByteArray());

        join(
                NodeTls.sessionChannelCredentials(
                        nodeKeys.getPrivate(),
                        nodeCertificate,
                        pinning.pinnedCa().orElseThrow()),
                KeyPairs.generate());

        assertThat(service.peers)
                .containsExactly(
                        Optional.empty(), Optional.of(new PeerIdentity(joined.getNodeId(), "worker", "fed-1")));
        assertThat(protocols.seen).containsExactly("TLSv1.3", "TLSv1.3");
    }

    @Test
    void aClientCertificateFromAnotherCaFailsTheHandshake() {
        CertificateAuthority other = CertificateAuthority.create("fed-1", dataDir.resolve("other-ca"));
        KeyPair rogueKeys = KeyPairs.generate();
        X509Certificate rogue =
                other.signNodeCsr(Csr.create(rogueKeys, "rogue"), NodeIds.newId(), Role.WORKER, Duration.ofDays(1));

        // it trusts the real CA, so only the manager's check of the client can fail
        assertThatThrownBy(() -> join(
                        NodeTls.sessionChannelCredentials(rogueKeys.getPrivate(), rogue, ca.certificate()),
                        KeyPairs.generate()))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThat(service.tokens).isEmpty();
        assertThat(service.peers).isEmpty();
    }

    @Test
    void theManagerMustBeDialledByANameItsCertificateHolds() {
        KeyPair nodeKeys = KeyPairs.generate();
        X509Certificate nodeCertificate =
                ca.signNodeCsr(Csr.create(nodeKeys, "h"), NodeIds.newId(), Role.WORKER, Duration.ofDays(1));
        PinnedCaTrustManager pinning = new PinnedCaTrustManager(token.digest());
        UnaryOperator<ManagedChannelBuilder<?>> elsewhere =
                builder -> builder.overrideAuthority("elsewhere.example.org");

        assertThatThrownBy(() -> join(NodeTls.joinChannelCredentials(pinning), KeyPairs.generate(), elsewhere))
                .isInstanceOf(StatusRuntimeException.class);
        assertThat(pinning.mismatch())
                .contains("not valid for the address dialled")
                .contains("elsewhere.example.org");
        assertThat(pinning.pinnedCa()).isEmpty();
        assertThatThrownBy(() -> join(
                        NodeTls.sessionChannelCredentials(nodeKeys.getPrivate(), nodeCertificate, ca.certificate()),
                        KeyPairs.generate(),
                        elsewhere))
                .isInstanceOf(StatusRuntimeException.class);
        assertThat(service.tokens).isEmpty();

        // the advertised name is in the certificate, so a node that dials it (here: to 127.0.0.1) gets through
        join(
                NodeTls.joinChannelCredentials(pinning),
                KeyPairs.generate(),
                builder -> builder.overrideAuthority("manager.example.org"));
        assertThat(service.tokens).hasSize(1);
    }

    @Test
    void aTls12ClientIsRefusedEvenWithAValidCertificateWhileTls13Works() throws Exception {
        KeyPair nodeKeys = KeyPairs.generate();
        X509Certificate nodeCertificate =
                ca.signNodeCsr(Csr.create(nodeKeys, "h"), NodeIds.newId(), Role.WORKER, Duration.ofDays(1));

        SSLException refused =
                catchThrowableOfType(SSLException.class, () -> handshake("TLSv1.2", nodeKeys, nodeCertificate));
        assertThat(refused).as("a TLS 1.2 handshake must fail").isNotNull();
        assertThat(handshake("TLSv1.3", nodeKeys, nodeCertificate)).isEqualTo("TLSv1.3");
        // the gRPC session itself, with the node's credentials, negotiates TLS 1.3
        join(
                NodeTls.sessionChannelCredentials(nodeKeys.getPrivate(), nodeCertificate, ca.certificate()),
                KeyPairs.generate());
        assertThat(protocols.seen).containsExactly("TLSv1.3");
    }

    /** A plain JDK TLS handshake with the given protocol only, presenting a valid node certificate; the protocol negotiated. */
    private String handshake(String protocol, KeyPair keys, X509Certificate certificate) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(
                new KeyManager[] {TlsManagers.keyManager(keys.getPrivate(), certificate)},
                new TrustManager[] {TlsManagers.trustingOnly(ca.certificate())},
                null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.getPort())) {
            socket.setEnabledProtocols(new String[] {protocol});
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2"});
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return socket.getSession().getProtocol();
        }
    }

    private JoinResponse join(ChannelCredentials credentials, KeyPair keys) {
        return join(credentials, keys, UnaryOperator.identity());
    }

    private JoinResponse join(
            ChannelCredentials credentials, KeyPair keys, UnaryOperator<ManagedChannelBuilder<?>> configure) {
        ManagedChannel channel = configure
                .apply(Grpc.newChannelBuilderForAddress("127.0.0.1", server.getPort(), credentials))
                .build();
        channels.add(channel);
        return JoinGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .join(JoinRequest.newBuilder()
                        .setToken(token.format())
                        .setCsrDer(ByteString.copyFrom(Csr.create(keys, "hospital-a")))
                        .setHostname("hospital-a")
                        .build());
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A trivial join service: records what reached it and signs every request as a worker. */
    private static final class RecordingJoinService extends JoinGrpc.JoinImplBase {
        final List<String> tokens = new CopyOnWriteArrayList<>();
        final List<Optional<PeerIdentity>> peers = new CopyOnWriteArrayList<>();
        private final CertificateAuthority ca;

        RecordingJoinService(CertificateAuthority ca) {
            this.ca = ca;
        }

        @Override
        public void join(JoinRequest request, StreamObserver<JoinResponse> response) {
            tokens.add(request.getToken());
            peers.add(Optional.ofNullable(PeerCertificateInterceptor.PEER.get()));
            String nodeId = NodeIds.newId();
            X509Certificate certificate =
                    ca.signNodeCsr(request.getCsrDer().toByteArray(), nodeId, Role.WORKER, Duration.ofDays(1));
            response.onNext(JoinResponse.newBuilder()
                    .setNodeId(nodeId)
                    .setFederationId(ca.federationId())
                    .setRole("worker")
                    .setCertificateDer(ByteString.copyFrom(encoded(certificate)))
                    .setCaCertificateDer(ByteString.copyFrom(encoded(ca.certificate())))
                    .build());
            response.onCompleted();
        }
    }

    /** Records the TLS version of every call that reached the server. */
    private static final class ProtocolRecorder implements ServerInterceptor {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(
                ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
            seen.add(session == null ? "none" : session.getProtocol());
            return next.startCall(call, headers);
        }
    }
}
