package org.mipfed.manager.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.security.CaDigest;
import org.mipfed.core.security.CaEndorsement;
import org.mipfed.core.security.JoinToken;
import org.mipfed.core.security.KeyPairs;
import org.mipfed.core.security.PeerIdentity;
import org.mipfed.core.security.Pem;
import org.mipfed.core.security.Role;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ManagerServer;
import org.mipfed.manager.ca.CertificateAuthority;
import org.mipfed.manager.ca.FederationCa;
import org.mipfed.manager.join.JoinTokens;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.manager.state.NodeRecord;
import org.mipfed.manager.state.StateStore;
import org.mipfed.node.NodeConfig;
import org.mipfed.node.NodePaths;
import org.mipfed.node.join.NodeJoiner;
import org.mipfed.node.tls.Csr;
import org.mipfed.node.tls.NodeTls;
import org.mipfed.proto.v1.Heartbeat;
import org.mipfed.proto.v1.ManagerMessage;
import org.mipfed.proto.v1.NodeHello;
import org.mipfed.proto.v1.NodeMessage;
import org.mipfed.proto.v1.NodeSessionGrpc;
import org.mipfed.proto.v1.RenewalRequest;
import org.mipfed.proto.v1.RenewalResponse;
import org.mipfed.proto.v1.TrustUpdate;

/**
 * Node credentials against a real manager (its gRPC port over mutual TLS 1.3 on 127.0.0.1): what each join
 * token yields, renewal over the session and who may renew, expiry, removal, and a CA rotation seen from a
 * node's session. The "node" here is a bare gRPC client with a real joined identity, so every message can be
 * checked; the node's own renewal logic runs in {@code TestCaRotation} with real node processes.
 */
class TestNodeCredentials {
    @TempDir
    Path dir;

    private ManagerServer manager;
    private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startManager() {
        start(Duration.ofMinutes(10));
    }

    private void start(Duration validity) {
        ManagerPaths paths = new ManagerPaths(dir.resolve("manager-" + validity.toSeconds()));
        FederationInit.init(paths, "127.0.0.1", 0, 0, "127.0.0.1", validity);
        manager = ManagerServer.start(paths, 0, 0);
    }

