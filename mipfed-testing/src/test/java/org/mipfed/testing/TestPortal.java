package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.node.primitive.PrimitiveExecutor;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The Federation Web Portal in real headless Chromium against a real federation (a manager and
 * three node processes over mutual TLS): what a researcher and an administrator do, checked against
 * the REST API's own answers. Each page's screenshot is saved under target/screenshots/.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestPortal {
    private static final String MODEL = "dementia:0.1";
    private static final String RESEARCHER = "rita";
    private static final String RESEARCHER_PASSWORD = "hippocampus-42-volumes";

    @TempDir
    static Path dir;

    static LocalFederation federation;
    static PortalBrowser browser;
    static String portal;

    @BeforeAll
    static void startFederationAndBrowser() throws IOException {
        PortalBrowser.requireChromium();
        Path data = LocalFederation.extractDementiaData(dir.resolve("data"));
        federation = LocalFederation.create(dir.resolve("fed"), 0, 0);
        String[][] hospitals = {{"chuv", "edsd"}, {"epfl", "ppmi"}, {"uoa", "desd-synthdata"}};
        for (String[] hospital : hospitals) {
            List<Path> csvs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                csvs.add(data.resolve(hospital[1] + i + ".csv"));
            }
            federation.addNode(
                    hospital[0],
                    null,
                    10,
                    List.of(new LocalFederation.DataImport(data.resolve("CDEsMetadata.json"), csvs)));
        }
        federation.start("all");
        federation.awaitReady(Duration.ofSeconds(180), "chuv", "epfl", "uoa");
        Path downloads = Files.createDirectories(dir.resolve("downloads"));
        browser = PortalBrowser.start(downloads);
        portal = "http://127.0.0.1:" + federation.httpPort() + "/";
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (federation != null) {
            // Honest use through the portal: how many refusals that depend on the rows each requester met per dataset
            // (docs/security.md's argument for the refusal budget), and that none of them was locked out.
            Map<String, Integer> refusals = new TreeMap<>();
            for (String alias : List.of("chuv", "epfl", "uoa")) {
                try {
                    for (String line :
                            Files.readAllLines(federation.node(alias).paths().auditLog())) {
                        JsonNode entry = Json.mapper().readTree(line);
                        if (entry.path("outcome").asText().equals("refused")
                                && PrimitiveExecutor.dependsOnData(
                                        entry.path("rule").asText())) {
                            entry.path("datasets")
                                    .forEach(d -> refusals.merge(
                                            entry.path("requester").asText() + " on " + d.asText() + " ("
                                                    + entry.path("rule").asText() + ")",
                                            1,
                                            Integer::sum));
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            System.out.println(
                    "data-dependent refusals in the portal's browser tests, per requester and dataset: " + refusals);
            assertThat(refusals.keySet()).noneMatch(k -> k.contains("(refusal_budget)"));
            federation.close();
        }
    }

    @Test
    @Order(1)
    void adminSignsIn() throws IOException {
        browser.driver.get(portal);
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("signin")));
        assertThat(browser.driver.getCurrentUrl()).contains("/portal/");
        // a wrong password is refused with the API's words
        signIn("admin", "not-the-password");
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#signin-message .error")));
        assertThat(browser.find("#signin-message .error-detail").getText()).isEqualTo("Wrong user name or password.");
        browser.screenshot("signin");
        assertThat(browser.find("#nav").isDisplayed())
                .as("navigation before sign-in")
                .isFalse();
        signIn("admin", adminPassword());
        browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("who-name"), "admin (admin)"));
        assertThat(browser.find("#nav").isDisplayed()).isTrue();
        assertThat(browser.find("#nav-admin").isDisplayed()).isTrue();
    }

    @Test
    @Order(2)
    void exploreShowsTheTreeFindsAVariableBySearchAndTheNodes() {
        go("#/explore");
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#cde-tree details")));
        WebElement search = browser.find("#explore-search");
        search.sendKeys("left hippocampus");
        browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("explore-count"), "match"));
        List<WebElement> found = browser.driver.findElements(By.cssSelector("#cde-tree button.variable"));
        assertThat(found).extracting(e -> e.getAttribute("data-code")).containsExactly("lefthippocampus");
        search.clear();
        search.sendKeys("leftamygdala");
        browser.await(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#cde-tree button.variable"), 1));
        browser.find("#cde-tree button.variable").click();
        browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("cde-details"), "leftamygdala"));
        assertThat(browser.find("#cde-details dd[data-fact=type]").getText()).isEqualTo("real, numerical");
        assertThat(browser.find("#cde-details dd[data-fact=units]").getText()).isEqualTo("cm3");
        for (String node : List.of("chuv", "epfl", "uoa")) {
            WebElement row = browser.find("#node-datasets tr[data-node=" + node + "]");
            assertThat(row.getText()).contains("ready").contains("active");
        }
        assertThat(browser.find("#node-datasets tr[data-node=epfl]").getText()).contains("PPMI_0");
        browser.screenshot("explore");
        browser.driver.manage().window().setSize(new Dimension(390, 844));
        browser.screenshot("explore-narrow-screen");
        browser.driver.manage().window().setSize(new Dimension(1280, 800));
    }

    @Test
    @Order(3)
    void linearRegressionWithAFilterMatchesTheApiAndDrawsAForestPlot() throws IOException {
        go("#/analyse");
        chooseVariables(List.of("lefthippocampus"), List.of("righthippocampus", "gender"));
        browser.find("#filters .add-rule").click();
        WebElement rule = browser.find("#filters li.rule");
        new Select(rule.findElement(By.cssSelector(".rule-variable"))).selectByValue("subjectageyears");
        new Select(rule.findElement(By.cssSelector(".rule-operator"))).selectByValue("greater");
        rule.findElement(By.cssSelector(".rule-value")).sendKeys("60");
        chooseAlgorithm("linear_regression");
        browser.screenshot("analyse");
        browser.find("#run").click();
        awaitFinished();
        browser.screenshot("results-linear-regression");

        ObjectNode filter = Json.mapper().createObjectNode().put("condition", "AND");
        filter.putArray("rules")
                .addObject()
                .put("id", "subjectageyears")
                .put("operator", "greater")
                .put("value", 60);
        JsonNode expected = federation
                .admin()
                .post(
                        "/algorithms/linear_regression",
                        request(List.of("lefthippocampus"), List.of("righthippocampus", "gender"), filter));
        List<WebElement> rows = browser.driver.findElements(By.cssSelector("#table-coefficients tbody tr"));
        assertThat(rows).hasSize(expected.path("indep_vars").size());
        String[] fields = {"coefficients", "std_err", "t_stats", "pvalues", "lower_ci", "upper_ci"};
        for (int i = 0; i < rows.size(); i++) {
            assertThat(rows.get(i).findElement(By.tagName("th")).getText())
                    .isEqualTo(expected.path("indep_vars").get(i).asText());
            List<WebElement> cells = rows.get(i).findElements(By.tagName("td"));
            for (int k = 0; k < fields.length; k++) {
                double shown = Double.parseDouble(cells.get(k).getAttribute("data-value"));
                double api = expected.path(fields[k]).get(i).asDouble();
                assertThat(shown)
                        .as(
                                "%s of %s",
                                fields[k], expected.path("indep_vars").get(i).asText())
                        .isCloseTo(api, within(1e-9 * Math.max(1, Math.abs(api))));
            }
        }
        assertThat(browser.find("#table-model").getText())
                .contains("n_obs")
                .contains(expected.path("n_obs").asText());
        WebElement forest = browser.find("#chart-forest");
        assertThat(browser.paintedPixels(forest))
                .as("painted pixels of the forest plot")
                .isGreaterThan(2000);

        forest.findElement(By.cssSelector(".download-svg")).click();
        assertThat(new String(browser.downloaded("forest.svg"), StandardCharsets.UTF_8))
                .startsWith("<svg")
                .contains("righthippocampus");
        forest.findElement(By.cssSelector(".download-png")).click();
        byte[] png = browser.downloaded("forest.png");
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        browser.find("#download-csv").click();
        String id = experimentId();
        String csv = new String(browser.downloaded("linear_regression-" + id + ".csv"), StandardCharsets.UTF_8);
        assertThat(csv).contains("Variable,Coefficient,Std. error,t,p,CI low,CI high");
        String variable = expected.path("indep_vars").get(1).asText();
        String line = csv.lines()
                .filter(l -> l.startsWith(variable + ","))
                .findFirst()
                .orElseThrow();
        assertThat(Double.parseDouble(line.split(",")[1]))
                .isCloseTo(expected.path("coefficients").get(1).asDouble(), within(1e-9));
        browser.find("#download-json").click();
        JsonNode json = Json.mapper().readTree(browser.downloaded("linear_regression-" + id + ".json"));
        assertThat(json.path("indep_vars")).isEqualTo(expected.path("indep_vars"));
    }

    @Test
    @Order(4)
    void histogramIsDrawnWithTheApisCounts() {
        go("#/analyse");
        chooseVariables(List.of("leftamygdala"), List.of());
        chooseAlgorithm("multiple_histograms");
        WebElement bins = browser.find("#param-bins");
        bins.clear();
        bins.sendKeys("12");
        browser.find("#run").click();
        awaitFinished();
        browser.screenshot("results-histogram");
        ObjectNode parameters = Json.mapper().createObjectNode().put("bins", 12);
        ObjectNode body = request(List.of("leftamygdala"), List.of(), null);
        body.set("parameters", parameters);
        JsonNode expected = federation
                .admin()
                .post("/algorithms/multiple_histograms", body)
                .path("histogram")
                .get(0);
        List<WebElement> rows = browser.driver.findElements(By.cssSelector("#table-histogram-0 tbody tr"));
        assertThat(rows).hasSize(12);
        for (int i = 0; i < rows.size(); i++) {
            JsonNode count = expected.path("counts").get(i);
            assertThat(rows.get(i).findElement(By.tagName("td")).getAttribute("data-value"))
                    .isEqualTo(count.isNull() ? "" : count.asText());
        }
        assertThat(browser.paintedPixels(browser.find("#chart-histogram-0"))).isGreaterThan(2000);
    }

    @Test
    @Order(5)
    void anImpossibleRequestShowsTheApisMessage() {
        go("#/analyse");
        // client-side validation first: a parameter out of its range is refused before anything is sent
        chooseVariables(List.of("leftamygdala"), List.of());
        chooseAlgorithm("multiple_histograms");
        WebElement bins = browser.find("#param-bins");
        bins.clear();
        bins.sendKeys("500");
        browser.find("#run").click();
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("validation")));
        assertThat(browser.find("#param-bins-error").getText()).isEqualTo("Number of bins must be at most 100.");
        assertThat(browser.driver.getCurrentUrl()).endsWith("#/analyse");

        // then one only the federation can refuse: no row is older than 130
        go("#/analyse");
        chooseVariables(List.of("lefthippocampus"), List.of("righthippocampus"));
        browser.find("#filters .add-rule").click();
        WebElement rule = browser.find("#filters li.rule");
        new Select(rule.findElement(By.cssSelector(".rule-variable"))).selectByValue("subjectageyears");
        new Select(rule.findElement(By.cssSelector(".rule-operator"))).selectByValue("greater");
        rule.findElement(By.cssSelector(".rule-value")).sendKeys("130");
        chooseAlgorithm("linear_regression");
        browser.find("#run").click();
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("experiment-error")));
        browser.screenshot("results-error");
        ObjectNode filter = Json.mapper().createObjectNode().put("condition", "AND");
        filter.putArray("rules")
                .addObject()
                .put("id", "subjectageyears")
                .put("operator", "greater")
                .put("value", 130);
        assertThatThrownBy(() -> federation
                        .admin()
                        .post(
                                "/algorithms/linear_regression",
                                request(List.of("lefthippocampus"), List.of("righthippocampus"), filter)))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.status()).isBetween(400, 499);
                    assertThat(browser.find("#experiment-error .error-detail").getText())
                            .isEqualTo(p.detail());
                });
    }

    @Test
    @Order(6)
    void historyListsTheExperimentsAndRunsOneAgain() {
        go("#/history");
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("history-table")));
        List<WebElement> rows = browser.driver.findElements(By.cssSelector("#history-table tbody tr"));
        assertThat(rows).hasSizeGreaterThanOrEqualTo(3);
        assertThat(browser.find("#history-table").getText())
                .contains("linear_regression")
                .contains("multiple_histograms")
                .contains("error")
                .contains("chuv");
        browser.screenshot("history");
        WebElement histogram = rows.stream()
                .filter(r -> r.getText().contains("multiple_histograms"))
                .findFirst()
                .orElseThrow();
        histogram.findElement(By.xpath(".//button[text()='Run again']")).click();
        awaitFinished();
        assertThat(browser.driver.findElements(By.cssSelector("#table-histogram-0 tbody tr")))
                .hasSize(12);
        assertThat(browser.find("#share-link").getAttribute("value")).endsWith("#/experiments/" + experimentId());
    }

    @Test
    @Order(7)
    void adminSeesTheThreeNodesStopsOneAndItsDatasetsLeaveTheAnalysePage() {
        go("#/admin");
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("nodes-table")));
        List<WebElement> rows = browser.driver.findElements(By.cssSelector("#nodes-table tbody tr"));
        assertThat(rows).extracting(r -> r.getAttribute("data-node")).containsExactlyInAnyOrder("chuv", "epfl", "uoa");
        assertThat(rows)
                .allSatisfy(r -> assertThat(r.getText()).contains("ready").contains("active"));
        // each node's privacy policy as it announced it: a compact line, every rule when opened
        assertThat(rows)
                .allSatisfy(r -> assertThat(r.findElement(By.cssSelector(".privacy summary"))
                                .getText())
                        .isEqualTo("min_rows 10, min_cell_count 3"));
        browser.find("#nodes-table tr[data-node=chuv] .privacy summary").click();
        assertThat(browser.find("#nodes-table tr[data-node=chuv] .privacy dl").getText())
                .contains("max_parameter_ratio", "0.33", "release_extremes", "differencing_history");
        browser.find("#show-worker-token").click();
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#join-token input")));
        assertThat(browser.find("#join-token input").getAttribute("value"))
                .isEqualTo(federation
                        .admin()
                        .get("/admin/join-tokens/worker")
                        .path("token")
                        .asText());
        // the nodes' privacy alerts: none in honest use (TestResearcherRefusalAttacks raises some)
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("alerts-none")));
        browser.screenshot("admin");

        browser.find("#nodes-table tr[data-node=epfl] .stop-node").click();
        browser.await(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#nodes-table tr[data-node=epfl] .availability"), "pending"));
        go("#/analyse");
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#datasets input[name=dataset]")));
        assertThat(datasetsOffered())
                .isNotEmpty()
                .noneMatch(d -> d.startsWith("ppmi"))
                .anyMatch(d -> d.startsWith("edsd"));
        assertThat(browser.driver.findElements(By.cssSelector("#datasets [data-node=epfl]")))
                .isEmpty();
        browser.screenshot("analyse-without-epfl");

        go("#/admin");
        browser.await(ExpectedConditions.visibilityOfElementLocated(
                        By.cssSelector("#nodes-table tr[data-node=epfl] .start-node")))
                .click();
        browser.await(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#nodes-table tr[data-node=epfl] .availability"), "active"));
        go("#/analyse");
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#datasets input[name=dataset]")));
        assertThat(datasetsOffered()).anyMatch(d -> d.startsWith("ppmi"));
    }

    @Test
    @Order(8)
    void adminCreatesAResearcherWhoCannotReachTheAdminPageOrApi() throws Exception {
        go("#/admin");
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("new-user")));
        browser.find("#new-user input[name=new-username]").sendKeys(RESEARCHER);
        browser.find("#new-user input[name=new-password]").sendKeys(RESEARCHER_PASSWORD);
        new Select(browser.find("#new-user select[name=new-role]")).selectByValue("researcher");
        browser.find("#new-user button[type=submit]").click();
        browser.await(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#users-table tr[data-user=" + RESEARCHER + "]")));
        assertThat(browser.find("#users-table tr[data-user=" + RESEARCHER + "]").getText())
                .contains("researcher")
                .contains("active");
        browser.screenshot("admin-users");

        browser.find("#sign-out").click();
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("signin")));
        signIn(RESEARCHER, RESEARCHER_PASSWORD);
        browser.await(
                ExpectedConditions.textToBePresentInElementLocated(By.id("who-name"), RESEARCHER + " (researcher)"));
        assertThat(browser.find("#nav-admin").isDisplayed()).isFalse();
        go("#/admin");
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("forbidden")));
        assertThat(browser.driver.findElements(By.id("nodes-table"))).isEmpty();
        browser.screenshot("researcher-admin-refused");

        // and the API itself refuses the researcher's session
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> login = http.send(
                HttpRequest.newBuilder(URI.create(portal + "auth/login"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Json.mapper()
                                .createObjectNode()
                                .put("username", RESEARCHER)
                                .put("password", RESEARCHER_PASSWORD)
                                .toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(200);
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
        for (String path : List.of("admin/nodes", "admin/users")) {
            HttpResponse<String> refused = http.send(
                    HttpRequest.newBuilder(URI.create(portal + path))
                            .header("Cookie", cookie)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(path).isEqualTo(403);
            assertThat(Json.mapper().readTree(refused.body()).path("detail").asText())
                    .contains("admin role");
        }
        // the researcher's own pages work
        go("#/history");
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("history-list")));
        browser.screenshot("researcher-history");
    }

    private static void signIn(String user, String password) {
        WebElement name = browser.find("#signin input[name=username]");
        name.clear();
        name.sendKeys(user);
        WebElement secret = browser.find("#signin input[name=password]");
        secret.clear();
        secret.sendKeys(password);
        browser.find("#signin-submit").click();
    }

    private static String adminPassword() {
        return federation.adminPassword();
    }

    private static void go(String hash) {
        String url = portal + "portal/" + hash;
        if (url.equals(browser.driver.getCurrentUrl())) {
            browser.driver.navigate().refresh(); // the same address again: start the page afresh
        } else {
            browser.driver.get(url);
        }
        browser.await(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("main .loading")));
    }

    private static void chooseVariables(List<String> y, List<String> x) {
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("y-variables")));
        Select ys = new Select(browser.find("#y-variables"));
        y.forEach(ys::selectByValue);
        Select xs = new Select(browser.find("#x-variables"));
        x.forEach(xs::selectByValue);
    }

    private static void chooseAlgorithm(String name) {
        browser.await(
                ExpectedConditions.presenceOfElementLocated(By.cssSelector("#algorithm option[value=" + name + "]")));
        new Select(browser.find("#algorithm")).selectByValue(name);
        browser.await(ExpectedConditions.presenceOfElementLocated(By.id("parameters")));
    }

    private static void awaitFinished() {
        browser.waiting(Duration.ofSeconds(120))
                .until(ExpectedConditions.or(
                        ExpectedConditions.visibilityOfElementLocated(By.id("experiment-done")),
                        ExpectedConditions.visibilityOfElementLocated(By.id("experiment-error"))));
        assertThat(browser.driver.findElements(By.id("experiment-error")))
                .as("the experiment failed")
                .isEmpty();
    }

    private static String experimentId() {
        String url = browser.driver.getCurrentUrl();
        return url.substring(url.lastIndexOf('/') + 1);
    }

    private static List<String> datasetsOffered() {
        return browser.driver.findElements(By.cssSelector("#datasets input[name=dataset]")).stream()
                .map(e -> e.getAttribute("value"))
                .toList();
    }

    private static ObjectNode request(List<String> y, List<String> x, JsonNode filters) {
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode input = body.putObject("inputdata");
        input.put("data_model", MODEL);
        List<String> datasets = new ArrayList<>();
        federation.admin().get("/datasets").path(MODEL).fieldNames().forEachRemaining(datasets::add);
        datasets.forEach(input.putArray("datasets")::add);
        y.forEach(input.putArray("y")::add);
        x.forEach(input.putArray("x")::add);
        if (filters != null) {
            input.set("filters", filters);
        }
        body.putObject("parameters");
        return body;
    }
}
