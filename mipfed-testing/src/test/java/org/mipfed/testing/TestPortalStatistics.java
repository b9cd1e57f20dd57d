package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The portal's views of the statistics of issue #20 (views/contingency_table.js with strata, views/linear_mixed_model.js,
 * views/cox_regression.js, views/quantiles.js and descriptive statistics' pooled box plot), in real headless Chromium against a
 * real federation of one node process holding edsd0..9, checked against the REST API's own answer.
 */
class TestPortalStatistics {
    private static final String MODEL = "dementia:0.1";

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
        List<Path> csvs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            csvs.add(data.resolve("edsd" + i + ".csv"));
        }
        federation.addNode(
                "chuv", null, 10, List.of(new LocalFederation.DataImport(data.resolve("CDEsMetadata.json"), csvs)));
        federation.start("all");
        federation.awaitReady(Duration.ofSeconds(180), "chuv");
        browser = PortalBrowser.start(Files.createDirectories(dir.resolve("downloads")));
        portal = "http://127.0.0.1:" + federation.httpPort() + "/";
        browser.driver.get(portal);
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("signin")));
        browser.find("#signin input[name=username]").sendKeys("admin");
        browser.find("#signin input[name=password]").sendKeys(federation.adminPassword());
        browser.find("#signin-submit").click();
        browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("who-name"), "admin (admin)"));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (federation != null) {
            federation.close();
        }
    }

    @Test
    void contingencyTableShowsTheCountsWithTheirExpectedCountsTheTestsAndTheBars() {
        JsonNode expected =
                federation.admin().post("/algorithms/contingency_table", request("gender", "alzheimerbroadcategory"));
        run(List.of("gender"), List.of("alzheimerbroadcategory"), "contingency_table");
        browser.screenshot("results-contingency-table");

        List<WebElement> rows = browser.driver.findElements(By.cssSelector("#table-contingency tbody tr"));
        assertThat(rows).hasSize(expected.path("row_levels").size() + 1);
        for (int i = 0; i < expected.path("row_levels").size(); i++) {
            assertThat(rows.get(i).findElement(By.tagName("th")).getText())
                    .isEqualTo(expected.path("row_levels").get(i).asText());
            List<WebElement> cells = rows.get(i).findElements(By.tagName("td"));
            for (int j = 0; j < expected.path("col_levels").size(); j++) {
                assertThat(cells.get(j).getAttribute("data-value"))
                        .isEqualTo(expected.path("counts").get(i).get(j).asText());
                double shown = Double.parseDouble(
                        cells.get(j).findElement(By.cssSelector(".expected")).getAttribute("data-value"));
                assertThat(shown)
                        .isCloseTo(expected.path("expected").get(i).get(j).asDouble(), within(1e-9));
            }
            assertThat(cells.get(cells.size() - 1).getAttribute("data-value"))
                    .isEqualTo(expected.path("row_totals").get(i).asText());
        }
        List<WebElement> tests = browser.driver.findElements(By.cssSelector("#table-contingency-tests tbody tr"));
        assertThat(tests.get(0).getText()).contains("chi-squared");
        double p = Double.parseDouble(
                tests.get(0).findElements(By.tagName("td")).get(2).getAttribute("data-value"));
        assertThat(p).isCloseTo(expected.path("chi_squared").path("p_value").asDouble(), within(1e-12));
        double fisher = Double.parseDouble(
                tests.get(2).findElements(By.tagName("td")).get(2).getAttribute("data-value"));
        assertThat(fisher)
                .isCloseTo(expected.path("fisher_exact").path("p_value").asDouble(), within(1e-12));
        assertThat(tests.get(3).getText()).contains("Cramér");
        assertThat(browser.paintedPixels(browser.find("#chart-contingency")))
                .as("painted pixels of the bars")
                .isGreaterThan(2000);
    }

    @Test
    void linearMixedModelShowsItsCoefficientsForestPlotVarianceComponentsAndRandomIntercepts() {
        JsonNode expected = federation
                .admin()
                .post(
                        "/algorithms/linear_mixed_model",
                        request("lefthippocampus", List.of("subjectageyears", "gender")));
        run(List.of("lefthippocampus"), List.of("subjectageyears", "gender"), "linear_mixed_model");
        browser.screenshot("results-linear-mixed-model");

        List<WebElement> rows = browser.driver.findElements(By.cssSelector("#table-coefficients tbody tr"));
        assertThat(rows).hasSize(expected.path("indep_vars").size());
        for (int i = 0; i < rows.size(); i++) {
            List<WebElement> cells = rows.get(i).findElements(By.tagName("td"));
            assertThat(Double.parseDouble(cells.get(0).getAttribute("data-value")))
                    .isCloseTo(expected.path("coefficients").get(i).asDouble(), within(1e-12));
            assertThat(Double.parseDouble(cells.get(2).getAttribute("data-value")))
                    .as("t")
                    .isCloseTo(expected.path("t_values").get(i).asDouble(), within(1e-9));
        }
        assertThat(browser.paintedPixels(browser.find("#chart-forest"))).isGreaterThan(2000);
        List<WebElement> components =
                browser.driver.findElements(By.cssSelector("#table-variance-components tbody tr"));
        assertThat(Double.parseDouble(
                        components.get(0).findElements(By.tagName("td")).get(0).getAttribute("data-value")))
                .isCloseTo(expected.path("group_variance").asDouble(), within(1e-15));
        List<WebElement> intercepts = browser.driver.findElements(By.cssSelector("#table-random-effects tbody tr"));
        assertThat(intercepts)
                .hasSize(expected.path("random_effects").path("groups").size());
        assertThat(intercepts.get(0).findElement(By.tagName("th")).getText())
                .isEqualTo(expected.path("random_effects").path("groups").get(0).asText());
        assertThat(browser.paintedPixels(browser.find("#chart-random-effects"))).isGreaterThan(2000);
    }

    @Test
    void quantilesShowTheirTableAndThePooledBoxPlot() {
        // minimentalstate's integer values tie in groups of several rows: the bisection's thresholds never isolate a
        // row, so the node's differencing rule (minimum cell count 3) answers every round
        JsonNode expected = federation.admin().post("/algorithms/quantiles", request("minimentalstate", List.of()));
        run(List.of("minimentalstate"), List.of(), "quantiles");
        browser.screenshot("results-quantiles");

        WebElement row = browser.find("#table-quantiles tbody tr[data-variable='minimentalstate']");
        List<WebElement> cells = row.findElements(By.tagName("td"));
        JsonNode variable = expected.path("variables").get(0);
        assertThat(cells.get(0).getAttribute("data-value"))
                .isEqualTo(variable.path("n").asText());
        JsonNode quantiles = variable.path("quantiles");
        assertThat(cells).hasSize(quantiles.size() + 1);
        for (int i = 0; i < quantiles.size(); i++) {
            assertThat(Double.parseDouble(cells.get(i + 1).getAttribute("data-value")))
                    .isEqualTo(quantiles.get(i).path("value").asDouble());
        }
        assertThat(browser.paintedPixels(browser.find("#chart-quantiles-box-minimentalstate")))
                .as("painted pixels of the pooled box plot")
                .isGreaterThan(1000);
    }

    @Test
    void descriptiveStatisticsDrawThePooledBoxFromExactQuartiles() {
        ObjectNode body = request("minimentalstate", List.of());
        ((ObjectNode) body.path("parameters")).put("pooled_quartiles", true);
        JsonNode described = federation.admin().post("/algorithms/descriptive_stats", body);
        JsonNode all = null;
        for (JsonNode record : described.path("variable_based")) {
            if (record.path("dataset").asText().equals("all datasets")) {
                all = record.path("data");
            }
        }
        ObjectNode quartiles = request("minimentalstate", List.of());
        ((ObjectNode) quartiles.path("parameters"))
                .putArray("probabilities")
                .add(0.25)
                .add(0.5)
                .add(0.75);
        JsonNode exact = federation
                .admin()
                .post("/algorithms/quantiles", quartiles)
                .path("variables")
                .get(0)
                .path("quantiles");
        assertThat(all).isNotNull();
        assertThat(all.path("q1").asDouble())
                .isEqualTo(exact.get(0).path("value").asDouble());
        assertThat(all.path("q2").asDouble())
                .isEqualTo(exact.get(1).path("value").asDouble());
        assertThat(all.path("q3").asDouble())
                .isEqualTo(exact.get(2).path("value").asDouble());

        run(List.of("minimentalstate"), List.of(), "descriptive_stats", "#param-pooled_quartiles");
        browser.screenshot("results-descriptive-pooled-box");
        List<WebElement> rows = browser.driver.findElements(By.cssSelector("#table-descriptive tbody tr"));
        WebElement pooled = rows.stream()
                .filter(r -> r.getText().contains("all datasets"))
                .findFirst()
                .orElseThrow();
        List<WebElement> cells = pooled.findElements(By.tagName("td"));
        // Dataset, N, Missing, Mean, Std, Min, Q1, Median, Q3, Max
        assertThat(Double.parseDouble(cells.get(6).getAttribute("data-value")))
                .isEqualTo(all.path("q1").asDouble());
        assertThat(Double.parseDouble(cells.get(8).getAttribute("data-value")))
                .isEqualTo(all.path("q3").asDouble());
        assertThat(browser.paintedPixels(browser.find("#chart-box-minimentalstate")))
                .isGreaterThan(2000);
    }

    @Test
    void aStratifiedTableShowsEachStratumAndTheMantelHaenszelTest() {
        JsonNode expected = federation
                .admin()
                .post(
                        "/algorithms/contingency_table",
                        request("alzheimerbroadcategory", List.of("edsdcategory", "gender")));
        run(List.of("alzheimerbroadcategory"), List.of("edsdcategory", "gender"), "contingency_table");
        browser.screenshot("results-contingency-stratified");

        List<WebElement> strata = browser.driver.findElements(By.cssSelector("#table-contingency-strata tbody tr"));
        assertThat(strata).hasSize(expected.path("strata").size());
        for (int k = 0; k < strata.size(); k++) {
            JsonNode stratum = expected.path("strata").get(k);
            assertThat(strata.get(k).findElement(By.tagName("th")).getText())
                    .isEqualTo(stratum.path("level").asText());
            List<WebElement> cells = strata.get(k).findElements(By.tagName("td"));
            assertThat(cells.get(0).getAttribute("data-value"))
                    .isEqualTo(stratum.path("table").path("n").asText());
            assertThat(Double.parseDouble(cells.get(3).getAttribute("data-value")))
                    .isCloseTo(
                            stratum.path("table")
                                    .path("chi_squared")
                                    .path("p_value")
                                    .asDouble(),
                            within(1e-12));
        }
        List<WebElement> mh = browser.driver.findElements(By.cssSelector("#table-mantel-haenszel tbody tr"));
        assertThat(Double.parseDouble(mh.get(2).findElement(By.tagName("td")).getAttribute("data-value")))
                .isCloseTo(expected.path("mantel_haenszel").path("p_value").asDouble(), within(1e-12));
        assertThat(browser.driver.findElements(By.cssSelector("#table-contingency-stratum-counts tbody tr")))
                .isNotEmpty();
    }

    @Test
    void coxRegressionShowsHazardRatiosWithAForestPlotTheModelTestsAndTheProportionalHazardsTest() {
        List<String> x = List.of("alzheimerbroadcategory", "lefthippocampus", "leftamygdala");
        ObjectNode request = request("subjectageyears", x);
        ((ObjectNode) request.path("parameters")).put("event_level", "AD").put("bin_width", 20);
        JsonNode expected = federation.admin().post("/algorithms/cox_regression", request);
        run(List.of("subjectageyears"), x, "cox_regression", () -> {
            new Select(browser.find("#param-event_level")).selectByValue("AD");
            // an eighth of the age's range (0 to 130), rounded up: bins the node's minimum of 10 admits
            assertThat(browser.find("#param-bin_width").getAttribute("value")).isEqualTo("20");
        });
        browser.screenshot("results-cox-regression");

        assertThat(browser.find("#modelled").getText()).contains("Alzheimer").contains("20");
        List<WebElement> rows = browser.driver.findElements(By.cssSelector("#table-coefficients tbody tr"));
        assertThat(rows).hasSize(expected.path("covariates").size());
        for (int i = 0; i < rows.size(); i++) {
            assertThat(rows.get(i).findElement(By.tagName("th")).getAttribute("data-term"))
                    .isEqualTo(expected.path("covariates").get(i).asText());
            List<WebElement> cells = rows.get(i).findElements(By.tagName("td"));
            assertThat(Double.parseDouble(cells.get(0).getAttribute("data-value")))
                    .isCloseTo(expected.path("coefficients").get(i).asDouble(), within(1e-12));
            assertThat(Double.parseDouble(cells.get(4).getAttribute("data-value")))
                    .as("hazard ratio")
                    .isCloseTo(Math.exp(expected.path("coefficients").get(i).asDouble()), within(1e-9));
            assertThat(Double.parseDouble(cells.get(5).getAttribute("data-value")))
                    .as("its lower bound")
                    .isCloseTo(expected.path("hr_lower_ci").get(i).asDouble(), within(1e-12));
        }
        assertThat(browser.paintedPixels(browser.find("#chart-forest"))).isGreaterThan(2000);
        List<WebElement> tests = browser.driver.findElements(By.cssSelector("#table-model-tests tbody tr"));
        assertThat(tests).hasSize(3);
        assertThat(Double.parseDouble(
                        tests.get(0).findElements(By.tagName("td")).get(0).getAttribute("data-value")))
                .isCloseTo(expected.path("likelihood_ratio_test").path("chisq").asDouble(), within(1e-9));
        List<WebElement> ph = browser.driver.findElements(By.cssSelector("#table-proportional-hazards tbody tr"));
        assertThat(ph).hasSize(3);
        assertThat(ph.get(2).getText()).startsWith("Global");
        assertThat(Double.parseDouble(
                        ph.get(2).findElements(By.tagName("td")).get(0).getAttribute("data-value")))
                .isCloseTo(
                        expected.path("proportional_hazards")
                                .path("global")
                                .path("chisq")
                                .asDouble(),
                        within(1e-9));
    }

    /**
     * A random slope per dataset: the form offers it (the covariates of x), and the view shows the slope's variance, its
     * correlation with the intercept, Satterthwaite's df and each dataset's slope, over the datasets whose rows all have
     * both variables.
     */
    @Test
    void linearMixedModelWithARandomSlopeShowsTheSlopeVarianceCorrelationAndSlopes() {
        List<String> datasets = List.of("edsd0", "edsd1", "edsd2", "edsd3", "edsd4", "edsd8", "edsd9");
        ObjectNode body = request("leftamygdala", List.of("lefthippocampus"));
        body.withObjectProperty("inputdata")
                .putArray("datasets")
                .addAll(datasets.stream()
                        .map(d -> Json.mapper().getNodeFactory().textNode(d))
                        .toList());
        ((ObjectNode) body.path("parameters")).put("random_slope", "lefthippocampus");
        JsonNode expected = federation.admin().post("/algorithms/linear_mixed_model", body);
        assertThat(expected.path("df_method").asText()).isEqualTo("satterthwaite");

        run(
                List.of("leftamygdala"),
                List.of("lefthippocampus"),
                "linear_mixed_model",
                datasets,
                Map.of("random_slope", "lefthippocampus"));
        browser.screenshot("results-linear-mixed-model-random-slope");
        List<WebElement> components =
                browser.driver.findElements(By.cssSelector("#table-variance-components tbody tr"));
        assertThat(components).hasSize(3);
        List<WebElement> slope = components.get(1).findElements(By.tagName("td"));
        assertThat(components.get(1).findElement(By.tagName("th")).getText()).contains("lefthippocampus");
        assertThat(Double.parseDouble(slope.get(0).getAttribute("data-value")))
                .isCloseTo(expected.path("slope_variance").asDouble(), within(1e-15));
        assertThat(Double.parseDouble(slope.get(2).getAttribute("data-value")))
                .isCloseTo(expected.path("intercept_slope_correlation").asDouble(), within(1e-12));
        List<WebElement> df = browser.driver.findElements(By.cssSelector("#table-degrees-of-freedom tbody tr"));
        assertThat(df).hasSize(2);
        assertThat(Double.parseDouble(df.get(1).findElement(By.tagName("td")).getAttribute("data-value")))
                .isCloseTo(expected.path("df").get(1).asDouble(), within(1e-9));
        List<WebElement> effects = browser.driver.findElements(By.cssSelector("#table-random-effects tbody tr"));
        assertThat(effects).hasSize(datasets.size());
        assertThat(Double.parseDouble(
                        effects.get(0).findElements(By.tagName("td")).get(1).getAttribute("data-value")))
                .isCloseTo(expected.path("random_effects").path("slopes").get(0).asDouble(), within(1e-12));
        assertThat(browser.paintedPixels(browser.find("#chart-random-effects"))).isGreaterThan(2000);
    }

    /**
     * A random slope asks each dataset's cross-products alone, and chuv's rules apply to each: a dataset narrowed by a
     * filter to fewer rows than chuv's minimum of 10 is refused, naming the node and the rule, not the rows.
     */
    @Test
    void aRandomSlopeIsRefusedWhenADatasetAloneWouldReleaseTooFewRows() {
        // edsd0 (15 rows) and edsd3 (53 rows), filtered to lefthippocampus below 2.7: edsd0 keeps 5 rows.
        ObjectNode small = request("leftamygdala", List.of("lefthippocampus"));
        small.withObjectProperty("inputdata").putArray("datasets").add("edsd0").add("edsd3");
        ((ObjectNode) small.path("parameters")).put("random_slope", "lefthippocampus");
        small.withObjectProperty("inputdata")
                .set(
                        "filters",
                        Json.mapper()
                                .createObjectNode()
                                .put("condition", "AND")
                                .set(
                                        "rules",
                                        Json.mapper()
                                                .createArrayNode()
                                                .add(Json.mapper()
                                                        .createObjectNode()
                                                        .put("id", "lefthippocampus")
                                                        .put("field", "lefthippocampus")
                                                        .put("type", "double")
                                                        .put("operator", "less")
                                                        .put("value", 2.7))));
        assertThatThrownBy(() -> federation.admin().post("/algorithms/linear_mixed_model", small))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.status()).isEqualTo(400);
                    assertThat(p.detail()).contains("Node chuv refused").doesNotContain(" 5 ");
                });
    }

    /** Picks the variables from the tree on Analyse, chooses the algorithm, ticks the boxes {@code ticked}, runs it. */
    private static void run(List<String> y, List<String> x, String algorithm, String... ticked) {
        run(y, x, algorithm, null, () -> {
            for (String box : ticked) {
                browser.find(box).click();
            }
        });
    }

    /** As {@link #run(List, List, String, String...)}, setting the parameters with {@code parameters}. */
    private static void run(List<String> y, List<String> x, String algorithm, Runnable parameters) {
        run(y, x, algorithm, null, parameters);
    }

    /** As {@link #run(List, List, String, String...)}, with only {@code datasets} ticked and the given choices. */
    private static void run(
            List<String> y, List<String> x, String algorithm, List<String> datasets, Map<String, String> parameters) {
        run(
                y,
                x,
                algorithm,
                datasets,
                () -> parameters.forEach((name, value) -> new Select(
                                browser.await(ExpectedConditions.presenceOfElementLocated(By.id("param-" + name))))
                        .selectByValue(value)));
    }

    /**
     * Picks the variables from the tree on Analyse (as a researcher does), chooses the algorithm, ticks only
     * {@code datasets} (null: all), sets its parameters and runs it.
     */
    private static void run(
            List<String> y, List<String> x, String algorithm, List<String> datasets, Runnable parameters) {
        browser.driver.get(portal + "portal/#/analyse");
        browser.await(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("main .loading")));
        // the draft survives navigation: start afresh
        WebElement old = browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("variable-search")));
        browser.find("#reset-analysis").click();
        browser.await(ExpectedConditions.stalenessOf(old));
        browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("variable-search")));
        y.forEach(code -> pick(code, "y"));
        x.forEach(code -> pick(code, "x"));
        browser.await(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#algorithm option[value=" + algorithm + "]")));
        new Select(browser.find("#algorithm")).selectByValue(algorithm);
        browser.await(ExpectedConditions.presenceOfElementLocated(By.id("parameters")));
        if (datasets != null) {
            browser.find("#datasets-summary").click();
            for (WebElement box : browser.driver.findElements(By.cssSelector("#datasets input[name=dataset]"))) {
                if (box.isSelected() != datasets.contains(box.getAttribute("value"))) {
                    box.click();
                }
            }
        }
        parameters.run();
        browser.find("#run").click();
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

    /** Searches the tree for {@code code} and adds it as dependent ({@code y}) or covariate ({@code x}). */
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

    private static ObjectNode request(String y, String x) {
        return request(y, List.of(x));
    }

    private static ObjectNode request(String y, List<String> x) {
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode input = body.putObject("inputdata");
        input.put("data_model", MODEL);
        List<String> datasets = new ArrayList<>();
        federation.admin().get("/datasets").path(MODEL).fieldNames().forEachRemaining(datasets::add);
        datasets.forEach(input.putArray("datasets")::add);
        input.putArray("y").add(y);
        x.forEach(input.putArray("x")::add);
        body.putObject("parameters");
        return body;
    }
}
