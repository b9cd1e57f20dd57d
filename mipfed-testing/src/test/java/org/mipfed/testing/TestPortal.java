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
import org.openqa.selenium.Keys;
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
            assertThat(rows.get(i).findElement(By.tagName("th")).getAttribute("data-term"))
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
        // statistics named in words, p-values as journals print them, the reference level stated
        assertThat(browser.find("#table-model").getText())
                .contains("Observations")
                .contains(expected.path("n_obs").asText())
                .doesNotContain("n_obs");
        assertThat(browser.find("#table-coefficients th[data-term='righthippocampus']")
                        .getText())
                .isEqualTo("Right Hippocampus (cm3)");
        assertThat(browser.find("#table-coefficients th[data-term='gender[M]']").getText())
                .isEqualTo("Gender: Male (M)");
        assertThat(browser.find("#reference-levels").getText()).contains("Gender: Female (F)");
        for (int i = 0; i < rows.size(); i++) {
            double p = expected.path("pvalues").get(i).asDouble();
            assertThat(rows.get(i).findElement(By.cssSelector("td.p-value")).getText())
                    .isEqualTo(
                            p < 0.001
                                    ? "< 0.001"
                                    : new java.math.BigDecimal(p)
                                            .round(new java.math.MathContext(3))
                                            .stripTrailingZeros()
                                            .toPlainString());
        }
        WebElement forest = browser.find("#chart-forest");
        assertThat(browser.paintedPixels(forest))
                .as("painted pixels of the forest plot")
                .isGreaterThan(2000);

        forest.findElement(By.cssSelector(".download-svg")).click();
        assertThat(new String(browser.downloaded("forest.svg"), StandardCharsets.UTF_8))
                .startsWith("<svg")
                .contains("Right Hippocampus");
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
                .contains("Linear Regression")
                .contains("Multiple Histograms")
                .contains("y: Left Hippocampus (cm3)")
                .contains("x: Right Hippocampus (cm3), Gender")
                .contains("error")
                .contains("chuv");
        browser.screenshot("history");
        WebElement histogram = rows.stream()
                .filter(r -> r.getText().contains("Multiple Histograms"))
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
        browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#datasets input[name=dataset]")));
        assertThat(datasetsOffered())
                .isNotEmpty()
                .noneMatch(d -> d.startsWith("ppmi"))
                .anyMatch(d -> d.startsWith("edsd"));
        startAfresh(); // a draft would keep the datasets chosen before
        // the stopped hospital is named, with the datasets it removes, rather than silently left out
        assertThat(browser.find("#hospital-states li[data-node=epfl]").getText())
                .contains("stopped")
                .contains("PPMI_0");
        assertThat(browser.driver.findElements(By.cssSelector("#datasets input[data-node=epfl][data-available=false]")))
                .isNotEmpty()
                .noneMatch(WebElement::isSelected);
        browser.screenshot("analyse-without-epfl");

        go("#/admin");
        browser.await(ExpectedConditions.visibilityOfElementLocated(
                        By.cssSelector("#nodes-table tr[data-node=epfl] .start-node")))
                .click();
        browser.await(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#nodes-table tr[data-node=epfl] .availability"), "active"));
        go("#/analyse");
        browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#datasets input[name=dataset]")));
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

    @Test
    @Order(9)
    void variablesArePickedFromTheTreeByKeyboardAndMouseAndSurviveNavigation() {
        asAdmin();
        go("#/analyse");
        startAfresh();
        WebElement search = browser.find("#variable-search");
        assertThat(browser.driver.getTitle()).isEqualTo("Analyse · MIP Federation");
        // keyboard: type, Enter adds the first match as the dependent variable
        search.sendKeys("left hippocampus");
        browser.await(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#variable-tree li.variable"), 1));
        search.sendKeys(Keys.ENTER);
        WebElement chip = browser.await(
                ExpectedConditions.presenceOfElementLocated(By.cssSelector("#chosen-y li[data-code=lefthippocampus]")));
        assertThat(chip.getText()).contains("Left Hippocampus", "real, numerical", "cm3");
        // keyboard: ↓ into the list, Tab to "+ Covariate", Enter
        search.clear();
        search.sendKeys("right hippocampus");
        browser.await(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#variable-tree li.variable"), 1));
        search.sendKeys(Keys.ARROW_DOWN);
        assertThat(browser.driver.switchTo().activeElement().getAttribute("class"))
                .contains("add-y");
        browser.driver.switchTo().activeElement().sendKeys(Keys.TAB);
        assertThat(browser.driver.switchTo().activeElement().getAttribute("class"))
                .contains("add-x");
        browser.driver.switchTo().activeElement().sendKeys(Keys.ENTER);
        browser.await(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#chosen-x li[data-code=righthippocampus]")));
        // mouse: a covariate and a filter
        pick("gender", "x");
        search.clear();
        search.sendKeys("subjectageyears");
        browser.await(ExpectedConditions.elementToBeClickable(
                        By.cssSelector("#variable-tree li.variable[data-code=subjectageyears] .add-filter")))
                .click();
        assertThat(new Select(browser.find("#filters li.rule .rule-variable"))
                        .getFirstSelectedOption()
                        .getAttribute("value"))
                .isEqualTo("subjectageyears");
        // the variables come before the 30 dataset check boxes in tab order
        assertThat((Boolean) browser.driver.executeScript(
                        "return !!(document.getElementById('variable-search').compareDocumentPosition("
                                + "document.querySelector('#datasets input')) & Node.DOCUMENT_POSITION_FOLLOWING);"))
                .isTrue();
        browser.screenshot("analyse-picker");

        // the selection survives navigation
        go("#/history");
        assertThat(browser.driver.getTitle()).isEqualTo("History · MIP Federation");
        go("#/analyse");
        browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#chosen-x li[data-code=gender]")));
        assertThat(browser.driver.findElements(By.cssSelector("#chosen-y li.variable-chip")))
                .extracting(e -> e.getAttribute("data-code"))
                .containsExactly("lefthippocampus");
        assertThat(browser.driver.findElements(By.cssSelector("#chosen-x li.variable-chip")))
                .extracting(e -> e.getAttribute("data-code"))
                .containsExactly("righthippocampus", "gender");
        browser.find("#chosen-x li[data-code=gender] .remove-chip").click();
        browser.await(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#chosen-x li.variable-chip"), 1));

        // 800 px wide: nothing scrolls sideways
        browser.driver.manage().window().setSize(new Dimension(800, 900));
        assertThat(((Number) browser.driver.executeScript(
                                "return document.documentElement.scrollWidth - window.innerWidth;"))
                        .intValue())
                .as("pixels Analyse scrolls sideways at 800 px")
                .isLessThanOrEqualTo(0);
        browser.screenshot("analyse-800px");
        browser.driver.manage().window().setSize(new Dimension(1280, 800));
    }

    @Test
    @Order(10)
    void logisticRegressionShowsNamedCoefficientsWithOddsRatiosAndAForestPlot() {
        go("#/analyse");
        chooseVariables(List.of("gender"), List.of("lefthippocampus", "alzheimerbroadcategory"));
        chooseAlgorithm("logistic_regression");
        new Select(browser.find("#param-positive_class")).selectByValue("M");
        browser.find("#run").click();
        awaitFinished();
        browser.screenshot("results-logistic-regression");
        ObjectNode body = request(List.of("gender"), List.of("lefthippocampus", "alzheimerbroadcategory"), null);
        body.putObject("parameters").put("positive_class", "M");
        JsonNode expected = federation.admin().post("/algorithms/logistic_regression", body);
        JsonNode s = expected.path("summary");
        List<WebElement> rows = browser.driver.findElements(By.cssSelector("#table-coefficients tbody tr"));
        assertThat(rows).hasSize(expected.path("indep_vars").size());
        List<String> terms = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            String term = expected.path("indep_vars").get(i).asText();
            terms.add(term);
            assertThat(rows.get(i).findElement(By.tagName("th")).getAttribute("data-term"))
                    .isEqualTo(term);
            List<WebElement> cells = rows.get(i).findElements(By.tagName("td"));
            double coefficient = s.path("coefficients").get(i).asDouble();
            assertThat(value(cells.get(0))).isCloseTo(coefficient, within(1e-9 * Math.max(1, Math.abs(coefficient))));
            assertThat(value(cells.get(3))).isCloseTo(s.path("pvalues").get(i).asDouble(), within(1e-12));
            double odds = Math.exp(coefficient);
            assertThat(value(cells.get(6))).as("odds ratio of %s", term).isCloseTo(odds, within(1e-9 * odds));
            double oddsLow = Math.exp(s.path("lower_ci").get(i).asDouble());
            assertThat(value(cells.get(7))).isCloseTo(oddsLow, within(1e-9 * oddsLow));
        }
        assertThat(browser.find("#table-coefficients th[data-term=lefthippocampus]")
                        .getText())
                .isEqualTo("Left Hippocampus (cm3)");
        // the reference level: the first level (code point order) that has no dummy
        String reference = List.of("AD", "CN", "MCI", "Other").stream()
                .filter(l -> !terms.contains("alzheimerbroadcategory[" + l + "]"))
                .findFirst()
                .orElseThrow();
        assertThat(browser.find("#reference-levels").getText())
                .contains("Alzheimer Broad Category: ")
                .contains("(" + reference + ")");
        assertThat(browser.find("#modelled").getText()).contains("Gender", "Male (M)");
        assertThat(browser.find("#table-model").getText())
                .contains("McFadden’s pseudo R²", "Log-likelihood of the null model")
                .doesNotContain("r_squared_mcf");
        WebElement forest = browser.find("#chart-forest");
        assertThat(forest.getText()).contains("Forest plot of the odds ratios");
        assertThat(browser.paintedPixels(forest)).isGreaterThan(2000);
    }

    @Test
    @Order(11)
    void bothCrossValidationsShowSummariesFoldsAndARealConfusionMatrix() {
        go("#/analyse");
        chooseVariables(List.of("lefthippocampus"), List.of("righthippocampus"));
        chooseAlgorithm("linear_regression_cv");
        browser.find("#run").click();
        awaitFinished();
        browser.screenshot("results-linear-regression-cv");
        JsonNode linear =
                federation.admin().get("/experiments/" + experimentId()).path("result");
        List<WebElement> summary = browser.driver.findElements(By.cssSelector("#table-cv-summary tbody tr"));
        assertThat(summary)
                .extracting(r -> r.findElement(By.tagName("th")).getText())
                .containsExactly("Mean squared error", "R²", "Mean absolute error");
        assertThat(summary.get(1).findElement(By.tagName("td")).getText()).contains("±");
        assertThat(value(summary.get(1).findElement(By.tagName("td"))))
                .isCloseTo(linear.path("r_squared").get(0).asDouble(), within(1e-12));
        List<WebElement> folds = browser.driver.findElements(By.cssSelector("#table-cv-folds tbody tr"));
        assertThat(folds).hasSize(linear.path("folds").path("r_squared").size());
        assertThat(folds.get(0).findElement(By.tagName("th")).getText()).isEqualTo("Fold 1");

        go("#/analyse");
        chooseVariables(List.of("gender"), List.of("lefthippocampus", "righthippocampus"));
        chooseAlgorithm("logistic_regression_cv");
        new Select(browser.find("#param-positive_class")).selectByValue("M");
        browser.find("#run").click();
        awaitFinished();
        browser.screenshot("results-logistic-regression-cv");
        JsonNode logistic =
                federation.admin().get("/experiments/" + experimentId()).path("result");
        JsonNode cm = logistic.path("confusion_matrix");
        List<WebElement> matrix = browser.driver.findElements(By.cssSelector("#table-confusion tbody tr"));
        assertThat(matrix).hasSize(2);
        assertThat(matrix.get(0).findElement(By.tagName("th")).getText()).isEqualTo("Actual Male (M)");
        assertThat(matrix.get(0).findElements(By.tagName("td")))
                .extracting(WebElement::getText)
                .containsExactly(cm.path("tp").asText(), cm.path("fn").asText());
        assertThat(matrix.get(1).findElements(By.tagName("td")))
                .extracting(WebElement::getText)
                .containsExactly(cm.path("fp").asText(), cm.path("tn").asText());
        assertThat(browser.find("#table-cv-summary").getText()).contains("Accuracy", "F1 score", "±");
        // the folds named alike in the table, the ROC chart and its AUC table
        List<String> foldNames = browser.driver.findElements(By.cssSelector("#table-cv-folds tbody th")).stream()
                .map(WebElement::getText)
                .toList();
        assertThat(foldNames).hasSize(logistic.path("roc_curves").size()).startsWith("Fold 1");
        assertThat(browser.driver.findElements(By.cssSelector("#table-auc tbody th")))
                .extracting(WebElement::getText)
                .isEqualTo(foldNames);
        assertThat(browser.paintedPixels(browser.find("#chart-roc"))).isGreaterThan(2000);
    }

    @Test
    @Order(12)
    void kaplanMeierWithTheDefaultBinWidthShowsCurvesByGroupMediansAndNumbersAtRisk() {
        go("#/analyse");
        chooseVariables(List.of("subjectageyears"), List.of("alzheimerbroadcategory", "gender"));
        chooseAlgorithm("kaplan_meier");
        new Select(browser.find("#param-event_level")).selectByValue("AD");
        // a hundredth of the age's range (0 to 130), rounded up to 2 years: each node joins the bins too sparse for
        // its minimum to the next ones, where this width used to be refused
        assertThat(browser.find("#param-bin_width").getAttribute("value")).isEqualTo("2");
        assertThat(browser.find("#param-join_sparse_bins").isSelected()).isTrue();
        browser.find("#run").click();
        awaitFinished();
        browser.screenshot("results-kaplan-meier");
        JsonNode result =
                federation.admin().get("/experiments/" + experimentId()).path("result");
        assertThat(browser.driver.findElements(By.cssSelector("#table-at-risk tbody th")))
                .extracting(WebElement::getText)
                .containsExactlyInAnyOrder("Female (F)", "Male (M)");
        List<WebElement> medians = browser.driver.findElements(By.cssSelector("#table-medians tbody tr"));
        assertThat(medians).hasSize(result.path("curves").size());
        WebElement chart = browser.find("#chart-kaplan-meier .chart");
        assertThat(chart.getAttribute("aria-label")).contains("Age Years (years)", "starting at 1");
        assertThat(browser.paintedPixels(browser.find("#chart-kaplan-meier"))).isGreaterThan(2000);
        // numbers at risk: the first column is every row of the group
        for (WebElement row : browser.driver.findElements(By.cssSelector("#table-at-risk tbody tr"))) {
            String group = row.findElement(By.tagName("th")).getText().endsWith("(F)") ? "F" : "M";
            JsonNode curve = java.util.stream.StreamSupport.stream(
                            result.path("curves").spliterator(), false)
                    .filter(c -> c.path("group").asText().equals(group))
                    .findFirst()
                    .orElseThrow();
            assertThat(row.findElements(By.tagName("td")).get(0).getText())
                    .isEqualTo(curve.path("n_risk").get(0).asText());
        }
        assertThat(browser.find("#table-logrank-test").getText()).contains("p-value");
        // a real curve: several steps in each group, not one
        for (JsonNode curve : result.path("curves")) {
            long steps = java.util.stream.StreamSupport.stream(
                            curve.path("n_event").spliterator(), false)
                    .filter(d -> d.asLong() > 0)
                    .count();
            assertThat(steps).as("steps of %s", curve.path("group").asText()).isGreaterThan(3);
        }
    }

    @Test
    @Order(13)
    void tTestAndAnovaAreTablesInWordsWithTukeyPairs() {
        go("#/analyse");
        chooseVariables(List.of("lefthippocampus"), List.of("gender"));
        chooseAlgorithm("ttest_independent");
        new Select(browser.find("#param-groupA")).selectByValue("F");
        new Select(browser.find("#param-groupB")).selectByValue("M");
        browser.find("#run").click();
        awaitFinished();
        browser.screenshot("results-ttest");
        JsonNode ttest =
                federation.admin().get("/experiments/" + experimentId()).path("result");
        String table = browser.find("#table-ttest").getText();
        assertThat(table)
                .contains("t statistic", "Cohen’s d (effect size)", "p-value")
                .doesNotContain("t_stat");
        double p = ttest.path("p").asDouble();
        assertThat(browser.find("#table-ttest td.p-value").getText())
                .isEqualTo(
                        p < 0.001
                                ? "< 0.001"
                                : new java.math.BigDecimal(p)
                                        .round(new java.math.MathContext(3))
                                        .stripTrailingZeros()
                                        .toPlainString());

        go("#/analyse");
        chooseVariables(List.of("lefthippocampus"), List.of("alzheimerbroadcategory"));
        chooseAlgorithm("anova_oneway");
        browser.find("#run").click();
        awaitFinished();
        browser.screenshot("results-anova");
        JsonNode anova =
                federation.admin().get("/experiments/" + experimentId()).path("result");
        List<WebElement> source = browser.driver.findElements(By.cssSelector("#table-anova tbody tr"));
        assertThat(source).hasSize(2);
        assertThat(source.get(0).getText()).startsWith("Alzheimer Broad Category (between groups)");
        assertThat(value(source.get(0).findElements(By.tagName("td")).get(3)))
                .isCloseTo(anova.path("anova_table").path("f_stat").asDouble(), within(1e-9));
        List<WebElement> pairs = browser.driver.findElements(By.cssSelector("#table-tukey tbody tr"));
        assertThat(pairs).hasSize(anova.path("tuckey_test").size()).isNotEmpty();
        assertThat(pairs.get(0).findElement(By.tagName("th")).getText()).endsWith(")"); // a level's label and code
        assertThat(pairs)
                .allSatisfy(r -> assertThat(
                                r.findElement(By.cssSelector("td.p-value")).getText())
                        .matches("< 0\\.001|[0-9.]+(E-?[0-9]+)?"));
    }

    @Test
    @Order(14)
    void editAndRunReopensAnalysePrefilledThenHistoryFindsAndDeletesTheNamedExperiment() {
        // from the Kaplan–Meier result of test 12
        go("#/history");
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("history-search")))
                .sendKeys("Kaplan");
        browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("history-count"), "match"));
        browser.find("#history-table tbody tr a").click();
        browser.await(ExpectedConditions.elementToBeClickable(By.id("edit-and-run")))
                .click();
        browser.await(
                ExpectedConditions.presenceOfElementLocated(By.cssSelector("#chosen-y li[data-code=subjectageyears]")));
        assertThat(browser.driver.findElements(By.cssSelector("#chosen-x li.variable-chip")))
                .extracting(e -> e.getAttribute("data-code"))
                .containsExactly("alzheimerbroadcategory", "gender");
        assertThat(new Select(browser.find("#algorithm"))
                        .getFirstSelectedOption()
                        .getAttribute("value"))
                .isEqualTo("kaplan_meier");
        assertThat(browser.find("#param-bin_width").getAttribute("value")).isEqualTo("2");
        assertThat(new Select(browser.find("#param-event_level"))
                        .getFirstSelectedOption()
                        .getAttribute("value"))
                .isEqualTo("AD");
        new Select(browser.find("#param-event_level")).selectByValue("CN");
        // one bin: the nodes' differencing history refuses a second curve in 2-year bins over the same rows (its
        // cells a few rows from test 12's), which the node tests show for every other width
        WebElement width = browser.find("#param-bin_width");
        width.clear();
        width.sendKeys("100");
        String name = "Time to a CN diagnosis by gender";
        browser.find("#experiment-name").sendKeys(name);
        browser.find("#run").click();
        awaitFinished();
        assertThat(browser.find("#experiment-title").getText()).startsWith(name);
        assertThat(browser.driver.getTitle()).isEqualTo(name + " · MIP Federation");
        String id = experimentId();
        assertThat(federation
                        .admin()
                        .get("/experiments/" + id)
                        .path("request")
                        .path("parameters")
                        .path("event_level")
                        .asText())
                .isEqualTo("CN");

        go("#/history");
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("history-search")))
                .sendKeys("CN diagnosis");
        browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("history-count"), "1 of"));
        WebElement row = browser.find("#history-table tbody tr[data-id='" + id + "']");
        assertThat(row.getText()).contains(name, "Kaplan", "Age Years (years)");
        browser.screenshot("history-search");
        row.findElement(By.cssSelector(".delete-experiment")).click();
        browser.await(ExpectedConditions.alertIsPresent()).accept();
        browser.await(ExpectedConditions.invisibilityOfElementLocated(
                By.cssSelector("#history-table tbody tr[data-id='" + id + "']")));
        assertThatThrownBy(() -> federation.admin().get("/experiments/" + id))
                .isInstanceOfSatisfying(
                        Problem.class, p -> assertThat(p.status()).isEqualTo(404));
    }

    @Test
    @Order(15)
    void aFrozenHospitalIsShownACancelStopsTheWaitAndAPartialRunNamesWhoWasMissing() {
        // frozen: connected but silent. An analysis sent now waits for it; Cancel stops it.
        federation.pauseNode("uoa");
        try {
            ObjectNode body = request(List.of("rightamygdala"), List.of(), null);
            body.put("algorithm", "multiple_histograms");
            body.putObject("parameters").put("bins", 7);
            String id = federation.admin().post("/experiments", body).path("id").asText();
            go("#/experiments/" + id);
            browser.await(ExpectedConditions.or(
                    ExpectedConditions.elementToBeClickable(By.id("cancel")),
                    ExpectedConditions.visibilityOfElementLocated(By.id("experiment-error"))));
            assertThat(browser.driver.findElements(By.id("experiment-error")).stream()
                            .map(WebElement::getText)
                            .toList())
                    .as("the experiment ended before it could be cancelled")
                    .isEmpty();
            // per hospital: the frozen one is the one it waits for
            browser.await(ExpectedConditions.textToBePresentInElementLocated(
                    By.cssSelector("#hospital-progress li[data-node=uoa]"), "waiting for its answer"));
            assertThat(browser.find("#hospital-progress li[data-node=chuv]").getText())
                    .contains("answered");
            browser.screenshot("experiment-running");
            browser.find("#cancel").click();
            browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("experiment-cancelled")));
            assertThat(browser.find("#experiment-state").getText()).isEqualTo("cancelled");
            assertThat(federation
                            .admin()
                            .get("/experiments/" + id)
                            .path("status")
                            .asText())
                    .isEqualTo("cancelled");
            // the hospitals that are up stop it too, and say so: on the page, in the API and in their audit logs
            browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("stopped-on-nodes"), "epfl"));
            browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("stopped-on-nodes"), "chuv"));
            assertStoppedOnTheNodes(id, "chuv", "epfl");

            // once the manager has found it silent, Analyse names it down with what it removes
            LocalFederation.await(
                    Duration.ofSeconds(20),
                    "uoa reported down",
                    () -> java.util.stream.StreamSupport.stream(
                                    federation
                                            .admin()
                                            .get("/healthcheck")
                                            .path("nodes")
                                            .spliterator(),
                                    false)
                            .anyMatch(n -> n.path("alias").asText().equals("uoa")
                                    && n.path("status").asText().equals("down")));
            go("#/analyse");
            chooseVariables(List.of("lefthippocampus"), List.of("righthippocampus"));
            assertThat(browser.find("#hospital-states li[data-node=uoa]").getText())
                    .contains("down since")
                    .contains("DESD-synthdata_0");
            assertThat(browser.find("#hospitals-away").getText()).contains("uoa");
            // its datasets chosen anyway: refused at once, before anything is sent
            browser.find("#datasets-details summary").click();
            browser.find("#datasets input[value=desd-synthdata0]").click();
            chooseAlgorithm("linear_regression");
            browser.find("#run").click();
            browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("validation")));
            assertThat(browser.find("#validation").getText()).contains("desd-synthdata0", "uoa", "not available now");
            browser.screenshot("analyse-hospital-down");
            // run with the hospitals available: the result says who was missing
            browser.find("#allow-partial").click();
            WebElement min = browser.find("#min-nodes");
            min.clear();
            min.sendKeys("2");
            browser.find("#run").click();
            awaitFinished();
            browser.screenshot("results-partial");
            assertThat(browser.find("#missing-hospitals").getText()).contains("desd-synthdata0");
            assertThat(browser.find("#contributing-nodes").getText())
                    .contains("chuv", "epfl")
                    .doesNotContain("uoa");
            JsonNode partial = federation.admin().get("/experiments/" + experimentId());
            assertThat(partial.path("request")
                            .path("flags")
                            .path("allow_partial")
                            .asBoolean())
                    .isTrue();
            assertThat(partial.path("result").path("missing_datasets").toString())
                    .contains("desd-synthdata0");

            // the admin page says down since when, and keeps when it was last seen
            go("#/admin");
            WebElement uoa = browser.await(
                    ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#nodes-table tr[data-node=uoa]")));
            assertThat(uoa.findElement(By.cssSelector(".state")).getText()).contains("down since");
            assertThat(uoa.findElement(By.cssSelector(".last-seen")).getText())
                    .isNotEmpty()
                    .doesNotContain("not since");
            browser.screenshot("admin-node-down");
        } finally {
            federation.resumeNode("uoa");
            federation.awaitReady(Duration.ofSeconds(60), "uoa");
        }
    }

    @Test
    @Order(16)
    void anAdministratorChangesRolesPasswordsAndStatesWithoutTheApiAndReadsTheAuditLog() throws Exception {
        go("#/admin");
        assertThat(browser.driver.getTitle()).isEqualTo("Administer · MIP Federation");
        // the only active admin can be neither demoted, disabled nor deleted
        WebElement admin = browser.await(
                ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#users-table tr[data-user=admin]")));
        assertThat(admin.findElement(By.cssSelector(".delete-user")).isEnabled())
                .isFalse();
        assertThat(admin.findElement(By.cssSelector(".toggle-user")).isEnabled())
                .isFalse();
        assertThat(admin.findElement(By.cssSelector(".user-role")).isEnabled()).isFalse();
        assertThat(admin.findElement(By.cssSelector(".last-admin")).getText()).contains("only active administrator");

        // role
        new Select(userRow().findElement(By.cssSelector(".user-role"))).selectByValue("admin");
        browser.await(ExpectedConditions.alertIsPresent()).accept();
        browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("users-message"), "is now an admin"));
        assertThat(federation.admin().get("/admin/users").findValues("username").size())
                .isGreaterThan(1);
        assertThat(role(RESEARCHER)).isEqualTo("admin");
        new Select(userRow().findElement(By.cssSelector(".user-role"))).selectByValue("researcher");
        browser.await(ExpectedConditions.alertIsPresent()).accept();
        browser.await(
                ExpectedConditions.textToBePresentInElementLocated(By.id("users-message"), "is now a researcher"));
        assertThat(role(RESEARCHER)).isEqualTo("researcher");

        // password
        String newPassword = "amygdala-volumes-77";
        userRow().findElement(By.cssSelector(".reset-password")).sendKeys(newPassword);
        userRow().findElement(By.cssSelector(".reset-password-form button")).click();
        browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("users-message"), "New password set"));
        assertThat(login(RESEARCHER, newPassword)).isEqualTo(200);
        assertThat(login(RESEARCHER, RESEARCHER_PASSWORD)).isEqualTo(401);

        // disable, enable
        userRow().findElement(By.cssSelector(".toggle-user")).click();
        browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("users-message"), "disabled"));
        assertThat(userRow().findElement(By.cssSelector(".user-state")).getText())
                .isEqualTo("disabled");
        assertThat(login(RESEARCHER, newPassword)).isNotEqualTo(200);
        userRow().findElement(By.cssSelector(".toggle-user")).click();
        browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("users-message"), "enabled"));
        assertThat(login(RESEARCHER, newPassword)).isEqualTo(200);
        browser.screenshot("admin-users-actions");

        // the audit log: filtered by action, readable details, pages of 25
        WebElement before = browser.find("#audit-action");
        browser.find("#audit-refresh").click();
        browser.await(ExpectedConditions.stalenessOf(before));
        new Select(browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("audit-action"))))
                .selectByValue("user.change");
        browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("audit-count"), "of the newest"));
        List<WebElement> changes = browser.driver.findElements(By.cssSelector("#audit-table tbody tr"));
        assertThat(changes)
                .hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy(r -> assertThat(r.getAttribute("data-action")).isEqualTo("user.change"));
        assertThat(changes.get(0).getText())
                .contains("changed a user", RESEARCHER)
                .doesNotContain("{\"");
        new Select(browser.find("#audit-action")).selectByValue("");
        assertThat(browser.driver.findElements(By.cssSelector("#audit-table tbody tr")))
                .hasSize(25);
        browser.find("#audit-older").click();
        browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("audit-count"), "page 2"));
        browser.screenshot("admin-audit");

        // the real join command, and the nodes' states in words
        browser.find("#show-worker-token").click();
        WebElement command = browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("join-command")));
        String token = federation
                .admin()
                .get("/admin/join-tokens/worker")
                .path("token")
                .asText();
        assertThat(command.getAttribute("value"))
                .startsWith("mipfed node join --token " + token + " ")
                .endsWith(":" + federation.grpcPort());
        assertThat(browser.find("#nodes-table tr[data-node=chuv] .state").getText())
                .contains("available");
    }

    private static WebElement userRow() {
        return browser.await(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#users-table tr[data-user=" + RESEARCHER + "]")));
    }

    private static String role(String user) {
        for (JsonNode u : federation.admin().get("/admin/users")) {
            if (u.path("username").asText().equals(user)) {
                return u.path("role").asText();
            }
        }
        throw new AssertionError("no user " + user);
    }

    private static int login(String user, String password) throws IOException, InterruptedException {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(portal + "auth/login"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(Json.mapper()
                                        .createObjectNode()
                                        .put("username", user)
                                        .put("password", password)
                                        .toString()))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static double value(WebElement cell) {
        return Double.parseDouble(cell.getAttribute("data-value"));
    }

    /** Signs in as the admin unless signed in as the admin already. */
    /**
     * A cross-validation shows its folds while it runs (done, running, to do); it is held in a fold by freezing a
     * hospital once its folds have started, then cancelled: the hospitals that are up stop it and confirm it.
     */
    @Test
    @Order(17)
    void aCrossValidationShowsItsFoldsWhileItRunsAndItsCancelStopsItOnTheNodes() throws Exception {
        asAdmin();
        ObjectNode body = request(List.of("gender"), List.of("lefthippocampus", "righthippocampus"), null);
        body.put("algorithm", "logistic_regression_cv");
        ((ObjectNode) body.get("parameters")).put("positive_class", "M");
        String id = null;
        JsonNode folds = null;
        try {
            // the same request as test 11's: its rows are answered already; frozen as soon as its folds started
            for (int attempt = 0; attempt < 5 && folds == null; attempt++) {
                id = federation.admin().post("/experiments", body).path("id").asText();
                long until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (System.nanoTime() < until) {
                    JsonNode experiment = federation.admin().get("/experiments/" + id);
                    if (experiment.has("fold_progress")) {
                        federation.pauseNode("uoa");
                        folds = experiment.path("fold_progress");
                        break;
                    }
                    if (!experiment.path("status").asText().matches("pending|running")) {
                        break; // finished before it could be held: again
                    }
                    Thread.sleep(10);
                }
            }
            assertThat(folds).as("a cross-validation seen between its folds").isNotNull();
            go("#/experiments/" + id);
            browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("fold-progress")));
            // read in one go: the status is drawn again at every poll
            @SuppressWarnings("unchecked")
            List<String> items = (List<String>) ((org.openqa.selenium.JavascriptExecutor) browser.driver)
                    .executeScript("return [document.querySelector('#fold-progress p').textContent,"
                            + " ...[...document.querySelectorAll('#fold-progress li.fold')]"
                            + ".map((li) => li.dataset.state + '|' + li.textContent)]");
            assertThat(items.get(0)).containsPattern("Fold \\d+ of 5");
            List<String> foldItems = items.subList(1, items.size());
            assertThat(foldItems).hasSize(5);
            assertThat(foldItems).filteredOn(e -> e.startsWith("running|")).hasSize(1);
            int current = federation
                    .admin()
                    .get("/experiments/" + id)
                    .path("fold_progress")
                    .path("current")
                    .asInt();
            assertThat(foldItems).filteredOn(e -> e.startsWith("done|")).hasSize(current - 1);
            assertThat(foldItems.get(current - 1)).isEqualTo("running|Fold " + current + ": running");
            browser.screenshot("experiment-folds");
            browser.find("#cancel").click();
            browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("experiment-cancelled")));
            browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("stopped-on-nodes"), "epfl"));
            browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("stopped-on-nodes"), "chuv"));
            assertStoppedOnTheNodes(id, "chuv", "epfl");
            browser.screenshot("experiment-cancelled-on-nodes");
        } finally {
            federation.resumeNode("uoa");
            federation.awaitReady(Duration.ofSeconds(60), "uoa");
        }
    }

    /** The node actions not met above: a label added and removed, and a removal asked for and declined. */
    @Test
    @Order(18)
    void anAdministratorLabelsANodeAndIsAskedBeforeRemovingOne() {
        asAdmin();
        go("#/admin");
        By chuv = By.cssSelector("#nodes-table tr[data-node=chuv]");
        browser.await(ExpectedConditions.visibilityOfElementLocated(chuv))
                .findElement(By.cssSelector("input[aria-label^='Label for chuv']"))
                .sendKeys("site=lausanne");
        browser.find("#nodes-table tr[data-node=chuv] form.inline button[type=submit]")
                .click();
        browser.await(ExpectedConditions.textToBePresentInElementLocated(chuv, "site=lausanne"));
        assertThat(node("chuv").path("labels").path("site").asText()).isEqualTo("lausanne");
        browser.screenshot("admin-node-labelled");
        browser.find("#nodes-table tr[data-node=chuv] button[aria-label='Remove label site from chuv']")
                .click();
        browser.await(ExpectedConditions.not(ExpectedConditions.textToBePresentInElementLocated(chuv, "site=")));
        assertThat(node("chuv").path("labels").has("site")).isFalse();
        // removing asks first; declined, the node stays a member
        browser.find("#nodes-table tr[data-node=chuv] .remove-node").click();
        assertThat(browser.await(ExpectedConditions.alertIsPresent()).getText())
                .contains("Remove node chuv?", "must join again");
        browser.driver.switchTo().alert().dismiss();
        assertThat(browser.driver.findElements(chuv)).hasSize(1);
        assertThat(node("chuv").isMissingNode()).isFalse();
    }

    /** PCA's transformations are a form of check boxes, not JSON, and its two entries are told apart by name. */
    @Test
    @Order(19)
    void pcaTransformationsAreChosenWithCheckBoxesAndTheTwoPcaEntriesDiffer() {
        asAdmin();
        go("#/analyse");
        chooseVariables(List.of("leftamygdala", "lefthippocampus", "rightamygdala"), List.of());
        chooseAlgorithm("pca_with_transformation");
        List<String> pcaEntries = new Select(browser.find("#algorithm"))
                .getOptions().stream()
                        .filter(o -> o.getAttribute("value").startsWith("pca"))
                        .map(WebElement::getText)
                        .toList();
        assertThat(pcaEntries).hasSize(2).doesNotHaveDuplicates();
        WebElement form = browser.find("#param-data_transformation");
        assertThat(form.getTagName()).isEqualTo("table");
        assertThat(form.findElements(By.cssSelector("tbody tr"))).hasSize(3);
        assertThat(form.findElements(By.cssSelector("input.transform[type=checkbox]")))
                .hasSize(12);
        form.findElement(By.cssSelector("input.transform[data-method=standardize][data-variable=leftamygdala]"))
                .click();
        browser.find("#run").click();
        awaitFinished();
        browser.screenshot("results-pca-transformed");
        JsonNode request =
                federation.admin().get("/experiments/" + experimentId()).path("request");
        assertThat(request.path("parameters").path("data_transformation").toString())
                .isEqualTo("{\"standardize\":[\"leftamygdala\"]}");
    }

    private static JsonNode node(String alias) {
        for (JsonNode n : federation.admin().get("/admin/nodes")) {
            if (alias.equals(n.path("alias").asText())) {
                return n;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    @Test
    @Order(20)
    void theNodeListComesInPagesSearchedAndFilteredInTheApiAndThePortal() {
        // the API: unpaged, the array older clients read; with limit/offset a page with the totals; filters in both
        assertThat(federation.admin().get("/admin/nodes").isArray()).isTrue();
        JsonNode first = federation.admin().get("/admin/nodes?limit=2");
        assertThat(first.path("total").asInt()).isEqualTo(3);
        assertThat(first.path("matched").asInt()).isEqualTo(3);
        assertThat(first.path("nodes")).hasSize(2);
        assertThat(first.path("next_offset").asInt()).isEqualTo(2);
        JsonNode second = federation.admin().get("/admin/nodes?limit=2&offset=2");
        assertThat(second.path("nodes")).hasSize(1);
        assertThat(second.path("next_offset").isNull()).isTrue();
        List<String> paged = new ArrayList<>();
        first.path("nodes").forEach(n -> paged.add(n.path("alias").asText()));
        second.path("nodes").forEach(n -> paged.add(n.path("alias").asText()));
        List<String> unpaged = new ArrayList<>();
        federation
                .admin()
                .get("/admin/nodes")
                .forEach(n -> unpaged.add(n.path("alias").asText()));
        assertThat(paged)
                .as("the pages follow one another in the unpaged order")
                .isEqualTo(unpaged);
        JsonNode found = federation.admin().get("/admin/nodes?q=EPF");
        assertThat(found).hasSize(1);
        assertThat(found.get(0).path("alias").asText()).isEqualTo("epfl");
        // a dataset's code finds its node too
        String dataset = found.get(0).path("datasets").elements().next().get(0).asText();
        assertThat(federation.admin().get("/admin/nodes?limit=10&q=" + dataset).path("nodes"))
                .extracting(n -> n.path("alias").asText())
                .contains("epfl");
        assertThat(federation
                        .admin()
                        .get("/admin/nodes?status=down&limit=10")
                        .path("matched")
                        .asInt())
                .isZero();
        assertThat(federation.admin().get("/admin/nodes?label=name=uoa")).hasSize(1);
        assertThatThrownBy(() -> federation.admin().get("/admin/nodes?limit=0"))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.status()).isEqualTo(400);
                    assertThat(p.getMessage()).contains("limit must be a whole number from 1 to 1000");
                });
        assertThatThrownBy(() -> federation.admin().get("/admin/nodes?status=up"))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.status()).isEqualTo(400);
                    assertThat(p.getMessage()).contains("status must be one of ready, down");
                });

        // the portal: two nodes a page, then the next page
        asAdmin();
        go("#/admin");
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("nodes-table")));
        assertThat(browser.find("#nodes-count").getText()).isEqualTo("Nodes 1–3 of 3");
        WebElement size = browser.find("#nodes-limit");
        size.clear();
        size.sendKeys("2", Keys.ENTER);
        browser.await(ExpectedConditions.textToBe(By.id("nodes-count"), "Nodes 1–2 of 3"));
        assertThat(browser.driver.findElements(By.cssSelector("#nodes-table tbody tr")))
                .hasSize(2);
        assertThat(browser.find("#nodes-prev").isEnabled()).isFalse();
        browser.find("#nodes-next").click();
        browser.await(ExpectedConditions.textToBe(By.id("nodes-count"), "Nodes 3–3 of 3"));
        assertThat(browser.driver.findElements(By.cssSelector("#nodes-table tbody tr")))
                .extracting(r -> r.getAttribute("data-node"))
                .containsExactly(unpaged.get(2));
        assertThat(browser.find("#nodes-next").isEnabled()).isFalse();
        // searched: the page size stays, the search finds one node
        WebElement search = browser.find("#nodes-search");
        search.sendKeys("chu", Keys.ENTER);
        browser.await(ExpectedConditions.textToBe(By.id("nodes-count"), "Nodes 1–1 of 1 matching (3 in all)"));
        assertThat(browser.driver.findElements(By.cssSelector("#nodes-table tbody tr")))
                .extracting(r -> r.getAttribute("data-node"))
                .containsExactly("chuv");
        // filtered by connection: no node is down
        search = browser.find("#nodes-search");
        search.clear();
        new Select(browser.find("#nodes-status")).selectByValue("down");
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("nodes-none")));
        assertThat(browser.find("#nodes-count").getText()).isEqualTo("No nodes matching (3 in all)");
        browser.screenshot("admin-nodes-filtered");
    }

    /** The API names the nodes that confirmed the cancel, and each of them audited it under the experiment's id. */
    private static void assertStoppedOnTheNodes(String id, String... aliases) {
        LocalFederation.await(Duration.ofSeconds(30), "the nodes confirm the cancel", () -> {
            JsonNode stopped = federation.admin().get("/experiments/" + id).path("stopped_on_nodes");
            return java.util.Arrays.stream(aliases).allMatch(stopped::has);
        });
        for (String alias : aliases) {
            try {
                assertThat(Files.readAllLines(federation.node(alias).paths().auditLog()).stream()
                                .map(line -> {
                                    try {
                                        return Json.mapper().readTree(line);
                                    } catch (IOException e) {
                                        throw new UncheckedIOException(e);
                                    }
                                })
                                .toList())
                        .as("the audit log of %s", alias)
                        .anySatisfy(line -> {
                            assertThat(line.path("event").asText()).isEqualTo("analysis_cancel");
                            assertThat(line.path("analysis_id").asText()).isEqualTo(id);
                            assertThat(line.path("requester").asText()).isEqualTo("admin");
                        });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void asAdmin() {
        go("#/explore");
        browser.await(ExpectedConditions.or(
                ExpectedConditions.visibilityOfElementLocated(By.id("signin")),
                ExpectedConditions.visibilityOfElementLocated(By.id("who-name"))));
        if (browser.driver.findElements(By.id("signin")).isEmpty()
                && browser.find("#who-name").getText().startsWith("admin ")) {
            return;
        }
        if (browser.driver.findElements(By.id("signin")).isEmpty()) {
            browser.find("#sign-out").click();
            browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("signin")));
        }
        signIn("admin", adminPassword());
        browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("who-name"), "admin (admin)"));
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

    /** Picks variables from the tree with the mouse: searches each by its code and clicks "+ Dependent" or "+ Covariate". */
    private static void chooseVariables(List<String> y, List<String> x) {
        startAfresh(); // the draft survives navigation
        for (String code : y) {
            pick(code, "y");
        }
        for (String code : x) {
            pick(code, "x");
        }
    }

    /** Clicks "Start afresh" and waits for the form drawn again. */
    private static void startAfresh() {
        WebElement old = browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("variable-search")));
        browser.find("#reset-analysis").click();
        browser.await(ExpectedConditions.stalenessOf(old));
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("variable-search")));
    }

    private static void pick(String code, String role) {
        WebElement search = browser.find("#variable-search");
        search.clear();
        search.sendKeys(code);
        browser.await(ExpectedConditions.elementToBeClickable(
                        By.cssSelector("#variable-tree li.variable[data-code='" + code + "'] button.add-" + role)))
                .click();
        browser.await(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#chosen-" + role + " li[data-code='" + code + "']")));
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
        assertThat(browser.driver.findElements(By.id("experiment-error")).stream()
                        .map(WebElement::getText)
                        .toList())
                .as("the experiment failed")
                .isEmpty();
    }

    private static String experimentId() {
        String url = browser.driver.getCurrentUrl();
        return url.substring(url.lastIndexOf('/') + 1);
    }

    /** The datasets Analyse offers from available hospitals. */
    private static List<String> datasetsOffered() {
        return browser
                .driver
                .findElements(By.cssSelector("#datasets input[name=dataset][data-available=true]"))
                .stream()
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
