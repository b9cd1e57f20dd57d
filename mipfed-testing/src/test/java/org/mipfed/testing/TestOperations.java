package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.security.KeyPairs;
import org.mipfed.core.security.Pem;
import org.mipfed.core.security.Role;
import org.mipfed.manager.ca.FederationCa;
import org.mipfed.node.NodePaths;
import org.mipfed.node.store.DataStores;
import org.mipfed.node.tls.Csr;

/**
 * Operating a federation as hospital IT does: the real Prometheus (Debian's) scrapes the manager (with the token of a
 * {@code metrics} account) and every node of a three-node federation ({@code --metrics-addr}); analyses, and one a node
 * refuses, show up through Prometheus' HTTP API as latency per algorithm, the refusal under its rule and the nodes by
 * status; the shipped alert rules pass {@code promtool check rules} and load into Prometheus. Then {@code mipfed
 * doctor}: all OK on a healthy node, and FAIL with the fix (exit code 1) for a wrong manager address, an expired
 * certificate and an unreadable store.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestOperations {
    static final List<String> NODES = List.of("chuv", "epfl", "uoa");
    static final Path RULES = Path.of("..", "ops", "prometheus", "mipfed-alerts.yml")
            .toAbsolutePath()
            .normalize();
    /** Every label a mipfed_ series may carry: names from a fixed vocabulary or chosen by an operator. */
    static final Set<String> ALLOWED_LABELS = Set.of(
            "__name__",
            "instance",
            "job",
            "node",
            "algorithm",
            "outcome",
            "status",
            "availability",
            "primitive",
            "rule",
            "certificate",
            "kind",
            "le");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    static LocalFederation federation;
    static Process prometheus;
    static int prometheusPort;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void createFederationAndPrometheus() throws IOException {
        Path data = LocalFederation.extractDementiaData(dir.resolve("data"));
        federation = LocalFederation.create(dir.resolve("fed"), 0, 0);
        federation.serveNodeMetrics();
        federation.addNode(
                "chuv",
                null,
                10,
                List.of(new LocalFederation.DataImport(
                        data.resolve("CDEsMetadata.json"), List.of(data.resolve("edsd0.csv")))));
        federation.addNode(
                "epfl",
                null,
                10,
                List.of(new LocalFederation.DataImport(
                        data.resolve("CDEsMetadata.json"), List.of(data.resolve("ppmi0.csv")))));
        // uoa asks for more rows than its dataset has: it refuses every aggregate of it (rule min_rows)
        federation.addNode(
                "uoa",
                null,
                100_000,
                List.of(new LocalFederation.DataImport(
                        data.resolve("CDEsMetadata.json"), List.of(data.resolve("desd-synthdata0.csv")))));
        federation.start("all");
        federation.awaitReady(Duration.ofSeconds(120), NODES.toArray(String[]::new));

        // Prometheus' account on the manager: a user of role metrics and its API token
        String password = "prometheus-" + Long.toHexString(System.nanoTime()) + "-Secret";
        ObjectNode user = Json.mapper()
                .createObjectNode()
                .put("username", "prometheus")
                .put("password", password)
                .put("role", "metrics");
        federation.admin().post("/admin/users", user);
        Files.writeString(dir.resolve("manager.token"), tokenOf("prometheus", password));

        StringBuilder config = new StringBuilder();
        config.append("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n")
                .append("rule_files:\n  - ")
                .append(RULES)
                .append('\n')
                .append("scrape_configs:\n")
                .append("  - job_name: mipfed-manager\n")
                .append("    authorization:\n      type: Bearer\n      credentials_file: ")
                .append(dir.resolve("manager.token"))
                .append('\n')
                .append("    static_configs:\n      - targets: ['127.0.0.1:")
                .append(federation.httpPort())
                .append("']\n")
                .append("  - job_name: mipfed-node\n    static_configs:\n");
        for (String node : NODES) {
            config.append("      - targets: ['127.0.0.1:")
                    .append(federation.node(node).metricsPort())
                    .append("']\n")
                    .append("        labels: {node: ")
                    .append(node)
                    .append("}\n");
        }
        Files.writeString(dir.resolve("prometheus.yml"), config.toString());
        prometheusPort = LocalFederation.freeLoopbackPort();
        prometheus = new ProcessBuilder(
                        "/usr/bin/prometheus",
                        "--config.file=" + dir.resolve("prometheus.yml"),
                        "--storage.tsdb.path=" + dir.resolve("prometheus-data"),
                        "--web.listen-address=127.0.0.1:" + prometheusPort,
                        "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
        if (federation != null) {
            federation.close();
        }
    }

    @Test
    @Order(1)
    void prometheusReadsLatencyPerAlgorithmRefusalsByRuleAndNodesByStatus() {
        JsonNode regression = federation
                .admin()
                .post(
                        "/algorithms/linear_regression",
                        TestFederationWorkflow.request(
                                List.of("lefthippocampus"),
                                List.of("righthippocampus", "gender"),
                                List.of("edsd0", "ppmi0")));
        assertThat(regression.path("contributing_nodes")).hasSize(2);
        federation
                .admin()
                .post(
                        "/algorithms/descriptive_stats",
                        TestFederationWorkflow.request(
                                List.of("lefthippocampus"), List.of(), List.of("edsd0", "ppmi0")));
        assertThatThrownBy(() -> federation
                        .admin()
                        .post(
                                "/algorithms/linear_regression",
                                TestFederationWorkflow.request(
                                        List.of("lefthippocampus"),
                                        List.of("righthippocampus"),
                                        List.of("desd-synthdata0"))))
                .isInstanceOfSatisfying(
                        Problem.class, p -> assertThat(p.status()).isEqualTo(400));

        LocalFederation.await(Duration.ofSeconds(90), "Prometheus to have scraped the analyses", () -> {
            JsonNode refused = query("sum(mipfed_node_refusals_total{job=\"mipfed-node\",rule=\"min_rows\"})");
            JsonNode success =
                    query("sum by (algorithm) (mipfed_analysis_duration_seconds_count{outcome=\"success\"})");
            // each target is scraped on its own schedule: wait for the nodes that answered too, not only the
            // node that refused and the manager
            JsonNode answered =
                    query("sum by (node) (mipfed_node_primitive_duration_seconds_count{outcome=\"answered\"})");
            return refused.size() == 1 && success.size() == 2 && answered.size() == 2;
        });
        // latency per algorithm: a histogram with buckets, one analysis of each that succeeded
        assertThat(values(
                        query("sum by (algorithm) (mipfed_analysis_duration_seconds_count{outcome=\"success\"})"),
                        "algorithm"))
                .containsExactly("descriptive_stats=1", "linear_regression=1");
        assertThat(values(
                        query("sum by (algorithm) (mipfed_analysis_duration_seconds_count{outcome=\"refused\"})"),
                        "algorithm"))
                .containsExactly("linear_regression=1");
        assertThat(query("histogram_quantile(0.5, sum by (le) (mipfed_analysis_duration_seconds_bucket))"))
                .isNotEmpty();
        assertThat(values(query("sum by (algorithm) (mipfed_analysis_rounds_count)"), "algorithm"))
                .containsExactly("descriptive_stats=1", "linear_regression=2");
        // the refusal counted under its rule, on the node that refused
        assertThat(values(query("sum by (node, rule) (mipfed_node_refusals_total)"), "node"))
                .containsExactly("uoa=1");
        assertThat(values(query("sum by (rule) (mipfed_node_refusals_total)"), "rule"))
                .containsExactly("min_rows=1");
        assertThat(values(
                        query("sum by (node) (mipfed_node_primitive_duration_seconds_count{outcome=\"answered\"})"),
                        "node"))
                .hasSize(2)
                .allSatisfy(v -> assertThat(Double.parseDouble(v.substring(v.indexOf('=') + 1)))
                        .isPositive());
        // the nodes by status, as the manager sees them, and each node's own session gauge
        assertThat(values(query("mipfed_nodes"), "status")).containsExactly("ready=3");
        assertThat(values(query("mipfed_node_up"), "node")).containsExactly("chuv=1", "epfl=1", "uoa=1");
        assertThat(values(query("mipfed_node_session_connected"), "node")).containsExactly("chuv=1", "epfl=1", "uoa=1");
        assertThat(values(query("mipfed_certificate_expiry_seconds{job=\"mipfed-node\"} > 86400"), "node"))
                .hasSize(3);
        assertThat(query("mipfed_audit_append_seconds_count{job=\"mipfed-node\",node=\"uoa\"} > 0"))
                .hasSize(1);
        assertThat(query("up{job=~\"mipfed-.*\"} == 1")).hasSize(4);
        assertThat(query("jvm_memory_used_bytes{job=\"mipfed-manager\",area=\"heap\"}"))
                .isNotEmpty();

        // no mipfed_ series carries a label outside the fixed vocabulary
        Set<String> labels = new TreeSet<>();
        query("{__name__=~\"mipfed_.*\"}")
                .forEach(s -> s.path("metric").fieldNames().forEachRemaining(labels::add));
        assertThat(ALLOWED_LABELS).containsAll(labels);

        // the shipped rules load into the real Prometheus
        JsonNode groups = get("/api/v1/rules").path("data").path("groups");
        assertThat(groups).hasSize(1);
        assertThat(groups.get(0).path("rules"))
                .hasSize(8)
                .allSatisfy(r -> assertThat(r.path("health").asText()).isNotEqualTo("err"));
    }

    @Test
    @Order(2)
    void theShippedAlertRulesPassPromtool() throws Exception {
        Process promtool = new ProcessBuilder("/usr/bin/promtool", "check", "rules", RULES.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor()).as(out).isZero();
        assertThat(out).contains("SUCCESS: 8 rules found");
    }

    @Test
    @Order(3)
    void probesAnswerWithoutCredentialsAndMetricsNeedTheMetricsRole() throws Exception {
        String manager = "http://127.0.0.1:" + federation.httpPort();
        assertThat(raw(manager + "/healthz", null)).isEqualTo("200 ok\n");
        assertThat(raw(manager + "/readyz", null)).isEqualTo("200 ready\n");
        for (String node : NODES) {
            String base = "http://127.0.0.1:" + federation.node(node).metricsPort();
            assertThat(raw(base + "/healthz", null)).isEqualTo("200 ok\n");
            assertThat(raw(base + "/readyz", null)).isEqualTo("200 ready\n");
        }
        String token = Files.readString(dir.resolve("manager.token"));
        assertThat(raw(manager + "/metrics", null)).startsWith("401");
        assertThat(raw(manager + "/metrics", token)).startsWith("200").contains("mipfed_nodes{");
        // the metrics account reads nothing else: no data, no administration
        assertThat(raw(manager + "/algorithms", token)).startsWith("403").contains("GET /metrics only");
        assertThat(raw(manager + "/admin/nodes", token)).startsWith("403");
        assertThat(raw(manager + "/metrics", federation.adminToken())).startsWith("200");
    }

    @Test
    @Order(4)
    void doctorOnAHealthyNodeIsAllOk() {
        Cli.Result doctor = Cli.run("doctor", "--data-dir", dataDir("chuv").toString());
        assertThat(doctor.exitCode()).as(doctor.out() + doctor.err()).isZero();
        List<String> lines = doctor.out().lines().toList();
        assertThat(lines.get(lines.size() - 1)).matches("All \\d+ checks pass\\.");
        assertThat(lines.subList(0, lines.size() - 1))
                .allSatisfy(l -> assertThat(l).startsWith("OK   "));
        assertThat(doctor.out())
                .contains("OK   manager address: 127.0.0.1 resolves to 127.0.0.1")
                .contains("OK   manager port: 127.0.0.1:" + federation.grpcPort() + " answers")
                .contains("OK   TLS and pinned CA: TLS 1.3 with")
                .contains("OK   node certificate: valid until")
                .contains("OK   clock: the manager's clock is")
                .contains("OK   store: opens and holds dementia:0.1 (edsd0)")
                .contains("OK   disk space:")
                .contains("OK   privacy policy:")
                .contains("OK   audit log:");
        Cli.Result manager = Cli.run(
                "doctor", "--data-dir", federation.managerPaths().dataDir().toString());
        assertThat(manager.exitCode()).as(manager.out() + manager.err()).isZero();
        assertThat(manager.out())
                .contains("OK   state:")
                .contains("OK   node port:")
                .contains("OK   audit log:");
    }

    @Test
    @Order(5)
    void doctorNamesAWrongManagerAddressAndItsFix() throws IOException {
        NodePaths epfl = new NodePaths(dataDir("epfl"));
        Path saved = dir.resolve("epfl-node.json");
        Files.copy(epfl.config(), saved, StandardCopyOption.REPLACE_EXISTING);
        try {
            ObjectNode config =
                    (ObjectNode) Json.mapper().readTree(epfl.config().toFile());
            config.put("manager", "mipfed-manager.invalid:2377");
            Files.writeString(epfl.config(), config.toString());
            Cli.Result doctor = Cli.run("doctor", "--data-dir", epfl.dataDir().toString());
            assertThat(doctor.exitCode()).isEqualTo(1);
            assertThat(line(doctor, "manager address"))
                    .startsWith("FAIL manager address: mipfed-manager.invalid does not resolve")
                    .contains("Fix: check the name mipfed-manager.invalid (DNS, /etc/hosts)")
                    .contains("mipfed node join");
            assertThat(line(doctor, "manager port")).startsWith("FAIL manager port: not tried");
            assertThat(doctor.out()).endsWith("checks FAIL.\n");
        } finally {
            Files.copy(saved, epfl.config(), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    @Order(6)
    void doctorNamesAnExpiredCertificateAndItsFix() throws Exception {
        federation.stopNode("uoa", false);
        federation.node("uoa").process().waitFor(30, TimeUnit.SECONDS);
        NodePaths uoa = new NodePaths(dataDir("uoa"));
        Path key = dir.resolve("uoa-node.key");
        Path certificate = dir.resolve("uoa-node.crt");
        Files.copy(uoa.key(), key, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(uoa.certificate(), certificate, StandardCopyOption.REPLACE_EXISTING);
        try {
            // a certificate from the federation's own CA that lived one second
            KeyPair keys = KeyPairs.generate();
            var ca = FederationCa.load(federation.managerPaths(), "127.0.0.1").joinCa();
            var expired = ca.signNodeCsr(
                    Csr.create(keys, "uoa"), federation.node("uoa").nodeId(), Role.WORKER, Duration.ofSeconds(1));
            Thread.sleep(1500);
            Pem.writePrivateKey(uoa.key(), keys.getPrivate());
            Pem.writeCertificate(uoa.certificate(), expired);

            Cli.Result doctor = Cli.run("doctor", "--data-dir", uoa.dataDir().toString());
            assertThat(doctor.exitCode()).isEqualTo(1);
            assertThat(line(doctor, "node certificate"))
                    .startsWith("FAIL node certificate: expired at "
                            + expired.getNotAfter().toInstant())
                    .contains("Fix: ")
                    .contains("join again with a new token (mipfed node join)");
            assertThat(line(doctor, "node process")).startsWith("FAIL node process: no node runs on");
        } finally {
            Files.copy(key, uoa.key(), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(certificate, uoa.certificate(), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    @Order(7)
    void doctorNamesAnUnreadableStoreAndItsFix() throws IOException {
        NodePaths uoa = new NodePaths(dataDir("uoa"));
        Path store = uoa.dataDir().resolve(DataStores.DUCKDB_FILE);
        Path saved = dir.resolve("uoa-store.duckdb");
        Files.move(store, saved, StandardCopyOption.REPLACE_EXISTING);
        try {
            // not a database at all: what a truncated copy or another program's file looks like to the node
            Files.writeString(store, "this is not a DuckDB database\n".repeat(200));
            Cli.Result doctor = Cli.run("doctor", "--data-dir", uoa.dataDir().toString());
            assertThat(doctor.exitCode()).isEqualTo(1);
            assertThat(line(doctor, "store"))
                    .startsWith("FAIL store: cannot open " + store)
                    .contains("Fix: the DuckDB file must be readable and writable by the node's user (mipfed)")
                    .contains("restore it from a backup");
            assertThat(line(doctor, "audit log")).startsWith("OK   audit log:");
        } finally {
            Files.move(saved, store, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static Path dataDir(String node) {
        return federation.node(node).paths().dataDir();
    }

    private static String line(Cli.Result result, String check) {
        return result.out()
                .lines()
                .filter(l -> l.startsWith("OK   " + check + ":") || l.startsWith("FAIL " + check + ":"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no line for " + check + " in:\n" + result.out()));
    }

    /** Signs in as {@code user} and creates an API token (POST /auth/tokens), as the account's owner would. */
    private static String tokenOf(String user, String password) {
        HttpClient browser =
                HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        String base = "http://127.0.0.1:" + federation.httpPort();
        ObjectNode login =
                Json.mapper().createObjectNode().put("username", user).put("password", password);
        JsonNode session = send(
                browser,
                HttpRequest.newBuilder(URI.create(base + "/auth/login"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(login.toString()))
                        .build());
        JsonNode token = send(
                browser,
                HttpRequest.newBuilder(URI.create(base + "/auth/tokens"))
                        .header("Content-Type", "application/json")
                        .header("X-CSRF-Token", session.path("csrf_token").asText())
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"prometheus\"}"))
                        .build());
        return token.path("token").asText();
    }

    private static JsonNode send(HttpClient client, HttpRequest request) {
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
            return Json.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** "status code" + " " + body. */
    private static String raw(String url, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    private static JsonNode get(String path) {
        return send(
                http,
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort + path))
                        .build());
    }

    /** The vector a PromQL query returns now, or an empty one while Prometheus is starting. */
    private static JsonNode query(String promql) {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort + "/api/v1/query?query="
                                    + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return Json.mapper().createArrayNode();
            }
            return Json.mapper().readTree(response.body()).path("data").path("result");
        } catch (IOException e) {
            if (!prometheus.isAlive()) {
                throw new IllegalStateException("Prometheus exited; see " + dir.resolve("prometheus.log"), e);
            }
            return Json.mapper().createArrayNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Each series as "label=value" (the value as a plain number), sorted. */
    private static List<String> values(JsonNode vector, String label) {
        List<String> out = new ArrayList<>();
        for (JsonNode series : vector) {
            double value = Double.parseDouble(series.path("value").get(1).asText());
            String number = value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
            out.add(series.path("metric").path(label).asText() + "=" + number);
        }
        out.sort(null);
        return out;
    }
}
