package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
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
import org.mipfed.node.audit.TrackerDetection;
import org.mipfed.node.privacy.PrivacyPolicy;

/**
 * Issue 13's subtraction attacks, run as a researcher with an ordinary account (an API token, not the admin's) against a
 * real manager and node process holding the node's DEFAULT privacy policy. Each dataset is built for one attack: a
 * patient P (row 0) whose value the attacker wants, and rows around P shaped so that the difference of two figures is P.
 * Each test computes what the attacker would compute and shows it does not give P's value (or is refused), except the
 * tracker, which works on exact answers and is shown to be detected instead.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestResearcherSubtractionAttacks {
    private static final String MODEL = "dementia:0.1";
    private static final int ROWS = 60;
    /** P's values, which the attacker does not know. */
    private static final double P_LEFT_HIPPOCAMPUS = 3.1415;

    @TempDir
    static Path dir;

    static LocalFederation federation;
    static AdminClient researcher;

    @BeforeAll
    static void createFederation() throws Exception {
        Path data = LocalFederation.extractDementiaData(dir.resolve("data"));
        List<Path> csvs = new ArrayList<>();
        for (int d = 1; d <= 7; d++) {
            csvs.add(write(dir.resolve("attack-edsd" + d + ".csv"), "edsd" + d));
        }
        federation = LocalFederation.create(dir.resolve("fed"), 0, 0);
        federation.addNode(
                "hospital",
                null,
                PrivacyPolicy.DEFAULT,
                List.of(new LocalFederation.DataImport(data.resolve("CDEsMetadata.json"), csvs)));
        Cli.Result start = Cli.run(
                "start",
                "hospital",
                "--data-dir",
                federation.managerPaths().dataDir().toString());
        assertThat(start.exitCode()).as(start.err()).isZero();
        federation.awaitReady(Duration.ofSeconds(180), "hospital");
        researcher = researcherClient("mallory", "correct horse battery staple");
    }

    @AfterAll
    static void stop() {
        if (federation != null) {
            federation.close();
        }
    }

    /** (1) Per-variable against complete-row figures of one descriptive_stats: P alone lacks righthippocampus. */
    @Test
    @Order(1)
    void perVariableAgainstCompleteRowFiguresGiveNoValueBack() {
        JsonNode result = researcher.post(
                "/algorithms/descriptive_stats",
                request("edsd1", List.of("lefthippocampus", "righthippocampus", "gender"), List.of(), null, null));
        JsonNode variable = data(result, "variable_based", "lefthippocampus", "edsd1");
        JsonNode model = data(result, "model_based", "lefthippocampus", "edsd1");
        assertThat(variable.path("num_dtps").asLong()).isEqualTo(ROWS);
        // The attacker's arithmetic needs both; the node must not release both.
        if (!variable.isNull() && !model.isNull()) {
            double recovered = variable.path("num_dtps").asLong()
                            * variable.path("mean").asDouble()
                    - model.path("num_dtps").asLong() * model.path("mean").asDouble();
            assertThat(Math.abs(recovered - P_LEFT_HIPPOCAMPUS))
                    .as("P's lefthippocampus recovered: " + recovered)
                    .isGreaterThan(0.01);
        }
        assertThat(model.isNull())
                .as("the complete-row summary, one row short of the per-variable one, is withheld")
                .isTrue();
        JsonNode genderAll = data(result, "variable_based", "gender", "edsd1");
        JsonNode genderComplete = data(result, "model_based", "gender", "edsd1");
        assertThat(genderAll.path("counts").path("F").asLong()).isEqualTo(30);
        assertThat(genderComplete.isNull())
                .as("level counts one row short would give P's gender")
                .isTrue();
    }

    /** (2) A withheld grouped histogram cell, from the ungrouped bin and the other group's cell. */
    @Test
    @Order(2)
    void withheldHistogramCellIsNotTheBinTotalMinusTheOtherGroups() {
        ObjectNode parameters = Json.mapper().createObjectNode().put("bins", 4);
        JsonNode result = researcher.post(
                "/algorithms/multiple_histograms",
                request("edsd2", List.of("alzheimerbroadcategory"), List.of("gender"), null, parameters));
        JsonNode total = histogram(result, null);
        JsonNode men = histogram(result, "M");
        JsonNode women = histogram(result, "F");
        int ad = bin(result, "AD");
        assertThat(women.path("counts").get(ad).isNull())
                .as("F with AD: 2 rows, withheld")
                .isTrue();
        boolean recoverable = !total.path("counts").get(ad).isNull()
                && !men.path("counts").get(ad).isNull();
        assertThat(recoverable)
                .as("AD total minus AD men gives the 2 AD women back: " + result)
                .isFalse();
        // and no other column or row has a single withheld cell (a known total would give it back)
        assertNoSingleWithheldCell(result);
    }

    /** (3) Level counts over all rows against those of a histogram whose complete rows leave out P alone. */
    @Test
    @Order(3)
    void levelCountsOfTwoAnswersDifferingByOneRowAreNotBothReleased() {
        JsonNode described = researcher.post(
                "/algorithms/descriptive_stats",
                request("edsd3", List.of("alzheimerbroadcategory"), List.of(), null, null));
        JsonNode counts = data(described, "variable_based", "alzheimerbroadcategory", "edsd3")
                .path("counts");
        assertThat(counts.path("MCI").asLong()).isEqualTo(20);
        JsonNode histogram = researcher.post(
                "/algorithms/multiple_histograms",
                request("edsd3", List.of("alzheimerbroadcategory"), List.of("gender"), null, null));
        JsonNode total = histogram(histogram, null);
        int mci = bin(histogram, "MCI");
        JsonNode cell = total.path("counts").get(mci);
        assertThat(cell.isNull() || cell.asLong() == 20)
                .as("MCI over P's complete rows, one short of the described count: P's level: " + histogram)
                .isTrue();
        assertThat(total.path("counts"))
                .as("every total count of rows one short of the described ones is withheld")
                .allMatch(JsonNode::isNull);
    }

    /** (4a) A t-test's two groups against the total of a describe: P has no gender. */
    @Test
    @Order(4)
    void tTestGroupsAgainstTheTotalAreRefused() {
        JsonNode all = data(
                researcher.post(
                        "/algorithms/descriptive_stats",
                        request("edsd4", List.of("lefthippocampus"), List.of(), null, null)),
                "variable_based",
                "lefthippocampus",
                "edsd4");
        JsonNode men = data(
                researcher.post(
                        "/algorithms/descriptive_stats",
                        request("edsd4", List.of("lefthippocampus"), List.of(), equal("gender", "M"), null)),
                "variable_based",
                "lefthippocampus",
                "edsd4");
        ObjectNode parameters =
                Json.mapper().createObjectNode().put("groupA", "M").put("groupB", "F");
        assertThatThrownBy(() -> {
                    JsonNode t = researcher.post(
                            "/algorithms/ttest_independent",
                            request("edsd4", List.of("lefthippocampus"), List.of("gender"), null, parameters));
                    long nWomen =
                            t.path("n_obs").asLong() - men.path("num_dtps").asLong();
                    double meanWomen =
                            men.path("mean").asDouble() - t.path("mean_diff").asDouble();
                    double recovered = all.path("num_dtps").asLong()
                                    * all.path("mean").asDouble()
                            - men.path("num_dtps").asLong() * men.path("mean").asDouble()
                            - nWomen * meanWomen;
                    throw new AssertionError("the t-test was answered; P's lefthippocampus recovered as " + recovered
                            + " (P's: " + P_LEFT_HIPPOCAMPUS + ")");
                })
                .isInstanceOfSatisfying(
                        Problem.class, p -> assertThat(p.detail()).contains("differencing"));
    }

    /** (4b) The groups of a one-way ANOVA against the same total. */
    @Test
    @Order(5)
    void anovaGroupsAgainstTheTotalAreRefused() {
        JsonNode all = data(
                researcher.post(
                        "/algorithms/descriptive_stats",
                        request("edsd4", List.of("lefthippocampus"), List.of(), null, null)),
                "variable_based",
                "lefthippocampus",
                "edsd4");
        JsonNode genders = data(
                        researcher.post(
                                "/algorithms/descriptive_stats",
                                request("edsd4", List.of("gender"), List.of(), null, null)),
                        "variable_based",
                        "gender",
                        "edsd4")
                .path("counts");
        assertThatThrownBy(() -> {
                    JsonNode anova = researcher.post(
                            "/algorithms/anova_oneway",
                            request("edsd4", List.of("lefthippocampus"), List.of("gender"), null, null));
                    JsonNode means = anova.path("ci_info").path("means");
                    double recovered = all.path("num_dtps").asLong()
                                    * all.path("mean").asDouble()
                            - genders.path("M").asLong() * means.path("M").asDouble()
                            - genders.path("F").asLong() * means.path("F").asDouble();
                    throw new AssertionError("the ANOVA was answered; P's lefthippocampus recovered as " + recovered
                            + " (P's: " + P_LEFT_HIPPOCAMPUS + ")");
                })
                .isInstanceOfSatisfying(
                        Problem.class, p -> assertThat(p.detail()).contains("differencing"));
    }

    /** (5) Kaplan–Meier grouped by gender against ungrouped: P alone has no gender, and had the event. */
    @Test
    @Order(6)
    void kaplanMeierWithAndWithoutAGroupDoNotGiveOneRowsEvent() {
        ObjectNode parameters =
                Json.mapper().createObjectNode().put("event_level", "AD").put("bin_width", 1000);
        JsonNode ungrouped = researcher.post(
                "/algorithms/kaplan_meier",
                request("edsd5", List.of("subjectageyears"), List.of("alzheimerbroadcategory"), null, parameters));
        assertThat(ungrouped.path("n_events").asLong()).isEqualTo(30);
        assertThatThrownBy(() -> {
                    JsonNode grouped = researcher.post(
                            "/algorithms/kaplan_meier",
                            request(
                                    "edsd5",
                                    List.of("subjectageyears"),
                                    List.of("alzheimerbroadcategory", "gender"),
                                    null,
                                    parameters));
                    throw new AssertionError("the grouped curve was answered: P had the event: "
                            + (ungrouped.path("n_events").asLong()
                                            - grouped.path("n_events").asLong()
                                    == 1));
                })
                .isInstanceOfSatisfying(
                        Problem.class, p -> assertThat(p.detail()).contains("differencing"));
    }

    /**
     * (5b) Cox regression with and without strata by gender: P alone has no gender and had the event, so the sums over
     * the events of all rows minus those of the two strata would be P's covariate; and two bin widths that move rows
     * between bins are refused alike (the node's tests play that one, TestFigureDifferencing*).
     */
    @Test
    @Order(8)
    void coxRegressionWithAndWithoutStrataDoNotGiveOneRowsCovariate() {
        ObjectNode parameters =
                Json.mapper().createObjectNode().put("event_level", "AD").put("bin_width", 1000);
        List<String> x = List.of("alzheimerbroadcategory", "lefthippocampus");
        JsonNode all = researcher.post(
                "/algorithms/cox_regression", request("edsd5", List.of("subjectageyears"), x, null, parameters));
        assertThat(all.path("n_obs").asLong()).isEqualTo(ROWS);
        assertThat(all.path("n_events").asLong()).isEqualTo(30);
        assertThatThrownBy(() -> {
                    JsonNode stratified = researcher.post(
                            "/algorithms/cox_regression",
                            request(
                                    "edsd5",
                                    List.of("subjectageyears"),
                                    x,
                                    null,
                                    parameters.deepCopy().put("strata", "gender")));
                    throw new AssertionError("the stratified model was answered over "
                            + stratified.path("n_obs").asLong() + " rows");
                })
                .isInstanceOfSatisfying(
                        Problem.class, p -> assertThat(p.detail()).contains("differencing"));
    }

    /**
     * The tracker: three answers, each over 30 rows or more and differing from each other by far more than the minimum of
     * rows, whose sums combine to P's value. Exact answers allow this; the node's audit log shows it.
     */
    @Test
    @Order(7)
    void trackerWorksAndTheAuditLogFlagsIt() throws Exception {
        // Over all rows; over P or the old; over P or the young (P is young, and alone has leftamygdala above 5).
        JsonNode all = data(
                researcher.post(
                        "/algorithms/descriptive_stats",
                        request("edsd6", List.of("lefthippocampus"), List.of(), null, null)),
                "variable_based",
                "lefthippocampus",
                "edsd6");
        JsonNode orOld = data(
                researcher.post(
                        "/algorithms/descriptive_stats",
                        request("edsd6", List.of("lefthippocampus"), List.of(), either("greater", 70), null)),
                "variable_based",
                "lefthippocampus",
                "edsd6");
        JsonNode orYoung = data(
                researcher.post(
                        "/algorithms/descriptive_stats",
                        request("edsd6", List.of("lefthippocampus"), List.of(), either("less_or_equal", 70), null)),
                "variable_based",
                "lefthippocampus",
                "edsd6");
        assertThat(List.of(
                        all.path("num_dtps").asLong(),
                        orOld.path("num_dtps").asLong(),
                        orYoung.path("num_dtps").asLong()))
                .containsExactly(60L, 31L, 30L);
        double recovered = sum(orOld) + sum(orYoung) - sum(all);
        assertThat(recovered).as("the tracker gives P's value").isCloseTo(P_LEFT_HIPPOCAMPUS, within(1e-6));

        // Ordinary analyses by another requester (the admin) on another dataset: not flagged.
        AdminClient admin = federation.admin();
        admin.post(
                "/algorithms/descriptive_stats",
                request("edsd7", List.of("lefthippocampus", "righthippocampus", "gender"), List.of(), null, null));
        admin.post(
                "/algorithms/descriptive_stats",
                request("edsd7", List.of("lefthippocampus"), List.of(), equal("gender", "F"), null));
        admin.post(
                "/algorithms/descriptive_stats",
                request("edsd7", List.of("lefthippocampus"), List.of(), equal("gender", "M"), null));
        admin.post(
                "/algorithms/linear_regression",
                request("edsd7", List.of("lefthippocampus"), List.of("righthippocampus", "gender"), null, null));
        admin.post(
                "/algorithms/multiple_histograms",
                request("edsd7", List.of("lefthippocampus"), List.of("gender"), null, null));
        admin.post(
                "/algorithms/anova_oneway",
                request("edsd7", List.of("lefthippocampus"), List.of("alzheimerbroadcategory"), null, null));

        Path audit = federation.node("hospital").paths().auditLog();
        List<TrackerDetection.Finding> findings = TrackerDetection.scan(audit, PrivacyPolicy.DEFAULT_MIN_ROWS);
        assertThat(findings)
                .as("findings: " + findings)
                .isNotEmpty()
                .allMatch(f -> f.requester().equals("mallory"));
        assertThat(findings)
                .anyMatch(f ->
                        f.datasets().equals(List.of("edsd6")) && f.variables().contains("lefthippocampus"));

        Cli.Result cli = Cli.run(
                "audit",
                "trackers",
                "--data-dir",
                federation.node("hospital").paths().dataDir().toString());
        assertThat(cli.exitCode()).as(cli.err()).isEqualTo(1);
        assertThat(cli.out()).contains("mallory").contains("edsd6").doesNotContain("admin");
    }

    // ---------------------------------------------------------------- the data

    /**
     * 60 rows of one dataset, P first, shaped for that dataset's attack. Columns the attacks do not use are filled at
     * random (seeded), every value far from P's.
     */
    private static Path write(Path file, String dataset) throws Exception {
        Random random = new Random(dataset.hashCode());
        List<String> lines = new ArrayList<>();
        lines.add(
                "subjectcode,dataset,gender,alzheimerbroadcategory,lefthippocampus,righthippocampus,leftamygdala,subjectageyears");
        for (int i = 0; i < ROWS; i++) {
            String gender = i % 2 == 0 ? "F" : "M";
            String category = List.of("AD", "CN", "MCI").get(i % 3);
            double left = i == 0 ? P_LEFT_HIPPOCAMPUS : 2.5 + random.nextDouble();
            String right = fmt(2.5 + random.nextDouble());
            double amygdala = 1 + random.nextDouble();
            int age = 50 + random.nextInt(40);
            switch (dataset) {
                case "edsd1" -> right = i == 0 ? "" : right; // P alone lacks righthippocampus; 30 F, 30 M
                case "edsd2" -> {
                    // AD: 13 M, 2 F; CN: 15 M, 15 F; MCI: 10 M, 5 F
                    int[] sizes = {13, 2, 15, 15, 10, 5};
                    String[][] cells = {{"M", "AD"}, {"F", "AD"}, {"M", "CN"}, {"F", "CN"}, {"M", "MCI"}, {"F", "MCI"}};
                    int c = 0;
                    for (int start = 0; i >= start + sizes[c]; c++) {
                        start += sizes[c];
                    }
                    gender = cells[c][0];
                    category = cells[c][1];
                }
                case "edsd3" -> {
                    // P: MCI, no gender; 20 rows per category
                    gender = i == 0 ? "" : gender;
                    category = List.of("MCI", "AD", "CN").get(i % 3);
                }
                case "edsd4" -> gender = i == 0 ? "" : gender; // P has no gender: 29 F, 30 M
                case "edsd5" -> {
                    // P has no gender and had the event (AD); 30 AD and 30 CN, M: 15/15, F: 14/15
                    gender = i == 0 ? "" : gender;
                    category = i % 4 < 2 ? "AD" : "CN";
                }
                case "edsd6" -> {
                    // P young, alone with leftamygdala above 5; 30 rows older than 70
                    amygdala = i == 0 ? 9.5 : amygdala;
                    age = i == 0 ? 60 : i <= 30 ? 71 + random.nextInt(15) : 50 + random.nextInt(20);
                }
                default -> {}
            }
            lines.add(String.join(
                    ",",
                    dataset.toUpperCase(Locale.ROOT) + "_" + i,
                    dataset,
                    gender,
                    category,
                    fmt(left),
                    right,
                    fmt(amygdala),
                    Integer.toString(age)));
        }
        return Files.write(file, lines);
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }

    // ---------------------------------------------------------------- requests and results

    private static ObjectNode request(
            String dataset, List<String> y, List<String> x, JsonNode filter, ObjectNode parameters) {
        return new AnalysisRequest(MODEL, List.of(dataset), x, y, filter, parameters, null).toJson();
    }

    private static ObjectNode equal(String variable, String value) {
        ObjectNode filter = Json.mapper().createObjectNode().put("condition", "AND");
        filter.putArray("rules")
                .addObject()
                .put("id", variable)
                .put("operator", "equal")
                .put("value", value);
        return filter;
    }

    /** leftamygdala > 5 OR subjectageyears (operator) 70. */
    private static ObjectNode either(String operator, int age) {
        ObjectNode filter = Json.mapper().createObjectNode().put("condition", "OR");
        var rules = filter.putArray("rules");
        rules.addObject().put("id", "leftamygdala").put("operator", "greater").put("value", 5);
        rules.addObject().put("id", "subjectageyears").put("operator", operator).put("value", age);
        return filter;
    }

    private static JsonNode data(JsonNode result, String block, String variable, String dataset) {
        for (JsonNode record : result.path(block)) {
            if (record.path("variable").asText().equals(variable)
                    && record.path("dataset").asText().equals(dataset)) {
                return record.path("data");
            }
        }
        throw new AssertionError("no " + block + " record of " + variable + " in " + dataset + ": " + result);
    }

    private static double sum(JsonNode data) {
        return data.path("num_dtps").asLong() * data.path("mean").asDouble();
    }

    private static JsonNode histogram(JsonNode result, String level) {
        for (JsonNode h : result.path("histogram")) {
            if (level == null
                    ? !h.has("grouping_var") || h.path("grouping_var").isNull()
                    : h.path("grouping_enum").asText().equals(level)) {
                return h;
            }
        }
        throw new AssertionError("no histogram for " + level + ": " + result);
    }

    private static int bin(JsonNode result, String level) {
        JsonNode bins = histogram(result, null).path("bins");
        for (int i = 0; i < bins.size(); i++) {
            if (bins.get(i).asText().equals(level)) {
                return i;
            }
        }
        throw new AssertionError("no bin " + level + ": " + result);
    }

    /**
     * A null count is zero or withheld; the test knows its data, so it knows which nulls hide rows. In no bin may exactly
     * one of {total, M, F} be withheld (the others would give it back).
     */
    private static void assertNoSingleWithheldCell(JsonNode result) {
        JsonNode total = histogram(result, null).path("counts");
        JsonNode men = histogram(result, "M").path("counts");
        JsonNode women = histogram(result, "F").path("counts");
        for (int b = 0; b < total.size(); b++) {
            int withheld = (total.get(b).isNull() ? 1 : 0)
                    + (men.get(b).isNull() ? 1 : 0)
                    + (women.get(b).isNull() ? 1 : 0);
            assertThat(withheld).as("bin " + b + " of " + result).isNotEqualTo(1);
        }
    }

    /** An account of the researcher role and an API token of its own, as a researcher would make one in the portal. */
    private static AdminClient researcherClient(String user, String password) throws Exception {
        federation
                .admin()
                .post(
                        "/admin/users",
                        Json.mapper()
                                .createObjectNode()
                                .put("username", user)
                                .put("password", password)
                                .put("role", "researcher"));
        String base = "http://127.0.0.1:" + federation.httpPort();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> login = http.send(
                HttpRequest.newBuilder(URI.create(base + "/auth/login"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Json.mapper()
                                .createObjectNode()
                                .put("username", user)
                                .put("password", password)
                                .toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
        String csrf = Json.mapper().readTree(login.body()).path("csrf_token").asText();
        HttpResponse<String> token = http.send(
                HttpRequest.newBuilder(URI.create(base + "/auth/tokens"))
                        .header("Content-Type", "application/json")
                        .header("Cookie", cookie)
                        .header("X-CSRF-Token", csrf)
                        .POST(HttpRequest.BodyPublishers.ofString(Json.mapper()
                                .createObjectNode()
                                .put("name", "attacks")
                                .toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).as(token.body()).isBetween(200, 201);
        return new AdminClient(
                base, Json.mapper().readTree(token.body()).path("token").asText());
    }
}
