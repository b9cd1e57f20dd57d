package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.security.CaDigest;
import org.mipfed.core.security.Pem;
import org.mipfed.node.NodePaths;
import org.mipfed.node.tls.NodeTls;
import org.mipfed.proto.v1.ManagerMessage;
import org.mipfed.proto.v1.NodeMessage;
import org.mipfed.proto.v1.NodeSessionGrpc;

/**
 * Credentials over time with real processes: a manager and three nodes on loopback with node certificates of
 * two and a half minutes. The nodes renew by themselves; then {@code mipfed manager ca --rotate} moves the federation to a new
 * CA while a linear regression runs again and again, every run giving the same numbers; afterwards a certificate
 * under the old CA is refused.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestCaRotation {
    private static final List<String> NODES = List.of("chuv", "epfl", "uoa");
    /** Short enough to see renewals in the test, long enough for three node JVMs to start on a busy machine. */
    private static final Duration VALIDITY = Duration.ofSeconds(150);

    /** Kept when a test fails: the manager's and the nodes' logs say what happened. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    static LocalFederation federation;
    static JsonNode baseline;
    static Map<String, BigInteger> joinSerials = new TreeMap<>();
    static PrivateKey oldKey;
    static X509Certificate oldCertificate;
    static X509Certificate oldCa;

    @BeforeAll
    static void createFederation() {
        Path data = LocalFederation.extractDementiaData(dir.resolve("data"));
        federation = LocalFederation.create(dir.resolve("fed"), 0, 0, VALIDITY);
        federation.addNode(
                "chuv",
                null,
                10,
                List.of(new LocalFederation.DataImport(
                        data.resolve("CDEsMetadata.json"),
                        List.of(data.resolve("edsd0.csv"), data.resolve("edsd1.csv")))));
        federation.addNode(
                "epfl",
                null,
                10,
                List.of(new LocalFederation.DataImport(
                        data.resolve("CDEsMetadata.json"),
                        List.of(data.resolve("ppmi0.csv"), data.resolve("ppmi1.csv")))));
        federation.addNode(
                "uoa",
                null,
                10,
                List.of(new LocalFederation.DataImport(
                        data.resolve("CDEsMetadata.json"), List.of(data.resolve("desd-synthdata0.csv")))));
        federation.start("all");
        federation.awaitReady(Duration.ofSeconds(120), NODES.toArray(String[]::new));
        for (String node : NODES) {
            joinSerials.put(node, certificate(node).getSerialNumber());
        }
    }

    @AfterAll
    static void stop() {
        if (federation != null) {
            federation.close();
        }
    }

    @Test
    @Order(1)
    void nodesRenewTheirCertificatesBeforeExpiryWhileServing() {
        baseline = regression();
        assertThat(baseline.path("contributing_nodes")).hasSize(3);
        Cli.Result ls = Cli.run("node", "ls", "--data-dir", managerDir());
        assertThat(ls.out()).contains("CERTIFICATE").contains("until ");

        // two thirds into the lifetime every node has a new certificate, and the federation never stopped
        LocalFederation.await(
                VALIDITY,
                "every node to renew its certificate",
                () -> NODES.stream()
                        .allMatch(n -> !certificate(n).getSerialNumber().equals(joinSerials.get(n))));
        federation.awaitReady(Duration.ofSeconds(30), NODES.toArray(String[]::new));
        for (String node : NODES) {
            X509Certificate renewed = certificate(node);
            assertThat(renewed.getNotAfter().toInstant()).isAfter(Instant.now().plus(Duration.ofSeconds(60)));
            assertThat(managerRecord(node).path("certificateExpires").asText())
                    .isEqualTo(renewed.getNotAfter().toInstant().toString());
        }
        assertSameNumbers(regression(), baseline);
    }

    @Test
    @Order(2)
    void rotatingTheCaKeepsAnalysesRunningAndThenRefusesTheOldCa() throws Exception {
        NodePaths chuv = federation.node("chuv").paths();
        oldKey = Pem.readPrivateKey(chuv.key());
        oldCertificate = Pem.readCertificate(chuv.certificate());
        oldCa = Pem.readCertificate(federation.managerPaths().caDir().resolve("ca.crt"));
        String oldWorkerToken = federation
                .admin()
                .get("/admin/join-tokens/worker")
                .path("token")
                .asText();

        AtomicBoolean rotating = new AtomicBoolean(true);
        List<JsonNode> during = new CopyOnWriteArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> analyses = CompletableFuture.runAsync(() -> {
            while (rotating.get()) {
                try {
                    during.add(regression());
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }
        });

        Cli.Result rotate = Cli.run("manager", "ca", "--rotate", "--wait", "120", "--data-dir", managerDir());
        rotating.set(false);
        analyses.get(120, TimeUnit.SECONDS);

        assertThat(rotate.exitCode()).as(rotate.err()).isZero();
        assertThat(rotate.out())
                .contains("CA rotation started")
                .contains("every node moved to the new CA")
                .contains("CA rotation finished");
        X509Certificate newCa =
                Pem.readCertificate(federation.managerPaths().caDir().resolve("ca.crt"));
        assertThat(newCa).isNotEqualTo(oldCa);
        String newWorkerToken = federation
                .admin()
                .get("/admin/join-tokens/worker")
                .path("token")
                .asText();
        assertThat(newWorkerToken)
                .startsWith("MIPFED-1-" + CaDigest.of(newCa) + "-")
                .isNotEqualTo(oldWorkerToken);
        assertThat(rotate.out()).contains(newWorkerToken);

        // no analysis failed or changed while the federation moved
        assertThat(failures).isEmpty();
        assertThat(during).isNotEmpty();
        during.forEach(result -> assertSameNumbers(result, baseline));

        // every node moved: its certificate is under the new CA and it trusts the new CA only
        LocalFederation.await(
                Duration.ofSeconds(30),
                "the nodes to drop the old CA",
                () -> NODES.stream()
                        .allMatch(n -> Pem.readCertificates(
                                        federation.node(n).paths().caCertificate())
                                .equals(List.of(newCa))));
        for (String node : NODES) {
            certificate(node).verify(newCa.getPublicKey());
        }
        federation.awaitReady(Duration.ofSeconds(30), NODES.toArray(String[]::new));
        assertSameNumbers(regression(), baseline);
    }

    @Test
    @Order(3)
    void aCertificateUnderTheOldCaIsRefusedAfterTheRotation() throws Exception {
        X509Certificate newCa =
                Pem.readCertificate(federation.managerPaths().caDir().resolve("ca.crt"));
        // chuv's certificate from before the rotation has not expired, but its CA was dropped
        oldCertificate.checkValidity();
        Status refused = openSession(oldKey, oldCertificate, List.of(oldCa, newCa));
        assertThat(refused.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        // chuv's current certificate (under the new CA) opens a session
        NodePaths chuv = federation.node("chuv").paths();
        assertThat(openSession(Pem.readPrivateKey(chuv.key()), Pem.readCertificate(chuv.certificate()), List.of(newCa))
                        .getCode())
                .isEqualTo(Status.Code.OK);
    }

    /** Opens a node session with these credentials; OK once the manager welcomes it, else how it failed. */
    private static Status openSession(PrivateKey key, X509Certificate certificate, List<X509Certificate> trusted)
            throws Exception {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(
                        "127.0.0.1",
                        federation.grpcPort(),
                        NodeTls.sessionChannelCredentials(key, certificate, trusted))
                .build();
        try {
            CompletableFuture<Status> outcome = new CompletableFuture<>();
            StreamObserver<NodeMessage> out = NodeSessionGrpc.newStub(channel).open(new StreamObserver<>() {
                @Override
                public void onNext(ManagerMessage value) {
                    if (value.hasWelcome()) {
                        outcome.complete(Status.OK);
                    }
                }

                @Override
                public void onError(Throwable t) {
                    outcome.complete(Status.fromThrowable(t));
                }

                @Override
                public void onCompleted() {
                    outcome.complete(Status.CANCELLED.withDescription("closed without a welcome"));
                }
            });
            Status status = outcome.get(30, TimeUnit.SECONDS);
            if (status.isOk()) {
                out.onCompleted();
            }
            return status;
        } finally {
            channel.shutdownNow();
        }
    }

    private static JsonNode regression() {
        return federation
                .admin()
                .post(
                        "/algorithms/linear_regression",
                        TestFederationWorkflow.request(
                                List.of("lefthippocampus"),
                                List.of("righthippocampus", "gender"),
                                List.of("edsd0", "edsd1", "ppmi0", "ppmi1", "desd-synthdata0")));
    }

    private static void assertSameNumbers(JsonNode actual, JsonNode expected) {
        assertThat(actual.path("n_obs").asLong())
                .isEqualTo(expected.path("n_obs").asLong());
        List<Double> a = new ArrayList<>();
        List<Double> e = new ArrayList<>();
        actual.path("coefficients").forEach(c -> a.add(c.asDouble()));
        expected.path("coefficients").forEach(c -> e.add(c.asDouble()));
        assertThat(a).hasSize(e.size()).isNotEmpty();
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i)).isCloseTo(e.get(i), within(1e-9 * Math.max(1, Math.abs(e.get(i)))));
        }
    }

    private static X509Certificate certificate(String node) {
        return Pem.readCertificate(federation.node(node).paths().certificate());
    }

    private static JsonNode managerRecord(String alias) {
        for (JsonNode n : federation.admin().get("/admin/nodes")) {
            if (alias.equals(n.path("alias").asText())) {
                return n;
            }
        }
        throw new AssertionError("no node " + alias);
    }

    private static String managerDir() {
        return federation.managerPaths().dataDir().toString();
    }
}
