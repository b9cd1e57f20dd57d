package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.mipfed.node.privacy.PrivacyPolicy;

/**
 * A researcher with a valid account (an API token, not an admin) tries to read one patient's
 * hippocampus volume through refusals, as issue 13 describes: a filter singles the patient out with
 * integer and nominal equalities (what the default filter policy still allows) and makes the
 * refusal depend on a threshold on the volume — "everyone but P, or P if x ≤ t" selects all rows
 * (answered) when x ≤ t and all rows but P (refused by the differencing rule) when x &gt; t — then
 * bisects t. Through three algorithms, against a real federation (manager and node processes over
 * mTLS) whose nodes keep the default privacy policy.
 *
 * <p>Node chuv holds edsd with the default policy: each attack is stopped by the refusal budget
 * before it reads the value to within 1%, the lockout names rule {@code refusal_budget}, and the
 * alert reaches the manager's audit trail, {@code GET /admin/alerts} and the metric. Node epfl holds
 * ppmi with the budget off: the same attack there measures what the budget prevents.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestResearcherRefusalAttacks {
    private static final String MODEL = "dementia:0.1";
    private static final String TARGET = "lefthippocampus";
    /** Integer and nominal variables the attacker may single a patient out with. */
    private static final List<String> IDENTIFYING =
            List.of("subjectageyears", "gender", "minimentalstate", "agegroup", "alzheimerbroadcategory");

    private static final String PASSWORD = "refusals-are-bits-42";

    @TempDir
    static Path dir;

    static LocalFederation federation;
    static Path data;

    @BeforeAll
    static void startFederation() throws IOException {
        data = LocalFederation.extractDementiaData(dir.resolve("data"));
        federation = LocalFederation.create(dir.resolve("fed"), 0, 0);
        federation.addNode(
                "chuv",
                null,
                PrivacyPolicy.DEFAULT,
                List.of(new LocalFederation.DataImport(data.resolve("CDEsMetadata.json"), csvs("edsd"))));
        federation.addNode(
                "epfl",
                null,
                PrivacyPolicy.DEFAULT.withRefusalBudget(0),
                List.of(new LocalFederation.DataImport(data.resolve("CDEsMetadata.json"), csvs("ppmi"))));
        federation.start("all");
        federation.awaitReady(Duration.ofSeconds(180), "chuv", "epfl");
    }

    @AfterAll
    static void stop() {
        if (federation != null) {
            federation.close();
        }
    }

    @Test
    @Order(1)
    void withoutTheBudgetTheBisectionReadsTheValueToOnePercent() {
        researcher("bob")
                .post("/algorithms/descriptive_stats", request(datasets("ppmi"), List.of(TARGET), List.of(), null));
        Attack attack = new Attack(researcher("measurer"), "ppmi", "descriptive_stats");
        Outcome outcome = attack.run(60);
        System.out.printf("bisection without a budget: %s%n", outcome);
        assertThat(outcome.stoppedBy()).isNull();
        assertThat(outcome.withinOnePercent()).as(outcome.toString()).isTrue();
        // Every step costs the attacker one unit of the budget (a refusal, or the same rows through another filter).
        assertThat(outcome.requests()).isGreaterThan(PrivacyPolicy.DEFAULT_REFUSAL_BUDGET + 1);
    }

    @Test
    @Order(2)
    void theBudgetStopsBisectionThroughThreeAlgorithmsBeforeOnePercentAndAlertsTheManager() {
        double alertsBefore = alertCount();
        // As on any node in use, someone analysed all rows of the datasets before (here an honest researcher).
        AdminClient alice = researcher("alice");
        alice.post("/algorithms/descriptive_stats", request(datasets("edsd"), List.of(TARGET), List.of(), null));
        List<Outcome> outcomes = new ArrayList<>();
        Map<String, AdminClient> attackers = new LinkedHashMap<>();
        for (String algorithm : List.of("descriptive_stats", "linear_regression", "ttest_onesample")) {
            AdminClient mallory = researcher("mallory-" + algorithm.replace('_', '-'));
            attackers.put(algorithm, mallory);
            Outcome outcome = new Attack(mallory, "edsd", algorithm).run(60);
            System.out.printf("bisection with the default budget through %s: %s%n", algorithm, outcome);
            outcomes.add(outcome);
            assertThat(outcome.stoppedBy()).as(outcome.toString()).isEqualTo("refusal_budget");
            assertThat(outcome.withinOnePercent()).as(outcome.toString()).isFalse();
            assertThat(outcome.lockout()).contains("until").contains("rule refusal_budget");
        }
        // Locked out of the dataset, not of one algorithm: another analysis is refused too, before any row is read.
        AdminClient first = attackers.get("descriptive_stats");
        assertThatThrownBy(() -> first.post(
                        "/algorithms/linear_regression",
                        request(datasets("edsd"), List.of(TARGET), List.of("leftamygdala"), null)))
                .isInstanceOfSatisfying(
                        Problem.class, p -> assertThat(p.detail()).contains("rule refusal_budget"));
        // Per requester: an honest researcher on the same data is answered.
        JsonNode honest = alice.post(
                "/algorithms/descriptive_stats", request(datasets("edsd"), List.of(TARGET), List.of(), null));
        assertThat(honest.isObject()).isTrue();

        // The alert: the manager's audit trail, GET /admin/alerts and the metric, naming each attacker.
        LocalFederation.await(
                Duration.ofSeconds(20),
                "the alerts at the manager",
                () -> federation.admin().get("/admin/alerts").size() >= 3);
        JsonNode alerts = federation.admin().get("/admin/alerts");
        List<String> named = new ArrayList<>();
        alerts.forEach(a -> named.add(a.path("requester").asText()));
        assertThat(named)
                .contains("mallory-descriptive-stats", "mallory-linear-regression", "mallory-ttest-onesample")
                .doesNotContain("alice");
        JsonNode alert = alerts.get(0);
        assertThat(alert.path("node").asText()).isEqualTo("chuv");
        assertThat(alert.path("dataset").asText()).startsWith("edsd");
        assertThat(alert.path("refusals_by_rule").size()).isPositive();
        assertThat(alert.path("locked_until").asText()).isNotEmpty();
        ArrayNode audit = (ArrayNode) federation.admin().get("/admin/audit?limit=1000");
        List<JsonNode> audited = new ArrayList<>();
        audit.forEach(line -> {
            if (line.path("action").asText().equals("privacy.alert")) {
                audited.add(line);
            }
        });
        assertThat(audited).isNotEmpty();
        assertThat(audited.get(0).path("user").asText()).isEqualTo("node:chuv");
        assertThat(alertCount() - alertsBefore).isGreaterThanOrEqualTo(3);
        // And on the node: an audit line naming the requester and the lockout.
        assertThat(nodeAudit("chuv")).anySatisfy(line -> {
            assertThat(line.path("event").asText()).isEqualTo("privacy_alert");
            assertThat(line.path("requester").asText()).startsWith("mallory-");
        });

        // The node's operator may lift a lockout (a researcher who convinced them it was honest): audited on the node.
        Cli.Result unlocked = Cli.run(
                "node",
                "unlock",
                "--data-dir",
                federation.node("chuv").paths().dataDir().toString(),
                "--requester",
                "mallory-descriptive-stats");
        assertThat(unlocked.exitCode()).as(unlocked.err()).isZero();
        assertThat(first.post(
                                "/algorithms/descriptive_stats",
                                request(datasets("edsd"), List.of(TARGET), List.of(), null))
                        .isObject())
                .isTrue();
        assertThat(nodeAudit("chuv"))
                .anySatisfy(line -> assertThat(line.path("event").asText()).isEqualTo("privacy_unlock"));
    }

    /** One bisection of one patient's value through one algorithm, as one researcher. */
    private static final class Attack {
        private final AdminClient client;
        private final String prefix;
        private final String algorithm;

        Attack(AdminClient client, String prefix, String algorithm) {
            this.client = client;
            this.prefix = prefix;
            this.algorithm = algorithm;
        }

        Outcome run(int maxSteps) {
            List<Map<String, String>> rows = rows(prefix);
            Patient patient = patient(rows);
            // The attacker's prior: the range descriptive_stats releases (min and max over the datasets).
            double lo = rows.stream()
                    .filter(r -> !r.get(TARGET).isEmpty())
                    .mapToDouble(r -> Double.parseDouble(r.get(TARGET)))
                    .min()
                    .orElseThrow();
            double hi = rows.stream()
                    .filter(r -> !r.get(TARGET).isEmpty())
                    .mapToDouble(r -> Double.parseDouble(r.get(TARGET)))
                    .max()
                    .orElseThrow();
            int requests = 0;
            int refusals = 0;
            String stoppedBy = null;
            String lockout = "";
            for (int step = 0; step < maxSteps && (hi - lo) / 2 > 0.01 * Math.abs(patient.value()); step++) {
                double t = (lo + hi) / 2;
                requests++;
                try {
                    client.post(
                            "/algorithms/" + algorithm,
                            request(
                                    datasets(prefix),
                                    List.of(TARGET),
                                    algorithm.equals("linear_regression") ? List.of("leftamygdala") : List.of(),
                                    probe(patient, t)));
                    hi = t; // all rows answered: P's value is at most t
                } catch (Problem p) {
                    if (p.detail().contains("rule refusal_budget")) {
                        stoppedBy = "refusal_budget";
                        lockout = p.detail();
                        break;
                    }
                    assertThat(p.detail()).as("a refusal of the selection").contains("(differencing)");
                    refusals++;
                    lo = t; // all rows but P refused: P's value is above t
                }
            }
            return new Outcome(algorithm, patient.value(), lo, hi, requests, refusals, stoppedBy, lockout);
        }
    }

    /**
     * How an attack ended: the interval the attacker knows the value in, what it cost, and what stopped it.
     * Within 1% means the attacker can name the value to 1%: half the interval is at most 1% of it.
     */
    record Outcome(
            String algorithm,
            double value,
            double lo,
            double hi,
            int requests,
            int refusals,
            String stoppedBy,
            String lockout) {
        boolean withinOnePercent() {
            return (hi - lo) / 2 <= 0.01 * Math.abs(value) && value >= lo && value <= hi;
        }

        @Override
        public String toString() {
            return String.format(
                    "%s: value %.4f in [%.4f, %.4f] (±%.2f%%) after %d requests, %d refusals, stopped by %s",
                    algorithm, value, lo, hi, 100 * (hi - lo) / 2 / Math.abs(value), requests, refusals, stoppedBy);
        }
    }

    /**
     * A patient singled out by equalities on integer and nominal variables (unique among the rows), the value read,
     * and the variables of those that some rows lack (their rows need an is_null in the probe to stay selected).
     */
    record Patient(Map<String, String> conditions, List<String> nullable, double value) {}

    static Patient patient(List<Map<String, String>> rows) {
        for (Map<String, String> row : rows) {
            if (row.get(TARGET).isEmpty()) {
                continue;
            }
            Map<String, String> conditions = new LinkedHashMap<>();
            for (String variable : IDENTIFYING) {
                if (row.get(variable) == null || row.get(variable).isEmpty()) {
                    continue;
                }
                conditions.put(variable, row.get(variable));
                long same = rows.stream()
                        .filter(r -> conditions.entrySet().stream()
                                .allMatch(c -> c.getValue().equals(r.get(c.getKey()))))
                        .count();
                List<String> nullable = conditions.keySet().stream()
                        .filter(v -> rows.stream().anyMatch(r -> r.get(v).isEmpty()))
                        .toList();
                if (same == 1 && conditions.size() + nullable.size() + 1 <= PrivacyPolicy.DEFAULT_MAX_FILTER_RULES) {
                    return new Patient(conditions, nullable, Double.parseDouble(row.get(TARGET)));
                }
            }
        }
        throw new AssertionError("no patient can be singled out by " + IDENTIFYING);
    }

    /** "Everyone but P, or P if x ≤ t": (a ≠ a_P OR a IS NULL OR b ≠ b_P OR … OR x ≤ t). */
    static ObjectNode probe(Patient patient, double t) {
        ObjectNode filter = Json.mapper().createObjectNode().put("condition", "OR");
        ArrayNode rules = filter.putArray("rules");
        patient.conditions().forEach((variable, value) -> {
            ObjectNode rule =
                    rules.addObject().put("id", variable).put("field", variable).put("operator", "not_equal");
            if (variable.equals("subjectageyears") || variable.equals("minimentalstate")) {
                rule.put("value", Long.parseLong(value.contains(".") ? value.substring(0, value.indexOf('.')) : value));
            } else {
                rule.put("value", value);
            }
            if (patient.nullable().contains(variable)) {
                rules.addObject().put("id", variable).put("field", variable).put("operator", "is_null");
            }
        });
        rules.addObject()
                .put("id", TARGET)
                .put("field", TARGET)
                .put("operator", "less_or_equal")
                .put("value", t);
        return filter;
    }

    static ObjectNode request(List<String> datasets, List<String> y, List<String> x, JsonNode filters) {
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode input = body.putObject("inputdata");
        input.put("data_model", MODEL);
        datasets.forEach(input.putArray("datasets")::add);
        y.forEach(input.putArray("y")::add);
        if (!x.isEmpty()) {
            x.forEach(input.putArray("x")::add);
        }
        if (filters != null) {
            input.set("filters", filters);
        }
        body.putObject("parameters");
        return body;
    }

    static List<String> datasets(String prefix) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    static List<Path> csvs(String prefix) {
        return datasets(prefix).stream().map(d -> data.resolve(d + ".csv")).toList();
    }

    /** The rows the node imported, from its CSV files: the truth the attacker is after. */
    static List<Map<String, String>> rows(String prefix) {
        List<Map<String, String>> rows = new ArrayList<>();
        for (Path csv : csvs(prefix)) {
            try {
                List<String> lines = Files.readAllLines(csv);
                String[] header = lines.get(0).split(",", -1);
                for (String line : lines.subList(1, lines.size())) {
                    if (line.isBlank()) {
                        continue;
                    }
                    String[] cells = line.split(",", -1);
                    Map<String, String> row = new LinkedHashMap<>();
                    for (int i = 0; i < header.length; i++) {
                        row.put(header[i], i < cells.length ? cells[i] : "");
                    }
                    rows.add(row);
                }
            } catch (IOException e) {
                throw new AssertionError("cannot read " + csv, e);
            }
        }
        return rows;
    }

    /** A researcher account (not an admin) and an API token of its own, as a client. */
    static AdminClient researcher(String name) {
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
                            .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"attack\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(token.statusCode()).as(token.body()).isBetween(200, 201);
            return new AdminClient(
                    base, Json.mapper().readTree(token.body()).path("token").asText());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static double alertCount() {
        String metrics;
        try {
            HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + federation.httpPort() + "/metrics"))
                                    .header("Authorization", "Bearer " + federation.adminToken())
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            metrics = response.body();
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return metrics.lines()
                .filter(l -> l.startsWith("mipfed_alerts_total{") && l.contains("kind=\"refusal_budget\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    static List<JsonNode> nodeAudit(String alias) {
        try {
            List<JsonNode> lines = new ArrayList<>();
            for (String line : Files.readAllLines(federation.node(alias).paths().auditLog())) {
                if (!line.isBlank()) {
                    lines.add(Json.mapper().readTree(line));
                }
            }
            return lines;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