    @AfterEach
    void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void aWorkerTokenYieldsAWorkerCertificateOnlyAndAManagerTokenNoNode() throws Exception {
        NodeConfig worker = join("worker", "w");
        X509Certificate workerCert = Pem.readCertificate(new NodePaths(dir.resolve("w")).certificate());
        assertThat(PeerIdentity.of(workerCert))
                .isEqualTo(new PeerIdentity(
                        worker.nodeId(), "worker", manager.config().federationId()));
        // TLS client authentication only: it cannot serve as the manager
        assertThat(workerCert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(Duration.between(Instant.now(), workerCert.getNotAfter().toInstant()))
                .isBetween(Duration.ofMinutes(9), Duration.ofMinutes(10));

        // the manager token adds a manager (mipfed manager join), never a node: a node's join with it is refused and
        // writes nothing
        assertThatThrownBy(() -> join("manager", "m"))
                .isInstanceOfSatisfying(
                        Problem.class,
                        p -> assertThat(p.getMessage())
                                .contains("manager token")
                                .contains("worker token"));
        assertThat(dir.resolve("m").resolve("node.json")).doesNotExist();

        // a manager's certificate (as a joining manager receives it) is not a hospital node's: it opens no node session
        KeyPair managerKeys = KeyPairs.generate();
        X509Certificate managerCert = CertificateAuthority.load(manager.paths().caDir())
                .signManagerCsr(Csr.create(managerKeys, "m"), List.of("127.0.0.1"), Duration.ofMinutes(10));
        assertThat(PeerIdentity.of(managerCert).role()).isEqualTo("manager");
        Session session = open(new NodePaths(dir.resolve("w")), managerKeys, managerCert);
        assertThat(session.failure()).satisfies(s -> {
            assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(s.getDescription()).contains("issued to a manager").contains("worker token");
        });

        // a token of the right shape with a wrong secret yields nothing, and writes nothing
        String forged = new JoinToken(CaDigest.of(caCertificate()), "0".repeat(25)).format();
        assertThatThrownBy(() -> NodeJoiner.join(
                        new NodePaths(dir.resolve("f")), forged, "127.0.0.1:" + manager.grpcPort(), null, 10))
                .isInstanceOfSatisfying(
                        Problem.class, p -> assertThat(p.status()).isEqualTo(403));
        assertThat(dir.resolve("f").resolve("node.json")).doesNotExist();
    }

    @Test
    void aNodeRenewsOverItsSessionForItsOwnIdOnly() throws Exception {
        NodeConfig node = join("worker", "n");
        NodePaths paths = new NodePaths(dir.resolve("n"));
        X509Certificate before = Pem.readCertificate(paths.certificate());
        Session session = open(paths);
        assertThat(session.next().getWelcome().getTrust().getRenewNow()).isFalse();

        KeyPair newKeys = KeyPairs.generate();
        // the request names another node: the manager signs for the session's node, whatever the request says
        session.send(NodeMessage.newBuilder()
                .setRenew(
                        RenewalRequest.newBuilder().setCsrDer(ByteString.copyFrom(Csr.create(newKeys, "someone-else"))))
                .build());
        RenewalResponse renewed =
                session.nextOfKind(ManagerMessage.KindCase.RENEWED).getRenewed();

        assertThat(renewed.getRefusal()).isEmpty();
        X509Certificate after = Pem.certificate(renewed.getCertificateDer().toByteArray());
        assertThat(PeerIdentity.of(after)).isEqualTo(PeerIdentity.of(before));
        assertThat(after.getPublicKey()).isEqualTo(newKeys.getPublic());
        assertThat(after.getSerialNumber()).isNotEqualTo(before.getSerialNumber());
        after.verify(caCertificate().getPublicKey());
        NodeRecord record = manager.registry().records().stream()
                .filter(r -> r.id().equals(node.nodeId()))
                .findFirst()
                .orElseThrow();
        assertThat(record.certificateSerial()).isEqualTo(after.getSerialNumber().toString(16));
        assertThat(record.certificateExpires()).isEqualTo(after.getNotAfter().toInstant());

        // a request whose signature does not match its key is refused with the reason
        byte[] csr = Csr.create(KeyPairs.generate(), "n");
        csr[csr.length - 5] ^= 0x55;
        session.send(NodeMessage.newBuilder()
                .setRenew(RenewalRequest.newBuilder().setCsrDer(ByteString.copyFrom(csr)))
                .build());
        assertThat(session.nextOfKind(ManagerMessage.KindCase.RENEWED)
                        .getRenewed()
                        .getRefusal())
                .contains("certificate request is not valid");

        // the renewed certificate opens a session; the manager retires the old one
        Session renewedSession = open(paths, newKeys, after);
        assertThat(renewedSession.next().getWelcome().getNodeId()).isEqualTo(node.nodeId());
    }

    @Test
    void aRemovedNodeIsRefusedAndCannotRenew() throws Exception {
        NodeConfig node = join("worker", "r");
        NodePaths paths = new NodePaths(dir.resolve("r"));
        Session session = open(paths);
        session.next();
        manager.registry().remove(node.nodeId());

        assertThat(session.failure().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        Session again = open(paths);
        assertThat(again.failure().getDescription()).contains("not a member").contains("removed");
        // the renewal path checks membership too, whatever session it arrives on
        RenewalResponse refused = new CertificateRenewals(
                        FederationCa.load(manager.paths(), "127.0.0.1"), manager.registry(), Duration.ofMinutes(1))
                .renew(
                        PeerIdentity.of(Pem.readCertificate(paths.certificate())),
                        RenewalRequest.newBuilder()
                                .setCsrDer(ByteString.copyFrom(Csr.create(KeyPairs.generate(), "r")))
                                .build());
        assertThat(refused.getCertificateDer().isEmpty()).isTrue();
        assertThat(refused.getRefusal()).contains("not a member").contains("cannot renew");
    }

    @Test
    void anExpiredCertificateIsRefusedAndItsSessionClosed() throws Exception {
        manager.close();
        start(Duration.ofSeconds(6));
        join("worker", "e");
        NodePaths paths = new NodePaths(dir.resolve("e"));
        Session session = open(paths);
        assertThat(session.next().hasWelcome()).isTrue();
        Instant expires = Pem.readCertificate(paths.certificate()).getNotAfter().toInstant();

        // the live session ends once the certificate expires (the manager checks every second)
        Status ended = session.failure();
        assertThat(Instant.now()).isAfter(expires);
        assertThat(ended.getDescription()).contains("expired");
        // and a new connection with it fails in the handshake
        assertThat(open(paths).failure().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }

    @Test
    void aCaRotationMovesAConnectedNodeThenRefusesTheOldCa() throws Exception {
        NodeConfig node = join("worker", "c");
        NodePaths paths = new NodePaths(dir.resolve("c"));
        X509Certificate oldCa = caCertificate();
        String oldToken = FederationInit.adminToken(manager.paths());
        Session session = open(paths);
        session.next();

        CaRotation ca = manager.caRotation();
        ca.start();
        TrustUpdate trust = session.nextOfKind(ManagerMessage.KindCase.TRUST).getTrust();
        assertThat(trust.getRenewNow()).isTrue();
        assertThat(trust.getCasCount()).isEqualTo(2);
        X509Certificate newCa =
                Pem.certificate(trust.getCas(1).getCertificateDer().toByteArray());
        assertThat(Pem.certificate(trust.getCas(0).getCertificateDer().toByteArray()))
                .isEqualTo(oldCa);
        // the node can check the new CA came from the federation it trusts
        assertThat(CaEndorsement.verify(
                        oldCa, newCa, trust.getCas(1).getEndorsement().toByteArray()))
                .isTrue();
        assertThat(CaEndorsement.verify(
                        newCa, newCa, trust.getCas(1).getEndorsement().toByteArray()))
                .isFalse();
        // during the rotation, joins still work with the old token (same digest) and the manager still trusts old
        // certificates
        assertThat(ca.status().path("rotating").asBoolean()).isTrue();
        join("worker", "late");

        KeyPair newKeys = KeyPairs.generate();
        session.send(NodeMessage.newBuilder()
                .setRenew(RenewalRequest.newBuilder().setCsrDer(ByteString.copyFrom(Csr.create(newKeys, "c"))))
                .build());
        X509Certificate moved = Pem.certificate(session.nextOfKind(ManagerMessage.KindCase.RENEWED)
                .getRenewed()
                .getCertificateDer()
                .toByteArray());
        moved.verify(newCa.getPublicKey());

        var finished = ca.finish();
        assertThat(finished.path("rotating").asBoolean()).isFalse();
        assertThat(finished.path("ca_digest").asText()).isEqualTo(CaDigest.of(newCa));
        assertThat(finished.path("worker_token").asText()).startsWith("MIPFED-1-" + CaDigest.of(newCa) + "-");
        assertThat(FederationInit.adminToken(manager.paths())).isEqualTo(oldToken);
        // the old session (certificate under the old CA) is closed, and certificates under the old CA are refused
        assertThat(session.failure().getCode()).isIn(Status.Code.UNAUTHENTICATED, Status.Code.UNAVAILABLE);
        // (these clients trust both CAs, so only the manager's check of their certificate can fail)
        assertThat(open(paths, null, null, List.of(oldCa, newCa)).failure().getCode())
                .isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(open(new NodePaths(dir.resolve("late")), null, null, List.of(oldCa, newCa))
                        .failure()
                        .getCode())
                .isEqualTo(Status.Code.UNAVAILABLE);
        // the moved node connects, trusting the new CA only: the manager now presents a certificate under it
        Session movedSession = open(paths, newKeys, moved, List.of(newCa));
        assertThat(movedSession.next().getWelcome().getNodeId()).isEqualTo(node.nodeId());
        assertThat(Pem.readCertificate(manager.paths().caDir().resolve("ca.crt")))
                .isEqualTo(newCa);
        assertThat(manager.paths().caDir().resolve("next")).doesNotExist();
    }

    private X509Certificate caCertificate() {
        return Pem.readCertificate(manager.paths().caDir().resolve("ca.crt"));
    }

    private NodeConfig join(String role, String name) {
        // the tokens as 'mipfed join-token' reads them from the data directory
        String token =
                new JoinTokens(StateStore.load(manager.paths().state()), caCertificate()).token(Role.parse(role));
        return NodeJoiner.join(new NodePaths(dir.resolve(name)), token, "127.0.0.1:" + manager.grpcPort(), null, 10);
    }

    private Session open(NodePaths paths) {
        return open(paths, null, null);
    }

    private Session open(NodePaths paths, KeyPair keys, X509Certificate certificate) {
        return open(paths, keys, certificate, Pem.readCertificates(paths.caCertificate()));
    }

    private Session open(NodePaths paths, KeyPair keys, X509Certificate certificate, List<X509Certificate> trusted) {
        ChannelCredentials credentials = NodeTls.sessionChannelCredentials(
                keys == null ? Pem.readPrivateKey(paths.key()) : keys.getPrivate(),
                certificate == null ? Pem.readCertificate(paths.certificate()) : certificate,
                trusted);
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", manager.grpcPort(), credentials)
                .build();
        channels.add(channel);
        Session session = new Session();
        session.out = NodeSessionGrpc.newStub(channel).open(session);
        session.send(NodeMessage.newBuilder()
                .setHello(NodeHello.newBuilder().setHostname("test").setVersion("test"))
                .build());
        return session;
    }

    /** One node session as the node sees it: what the manager sends, and how it ended. */
    private static final class Session implements StreamObserver<ManagerMessage> {
        final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        StreamObserver<NodeMessage> out;

        synchronized void send(NodeMessage message) {
            out.onNext(message);
        }

        @Override
        public void onNext(ManagerMessage value) {
            received.add(value);
        }

        @Override
        public void onError(Throwable t) {
            received.add(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            received.add(Status.OK.withDescription("completed"));
        }

        ManagerMessage next() throws InterruptedException {
            Object o = received.poll(20, TimeUnit.SECONDS);
            if (!(o instanceof ManagerMessage m)) {
                throw new AssertionError("expected a message from the manager, got " + o);
            }
            return m;
        }

        ManagerMessage nextOfKind(ManagerMessage.KindCase kind) throws InterruptedException {
            while (true) {
                ManagerMessage m = next();
                if (m.getKindCase() == kind) {
                    return m;
                }
            }
        }

        /** Waits for the session to end, skipping messages, and answers its status. */
        Status failure() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                Object o = received.poll(1, TimeUnit.SECONDS);
                if (o instanceof Status s) {
                    return s;
                }
                if (o instanceof ManagerMessage m && m.hasHeartbeat()) {
                    continue;
                }
                if (o == null) {
                    // keep the session alive so only a refusal or expiry ends it
                    try {
                        send(NodeMessage.newBuilder()
                                .setHeartbeat(Heartbeat.newBuilder().setUnixMillis(System.currentTimeMillis()))
                                .build());
                    } catch (RuntimeException e) {
                        // closing
                    }
                }
            }
            throw new AssertionError("the session did not end within 20 s");
        }
    }
}
