package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.AnalysisRequest;
import org.mipfed.manager.state.ManagerPaths;

/**
 * Chaos with real processes: nodes killed with SIGKILL in the middle of analyses, frozen with
 * SIGSTOP, the manager killed and restarted, and the manager rebuilt from a backup. After each, the
 * status follows within the promised times, every request ends within its deadline with the
 * correct result or a clear 503, and no experiment is lost or stuck.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestFailureRecovery {
    private static final List<String> DATASETS =
            List.of("edsd0", "edsd1", "edsd2", "ppmi0", "ppmi1", "ppmi2", "desd-synthdata0", "desd-synthdata1");
    private static final Duration DOWN_WITHIN = Duration.ofSeconds(5);
    private static final Duration READY_WITHIN = Duration.ofSeconds(5);

    @TempDir
    static Path dir;

    static LocalFederation federation;
    static JsonNode reference;
    static JsonNode logisticReference;

    @BeforeAll
    static void createFederation() {
        Path data = LocalFederation.extractDementiaData(dir.resolve("data"));
        federation = LocalFederation.create(dir.resolve("fed"), 0, 0);
        String[][] hospitals = {{"chuv", "edsd"}, {"epfl", "ppmi"}, {"uoa", "desd-synthdata"}};
        for (String[] h : hospitals) {
            List<Path> csvs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                csvs.add(data.resolve(h[1] + i + ".csv"));
            }
            federation.addNode(
                    h[0], null, 10, List.of(new LocalFederation.DataImport(data.resolve("CDEsMetadata.json"), csvs)));
        }
        federation.start("all");
        federation.awaitReady(Duration.ofSeconds(60), "chuv", "epfl", "uoa");
        reference = regression(30);
        logisticReference = logistic(30);
    }

    @AfterAll
    static void stop() {
        if (federation != null) {
            federation.close();
        }
    }

    /** A two-round analysis (levels, then cross-products) over all three hospitals. */
    static ObjectNode request(double timeoutSeconds) {
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

    static JsonNode regression(double timeoutSeconds) {
        return federation.admin().post("/algorithms/linear_regression", request(timeoutSeconds));
    }

    /** A multi-round analysis: Newton/IRLS, one round trip to every node per iteration. */
    static JsonNode logistic(double timeoutSeconds) {
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
        body.withObjectProperty("flags").put("timeout", timeoutSeconds);
        return federation.admin().post("/algorithms/logistic_regression", body);
    }

    static String status(String alias) {
        for (JsonNode n : federation.admin().get("/healthcheck").path("nodes")) {
            if (alias.equals(n.path("alias").asText())) {
                return n.path("status").asText();
            }
        }
        throw new AssertionError("no node " + alias);
    }

    /** Waits for a node's status and returns how long it took. */
    static Duration awaitStatus(String alias, String wanted, Duration within) {
        long start = System.nanoTime();
        LocalFederation.await(within.plusSeconds(10), alias + " to be " + wanted, () -> wanted.equals(status(alias)));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).as("%s became %s after %s", alias, wanted, took).isLessThanOrEqualTo(within);
        return took;
    }

    @Test
    @Order(1)
    void aKilledNodeIsDownWithinFiveSecondsAndReadyAgainWithinFiveAfterItsRestart() {
        federation.stopNode("epfl", true);
        awaitStatus("epfl", "down", DOWN_WITHIN);
        federation.startNode("epfl");
        // A restart costs a JVM start; the promise is about the session, which follows the process.
        awaitStatus("epfl", "ready", READY_WITHIN.plusSeconds(10));
        assertThat(regression(30).path("coefficients")).isEqualTo(reference.path("coefficients"));
    }

    @Test
    @Order(2)
    void multiRoundAnalysesSurviveNodesKilledInTheirMiddleOrFailFastWithA503() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 4; round++) {
                String victim = round % 2 == 0 ? "chuv" : "uoa";
                List<Future<Object>> results = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    results.add(clients.submit(() -> {
                        long start = System.nanoTime();
                        try {
                            return logistic(20);
                        } catch (Problem p) {
                            return p;
                        } finally {
                            assertThat(Duration.ofNanos(System.nanoTime() - start))
                                    .isLessThan(Duration.ofSeconds(25));
                        }
                    }));
                    if (i == 3) {
                        federation.stopNode(victim, true);
                    }
                    if (i == 7) {
                        federation.startNode(victim);
                    }
                }
                int ok = 0;
                for (Future<Object> f : results) {
                    Object outcome = f.get();
                    if (outcome instanceof Problem p) {
                        assertThat(p.status()).as(p.detail()).isEqualTo(503);
                        assertThat(p.detail()).contains(victim);
                    } else {
                        JsonNode result = (JsonNode) outcome;
                        assertThat(result.path("summary").path("coefficients"))
                                .isEqualTo(logisticReference.path("summary").path("coefficients"));
                        assertThat(result.path("summary").path("n_obs"))
                                .isEqualTo(logisticReference.path("summary").path("n_obs"));
                        ok++;
                    }
                }
                assertThat(ok).as("round %d: some requests succeed", round).isPositive();
                federation.awaitReady(Duration.ofSeconds(30), victim);
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(logistic(30).path("summary").path("coefficients"))
                .isEqualTo(logisticReference.path("summary").path("coefficients"));
    }

    @Test
    @Order(3)
    void aPartialResultSaysWhichDatasetsAreMissing() {
        federation.stopNode("uoa", true);
        awaitStatus("uoa", "down", DOWN_WITHIN);
        assertThatThrownBy(() -> regression(10)).isInstanceOfSatisfying(Problem.class, p -> {
            assertThat(p.status()).isEqualTo(503);
            assertThat(p.detail()).contains("desd-synthdata0").contains("uoa");
        });
        ObjectNode partial = request(10);
        partial.withObjectProperty("flags").put("allow_partial", true).put("min_nodes", 2);
        JsonNode result = federation.admin().post("/algorithms/linear_regression", partial);
        assertThat(result.path("missing_datasets").toString()).contains("desd-synthdata0", "desd-synthdata1");
        assertThat(result.path("contributing_nodes")).hasSize(2);
        partial.withObjectProperty("flags").put("min_nodes", 3);
        assertThatThrownBy(() -> federation.admin().post("/algorithms/linear_regression", partial))
                .isInstanceOfSatisfying(
                        Problem.class, p -> assertThat(p.status()).isEqualTo(503));
        federation.startNode("uoa");
        federation.awaitReady(Duration.ofSeconds(30), "uoa");
    }

    @Test
    @Order(4)
    void aFrozenNodeIsDownWithinFiveSecondsAndBackWithinFiveOfResuming() {
        federation.pauseNode("chuv");
        awaitStatus("chuv", "down", DOWN_WITHIN);
        federation.resumeNode("chuv");
        awaitStatus("chuv", "ready", READY_WITHIN);
        assertThat(regression(30).path("coefficients")).isEqualTo(reference.path("coefficients"));
    }

    @Test
    @Order(5)
    void aManagerCrashInterruptsRunningExperimentsAndNodesReturnWithinTenSeconds() {
        // A frozen node keeps an asynchronous experiment running; then the manager dies.
        federation.pauseNode("epfl");
        ObjectNode body = request(60);
        body.put("algorithm", "linear_regression");
        JsonNode submitted = federation.admin().post("/experiments", body);
        String id = submitted.path("id").asText();
        assertThat(submitted.path("status").asText()).isIn("pending", "running");
        LocalFederation.await(
                Duration.ofSeconds(10),
                "the experiment to run",
                () -> federation
                        .admin()
                        .get("/experiments/" + id)
                        .path("status")
                        .asText()
                        .equals("running"));
        federation.stopManager(true);
        federation.resumeNode("epfl");
        federation.startManager();
        long start = System.nanoTime();
        federation.awaitReady(Duration.ofSeconds(10), "chuv", "epfl", "uoa");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        JsonNode experiment = federation.admin().get("/experiments/" + id);
        assertThat(experiment.path("status").asText()).isEqualTo("interrupted");
        assertThat(experiment.path("error").path("detail").asText()).contains("manager stopped");
        for (JsonNode e : federation.admin().get("/experiments")) {
            assertThat(e.path("status").asText()).isNotIn("running", "pending");
        }
        federation.admin().delete("/experiments/" + id);
        assertThatThrownBy(() -> federation.admin().get("/experiments/" + id))
                .isInstanceOfSatisfying(
                        Problem.class, p -> assertThat(p.status()).isEqualTo(404));
        // Asynchronous experiments complete after recovery with the pooled answer.
        JsonNode again = federation.admin().post("/experiments", body);
        LocalFederation.await(
                Duration.ofSeconds(30),
                "the new experiment",
                () -> federation
                        .admin()
                        .get("/experiments/" + again.path("id").asText())
                        .path("status")
                        .asText()
                        .equals("success"));
        assertThat(federation
                        .admin()
                        .get("/experiments/" + again.path("id").asText())
                        .path("result")
                        .path("coefficients"))
                .isEqualTo(reference.path("coefficients"));
    }

    @Test
    @Order(6)
    void aManagerRestoredFromABackupKeepsItsNodesWithoutRejoining() throws Exception {
        Path passphrase = dir.resolve("passphrase");
        Files.writeString(passphrase, "correct horse battery staple", StandardCharsets.UTF_8);
        Path backup = dir.resolve("manager.backup");
        Cli.Result made = Cli.run(
                "manager",
                "backup",
                "--out",
                backup.toString(),
                "--data-dir",
                federation.managerPaths().dataDir().toString(),
                "--passphrase-file",
                passphrase.toString());
        assertThat(made.exitCode()).as(made.err()).isZero();
        assertThat(Files.readAllBytes(backup))
                .asString(StandardCharsets.ISO_8859_1)
                .doesNotContain("BEGIN")
                .doesNotContain("chuv");

        Path wrong = dir.resolve("wrong");
        Files.writeString(wrong, "not the right passphrase", StandardCharsets.UTF_8);
        Cli.Result refused = Cli.run(
                "manager",
                "restore",
                backup.toString(),
                "--data-dir",
                dir.resolve("refused").toString(),
                "--passphrase-file",
                wrong.toString());
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.err()).contains("passphrase is wrong");
        assertThat(dir.resolve("refused").resolve("federation.json")).doesNotExist();

        federation.stopManager(true);
        Path restored = dir.resolve("restored-manager");
        Cli.Result restore = Cli.run(
                "manager",
                "restore",
                backup.toString(),
                "--data-dir",
                restored.toString(),
                "--passphrase-file",
                passphrase.toString());
        assertThat(restore.exitCode()).as(restore.err()).isZero();
        federation.moveManagerTo(new ManagerPaths(restored));
        federation.startManager();
        federation.awaitReady(Duration.ofSeconds(15), "chuv", "epfl", "uoa");
        JsonNode nodes = federation.admin().get("/admin/nodes");
        assertThat(nodes)
                .hasSize(3)
                .allMatch(n -> n.path("availability").asText().equals("active"));
        assertThat(regression(30).path("coefficients")).isEqualTo(reference.path("coefficients"));
    }
}
