package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.cli.client.AdminClient;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.AnalysisRequest;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.state.FederationConfig;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.manager.state.ManagerRecord;
import org.mipfed.manager.state.StateStore;
import org.mipfed.node.NodeConfig;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.node.session.KnownManager;

/**
 * The node side of manager redundancy, without Raft: two real manager processes A and B run from copies of one data
 * directory (same CA, same nodes, same users), whose state lists both managers, and three real node processes
 * joined through A, over mutual TLS on loopback. Each node holds a session to both, so A's death costs nothing on B;
 * the node's refusal budget is the node's, whichever manager relays a request; a manager removed from the list is
 * dropped by the nodes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestNodesWithTwoManagers {
    private static final List<String> DATASETS =
            List.of("edsd0", "edsd1", "edsd2", "ppmi0", "ppmi1", "ppmi2", "desd-synthdata0", "desd-synthdata1");
    private static final String[] NODES = {"chuv", "epfl", "uoa"};
    private static final String PASSWORD = "two-managers-one-budget";

    @TempDir
    static Path dir;

    static LocalFederation federation;
    static ManagerPaths pathsB;
    static int grpcB;
    static int httpB;
    static Process managerB;
    static String researcherToken;
    static String otherResearcherToken;
    static JsonNode reference;

    @BeforeAll
    static void startTwoManagers() throws IOException {
        Path data = LocalFederation.extractDementiaData(dir.resolve("data"));
        federation = LocalFederation.create(dir.resolve("fed"), 0, 0);
        String[][] hospitals = {{"chuv", "edsd"}, {"epfl", "ppmi"}, {"uoa", "desd-synthdata"}};
        for (String[] h : hospitals) {
            List<Path> csvs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                csvs.add(data.resolve(h[1] + i + ".csv"));
            }
            // chuv spends its refusal budget quickly: three refusals that depend on its rows lock a requester out
            PrivacyPolicy policy = h[0].equals("chuv")
                    ? PrivacyPolicy.DEFAULT.withMinRows(10).withRefusalBudget(3)
                    : PrivacyPolicy.DEFAULT.withMinRows(10);
            federation.addNode(
                    h[0],
                    null,
                    policy,
                    List.of(new LocalFederation.DataImport(data.resolve("CDEsMetadata.json"), csvs)));
        }
        federation.start("all");
        federation.awaitReady(Duration.ofSeconds(120), NODES);
        researcherToken = researcher("mallory");
        otherResearcherToken = researcher("alice");

        // B: a copy of A's data directory (what Raft will replicate), on its own ports; both list A and B
        federation.stopManager(false);
        pathsB = new ManagerPaths(dir.resolve("manager-b"));
        copyTree(federation.managerPaths().dataDir(), pathsB.dataDir());
        grpcB = freePort();
        httpB = freePort();
        FederationConfig a = FederationInit.config(federation.managerPaths());
        FederationConfig b = new FederationConfig(
                a.federationId(),
                a.advertiseAddr(),
                grpcB,
                httpB,
                a.httpHost(),
                a.createdAt(),
                a.nodeCertificateValidity());
        Files.write(pathsB.federation(), Json.pretty().writeValueAsBytes(b));
        List<ManagerRecord> both = List.of(
                new ManagerRecord("a", "127.0.0.1:" + federation.grpcPort(), "127.0.0.1:" + federation.httpPort()),
                new ManagerRecord("b", "127.0.0.1:" + grpcB, "127.0.0.1:" + httpB));
        for (ManagerPaths p : List.of(federation.managerPaths(), pathsB)) {
            StateStore.load(p.state()).update(s -> s.withManagers(both));
        }

        // uoa keeps a node.json as nodes wrote it before the managers' list existed: one manager, minRows only
        federation.stopNode("uoa", false);
        NodeConfig uoa = NodeConfig.load(federation.node("uoa").paths());
        ObjectNode old = Json.mapper()
                .createObjectNode()
                .put("nodeId", uoa.nodeId())
                .put("federationId", uoa.federationId())
                .put("role", uoa.role())
                .put("manager", uoa.manager())
                .put("minRows", 10);
        Files.write(federation.node("uoa").paths().config(), Json.pretty().writeValueAsBytes(old));

        // A first (the harness waits for it), then B and uoa side by side
        federation.startManager();
        launchB();
        federation.startNode("uoa");
        awaitB();
    }

    @AfterAll
    static void stop() {
        if (managerB != null) {
            managerB.destroy();
            try {
                managerB.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            managerB.destroyForcibly();
        }
        if (federation != null) {
            federation.close();
        }
    }

    @Test
    @Order(1)
    void nodesJoinedThroughAConnectToBFromTheListAndKeepItInNodeJson() {
        awaitReadyOn(b(), Duration.ofSeconds(90), NODES);
        awaitReadyOn(federation.admin(), Duration.ofSeconds(90), NODES);
        for (String alias : NODES) {
            NodeConfig config = NodeConfig.load(federation.node(alias).paths());
            assertThat(config.managersVersion()).as(alias).isEqualTo(1);
            assertThat(config.managers())
                    .as(alias)
                    .containsExactly(
                            new KnownManager("a", "127.0.0.1:" + federation.grpcPort()),
                            new KnownManager("b", "127.0.0.1:" + grpcB));
        }
        // the old node.json was extended with the list and nothing else changed: its minimum of rows is still there
        NodeConfig uoa = NodeConfig.load(federation.node("uoa").paths());
        assertThat(uoa.privacy().minRows()).isEqualTo(10);
        Cli.Result status = Cli.run(
                "node",
                "status",
                "--data-dir",
                federation.node("chuv").paths().dataDir().toString(),
                "--format",
                "json");
        assertThat(status.exitCode()).as(status.err()).isZero();
        JsonNode managers = parse(status.out()).path("managers");
        assertThat(managers).hasSize(2);
        for (JsonNode m : managers) {
            assertThat(m.path("state").asText()).as(m.toString()).isEqualTo("connected");
        }
        Cli.Result table = Cli.run(
                "node",
                "status",
                "--data-dir",
                federation.node("epfl").paths().dataDir().toString());
        assertThat(table.out())
                .contains("127.0.0.1:" + federation.grpcPort())
                .contains("127.0.0.1:" + grpcB)
                .contains("connected");
    }

    @Test
    @Order(2)
    void anAnalysisGivesTheSameAnswerThroughAAndBToOneInATrillion() {
        JsonNode throughA = federation.admin().post("/algorithms/linear_regression", regression(30));
        JsonNode throughB = b().post("/algorithms/linear_regression", regression(30));
        assertSameNumbers(throughA.path("coefficients"), throughB.path("coefficients"));
        reference = throughA;
        assertThat(throughA.path("n_obs").asLong())
                .isPositive()
                .isEqualTo(throughB.path("n_obs").asLong());
        JsonNode logisticA = federation.admin().post("/algorithms/logistic_regression", logistic());
        JsonNode logisticB = b().post("/algorithms/logistic_regression", logistic());
        assertSameNumbers(
                logisticA.path("summary").path("coefficients"),
                logisticB.path("summary").path("coefficients"));
    }

    @Test
    @Order(3)
    void aRefusalBudgetSpentThroughAStaysSpentThroughB() {
        AdminClient malloryOnA = new AdminClient("http://127.0.0.1:" + federation.httpPort(), researcherToken);
        AdminClient malloryOnB = new AdminClient("http://127.0.0.1:" + httpB, researcherToken);
        // three refusals on chuv's rows (a filter leaving fewer rows than its minimum), all through A
        for (double below : new double[] {1.0, 1.1, 1.2}) {
            assertThatThrownBy(() -> malloryOnA.post("/algorithms/linear_regression", filtered(below)))
                    .isInstanceOfSatisfying(
                            Problem.class,
                            p -> assertThat(p.status()).as(p.detail()).isEqualTo(400));
        }
        // through B, the same requester asks for all rows, which anyone else is given: chuv refuses, locked out
        assertThatThrownBy(() -> malloryOnB.post("/algorithms/linear_regression", edsdOnly()))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.status()).isEqualTo(400);
                    assertThat(p.detail()).contains("chuv").contains("rule refusal_budget");
                });
        assertThatThrownBy(() -> malloryOnA.post("/algorithms/linear_regression", edsdOnly()))
                .isInstanceOfSatisfying(
                        Problem.class, p -> assertThat(p.detail()).contains("rule refusal_budget"));
        JsonNode alice = new AdminClient("http://127.0.0.1:" + httpB, otherResearcherToken)
                .post("/algorithms/linear_regression", edsdOnly());
        assertThat(alice.path("n_obs").asLong()).isPositive();
    }

    @Test
    @Order(4)
    void killingAWhileClientsAnalyseThroughBFailsNothingOnB() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(4);
        List<Future<int[]>> results = new ArrayList<>();
        try {
            for (int c = 0; c < 4; c++) {
                results.add(clients.submit(() -> {
                    int ok = 0;
                    int failed = 0;
                    while (running.get()) {
                        long start = System.nanoTime();
                        try {
                            JsonNode r = b().post("/algorithms/linear_regression", regression(20));
                            assertSameNumbers(reference.path("coefficients"), r.path("coefficients"));
                            ok++;
                        } catch (Problem p) {
                            System.err.println("analysis through B failed: " + p.status() + " " + p.detail());
                            failed++;
                        }
                        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(25));
                    }
                    return new int[] {ok, failed};
                }));
            }
            Thread.sleep(2_000);
            federation.stopManager(true);
            Thread.sleep(6_000);
        } finally {
            running.set(false);
            clients.shutdown();
        }
        int ok = 0;
        int failed = 0;
        for (Future<int[]> f : results) {
            int[] r = f.get(60, TimeUnit.SECONDS);
            ok += r[0];
            failed += r[1];
        }
        System.out.printf("analyses through B while A was killed: %d answered, %d failed%n", ok, failed);
        assertThat(failed).isZero();
        assertThat(ok).isGreaterThan(4);
        for (String alias : NODES) {
            JsonNode status = nodeStatus(alias);
            assertThat(state(status, "127.0.0.1:" + grpcB)).as(alias).isEqualTo("connected");
            assertThat(state(status, "127.0.0.1:" + federation.grpcPort()))
                    .as(alias)
                    .isEqualTo("down");
        }
    }

    @Test
    @Order(5)
    void theKilledManagerRestartedWithoutBInItsListGetsTheNodesBackAndTheyForgetB() {
        // A, killed by the test before, comes back with a state that lists A alone (what `manager rm b` leaves in
        // the replicated state): the nodes reconnect to it, and follow its list
        assertThat(federation.managerProcess().isAlive()).isFalse();
        StateStore.load(federation.managerPaths().state())
                .update(s -> s.withManagers(List.of(new ManagerRecord(
                        "a", "127.0.0.1:" + federation.grpcPort(), "127.0.0.1:" + federation.httpPort()))));
        federation.startManager();
        long answering = System.nanoTime();
        awaitReadyOn(federation.admin(), Duration.ofSeconds(15), NODES);
        System.out.printf(
                "nodes ready on the restarted A %d ms after it answered%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answering));
        LocalFederation.await(Duration.ofSeconds(10), "every node to leave B", () -> {
            for (JsonNode n : b().get("/admin/nodes")) {
                if (n.path("status").asText().equals("ready")) {
                    return false;
                }
            }
            return true;
        });
        for (String alias : NODES) {
            NodeConfig config = NodeConfig.load(federation.node(alias).paths());
            assertThat(config.managersVersion()).as(alias).isEqualTo(2);
            assertThat(config.managers())
                    .as(alias)
                    .containsExactly(new KnownManager("a", "127.0.0.1:" + federation.grpcPort()));
            JsonNode managers = nodeStatus(alias).path("managers");
            assertThat(managers).as(alias).hasSize(1);
            assertThat(managers.get(0).path("state").asText()).isEqualTo("connected");
        }
        // B still runs and still lists itself (version 1): the nodes do not come back to it
        sleep(3_000);
        for (JsonNode n : b().get("/admin/nodes")) {
            assertThat(n.path("status").asText()).as(n.path("alias").asText()).isEqualTo("down");
        }
        assertSameNumbers(
                reference.path("coefficients"),
                federation
                        .admin()
                        .post("/algorithms/linear_regression", regression(30))
                        .path("coefficients"));
    }

    static AdminClient b() {
        return new AdminClient("http://127.0.0.1:" + httpB, federation.adminToken());
    }

    static void launchB() {
        managerB = LocalFederation.launch(
                dir.resolve("manager-b.log"),
                "manager",
                "start",
                "--data-dir",
                pathsB.dataDir().toString(),
                // B's raft/member.json is a copy of A's, which names A's Raft port: B listens on any free one
                "--raft-port",
                "0");
    }

    static void awaitB() {
        LocalFederation.await(Duration.ofSeconds(120), "manager B to answer", () -> {
            try {
                b().get("/healthcheck");
                return true;
            } catch (Problem p) {
                if (!managerB.isAlive()) {
                    throw new IllegalStateException("manager B exited; see " + dir.resolve("manager-b.log"));
                }
                return false;
            }
        });
    }

    static void awaitReadyOn(AdminClient manager, Duration timeout, String... aliases) {
        LocalFederation.await(timeout, "nodes " + String.join(", ", aliases) + " to be ready", () -> {
            JsonNode views = manager.get("/admin/nodes");
            for (String a : aliases) {
                boolean ready = false;
                for (JsonNode v : views) {
                    ready |= a.equals(v.path("alias").asText())
                            && v.path("status").asText().equals("ready");
                }
                if (!ready) {
                    return false;
                }
            }
            return true;
        });
    }

    static JsonNode nodeStatus(String alias) {
        Cli.Result status = Cli.run(
                "node",
                "status",
                "--data-dir",
                federation.node(alias).paths().dataDir().toString(),
                "--format",
                "json");
        assertThat(status.exitCode()).as(status.err()).isZero();
        return parse(status.out());
    }

    static JsonNode parse(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    static String state(JsonNode status, String address) {
        for (JsonNode m : status.path("managers")) {
            if (m.path("address").asText().equals(address)) {
                return m.path("state").asText();
            }
        }
        return "absent";
    }

    static void assertSameNumbers(JsonNode a, JsonNode b) {
        assertThat(a.isMissingNode()).as("a result to compare").isFalse();
        if (a.isNumber()) {
            assertThat(b.isNumber()).as("%s vs %s", a, b).isTrue();
            double x = a.asDouble();
            double y = b.asDouble();
            assertThat(Math.abs(x - y)).as("%s vs %s", x, y).isLessThanOrEqualTo(1e-12 * Math.max(1, Math.abs(x)));
            return;
        }
        if (a.isContainerNode()) {
            assertThat(b.size()).as("%s vs %s", a, b).isEqualTo(a.size());
            if (a.isArray()) {
                for (int i = 0; i < a.size(); i++) {
                    assertSameNumbers(a.get(i), b.get(i));
                }
            } else {
                a.properties().forEach(e -> assertSameNumbers(e.getValue(), b.path(e.getKey())));
            }
            return;
        }
        assertThat(b).isEqualTo(a);
    }

    static ObjectNode regression(double timeoutSeconds) {
        ObjectNode body = new AnalysisRequest(
                        "dementia:0.1",
                        DATASETS,
                        List.of("agegroup", "righthippocampus"),
                        List.of("lefthippocampus"),
                        null,
                        null,
                        null)
                .toJson();
        body.withObjectProperty("flags").put("timeout", timeoutSeconds);
        return body;
    }

    static ObjectNode logistic() {
        ObjectNode body = new AnalysisRequest(
                        "dementia:0.1",
                        DATASETS,
                        List.of("lefthippocampus", "righthippocampus"),
                        List.of("gender"),
                        null,
                        null,
                        null)
                .toJson();
        body.withObjectProperty("parameters").put("positive_class", "F");
        body.withObjectProperty("flags").put("timeout", 30);
        return body;
    }

    static ObjectNode edsdOnly() {
        return new AnalysisRequest(
                        "dementia:0.1",
                        List.of("edsd0", "edsd1", "edsd2"),
                        List.of("righthippocampus"),
                        List.of("lefthippocampus"),
                        null,
                        null,
                        null)
                .toJson();
    }

    /** chuv's rows with a left hippocampus below {@code below}: none or a few, fewer than its minimum. */
    static ObjectNode filtered(double below) {
        ObjectNode body = edsdOnly();
        ObjectNode filter = Json.mapper().createObjectNode().put("condition", "AND");
        filter.putArray("rules")
                .addObject()
                .put("id", "lefthippocampus")
                .put("field", "lefthippocampus")
                .put("type", "double")
                .put("operator", "less")
                .put("value", below);
        body.withObjectProperty("inputdata").set("filters", filter);
        return body;
    }

    /** A researcher's API token (the user is created on A before B copies A's data directory). */
    static String researcher(String name) {
        federation
                .admin()
                .post(
                        "/admin/users",
                        Json.mapper()
                                .createObjectNode()
                                .put("username", name)
                                .put("password", PASSWORD)
                                .put("role", "researcher"));
        String base = "http://127.0.0.1:" + federation.httpPort();
        HttpClient http = HttpClient.newHttpClient();
        try {
            HttpResponse<String> login = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/auth/login"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(Json.mapper()
                                    .createObjectNode()
                                    .put("username", name)
                                    .put("password", PASSWORD)
                                    .toString()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
            String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
            String csrf =
                    Json.mapper().readTree(login.body()).path("csrf_token").asText();
            HttpResponse<String> token = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/auth/tokens"))
                            .header("Content-Type", "application/json")
                            .header("Cookie", cookie.substring(0, cookie.indexOf(';')))
                            .header("X-CSRF-Token", csrf)
                            .header("Origin", base)
                            .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"two-managers\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(token.statusCode()).as(token.body()).isBetween(200, 201);
            return Json.mapper().readTree(token.body()).path("token").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else if (!f.getFileName().toString().equals("manager.lock")) {
                    Files.copy(f, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
