package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.cli.demo.LocalFederation;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Datasets have one owner, with real processes: a manager and two nodes over mutual TLS on loopback.
 * A second node announcing a dataset code the first owns is refused (not used, shown to admins in
 * GET /admin/nodes, the audit trail and the alert metric), ownership survives a manager restart, an
 * admin moves a dataset deliberately, a removed node releases its datasets; and a running node's
 * import refuses a dataset it holds unless --append or --replace says what to do.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestDatasetOwnership {
    private static final String DEMENTIA = "dementia:0.1";

    @TempDir
    static Path dir;

    static Path data;
    static LocalFederation federation;
    static String chuv;
    static String rogue;

    @BeforeAll
    static void createFederation() {
        data = LocalFederation.extractDementiaData(dir.resolve("data"));
        federation = LocalFederation.create(dir.resolve("fed"), 0, 0);
        chuv = federation
                .addNode(
                        "chuv",
                        null,
                        10,
                        List.of(new LocalFederation.DataImport(
                                data.resolve("CDEsMetadata.json"),
                                List.of(data.resolve("edsd0.csv"), data.resolve("edsd1.csv")))))
                .nodeId();
        federation.start("chuv");
        federation.awaitReady(Duration.ofSeconds(60), "chuv");
    }

    @AfterAll
    static void stop() {
        if (federation != null) {
            federation.close();
        }
    }

    @Test
    @Order(1)
    void aSecondNodeAnnouncingAnOwnedDatasetIsRefusedAndShownToAdmins() {
        // a second hospital imports a file whose rows carry chuv's dataset code
        rogue = federation
                .addNode(
                        "rogue",
                        null,
                        10,
                        List.of(new LocalFederation.DataImport(
                                data.resolve("CDEsMetadata.json"),
                                List.of(data.resolve("edsd0.csv"), data.resolve("ppmi0.csv")))))
                .nodeId();
        federation.start("rogue");
        federation.awaitReady(Duration.ofSeconds(60), "rogue");
        LocalFederation.await(
                Duration.ofSeconds(20),
                "rogue's conflict",
                () -> view("rogue").path("datasetConflicts").size() > 0);

        assertThat(view("rogue")
                        .path("datasetConflicts")
                        .path(DEMENTIA)
                        .path("edsd0")
                        .asText())
                .isEqualTo("chuv (" + chuv + ")");
        assertThat(view("rogue").path("datasetConflicts").path(DEMENTIA).size()).isEqualTo(1);
        assertThat(view("chuv").path("datasetConflicts").size()).isZero();
        // analyses use chuv's edsd0 only (15 rows, not 30), and rogue's own dataset
        JsonNode datasets = datasets();
        assertThat(datasets.path("edsd0").path("rows").asLong()).isEqualTo(15);
        assertThat(datasets.path("ppmi0").path("rows").asLong()).isEqualTo(46);
        assertThat(owner("edsd0")).isEqualTo(chuv);
        assertThat(owner("ppmi0")).isEqualTo(rogue);

        JsonNode conflict = auditLine("dataset.conflict");
        assertThat(conflict.path("user").asText()).isEqualTo("node:" + rogue);
        assertThat(conflict.path("outcome").asText()).isEqualTo("refused");
        assertThat(conflict.path("details").path("dataset").asText()).isEqualTo("edsd0");
        assertThat(conflict.path("details").path("owner").asText()).isEqualTo(chuv);
        assertThat(metrics()).contains("mipfed_alerts_total{kind=\"dataset_conflict\"} 1.0");
        assertThat(Cli.run("node", "ls", "--data-dir", managerDir()).out())
                .contains("REFUSED dementia:0.1[edsd0 owned by chuv (" + chuv + ")]");

        // the admin page's data: each node's privacy policy as it announced it
        JsonNode privacy = view("chuv").path("privacy");
        assertThat(privacy.path("min_rows").asInt()).isEqualTo(10);
        assertThat(privacy.path("min_cell_count").asInt()).isEqualTo(3);
        assertThat(privacy.path("max_parameter_ratio").asDouble()).isEqualTo(0.33);
        assertThat(privacy.path("release_extremes").asBoolean()).isTrue();
    }

    @Test
    @Order(2)
    void theAdminPageShowsTheRefusedClaimAndGivesTheDatasetOnRequest() throws Exception {
        PortalBrowser.requireChromium();
        PortalBrowser browser = PortalBrowser.start(Files.createDirectories(dir.resolve("downloads")));
        try {
            String portal = "http://127.0.0.1:" + federation.httpPort() + "/portal/";
            browser.driver.get(portal);
            browser.await(ExpectedConditions.visibilityOfElementLocated(By.id("signin")));
            browser.find("#signin input[name=username]").sendKeys("admin");
            browser.find("#signin input[name=password]").sendKeys(federation.adminPassword());
            browser.find("#signin-submit").click();
            browser.await(ExpectedConditions.textToBePresentInElementLocated(By.id("who-name"), "admin (admin)"));
            browser.driver.get(portal + "#/admin");
            browser.await(ExpectedConditions.visibilityOfElementLocated(
                    By.cssSelector("#nodes-table tr[data-node=rogue] .dataset-conflict")));
            assertThat(browser.find("#nodes-table tr[data-node=rogue] .dataset-conflict")
                            .getText())
                    .startsWith("edsd0 (dementia:0.1) belongs to chuv (" + chuv + "): not used from rogue.");
            assertThat(browser.driver.findElements(By.cssSelector("#nodes-table tr[data-node=chuv] .dataset-conflict")))
                    .isEmpty();
            browser.screenshot("admin-dataset-conflict");

            browser.driver.executeScript("window.confirm = () => true;");
            browser.find("#nodes-table tr[data-node=rogue] .move-dataset").click();
            browser.await(ExpectedConditions.visibilityOfElementLocated(
                    By.cssSelector("#nodes-table tr[data-node=chuv] .dataset-conflict")));
            assertThat(owner("edsd0")).isEqualTo(rogue);
            assertThat(browser.driver.findElements(
                            By.cssSelector("#nodes-table tr[data-node=rogue] .dataset-conflict")))
                    .isEmpty();
        } finally {
            browser.close();
        }
        // back to where the next steps expect it
        federation
                .admin()
                .post(
                        "/admin/datasets/dementia:0.1/edsd0/owner",
                        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                                .objectNode()
                                .put("node", "chuv"));
        assertThat(owner("edsd0")).isEqualTo(chuv);
    }

    @Test
    @Order(3)
    void ownershipSurvivesAManagerRestart() {
        federation.stopManager(false);
        federation.startManager();
        federation.awaitReady(Duration.ofSeconds(60), "chuv", "rogue");
        LocalFederation.await(
                Duration.ofSeconds(20),
                "rogue's conflict",
                () -> view("rogue").path("datasetConflicts").size() > 0);
        assertThat(view("rogue")
                        .path("datasetConflicts")
                        .path(DEMENTIA)
                        .path("edsd0")
                        .asText())
                .isEqualTo("chuv (" + chuv + ")");
        assertThat(owner("edsd0")).isEqualTo(chuv);
        assertThat(datasets().path("edsd0").path("rows").asLong()).isEqualTo(15);
    }

    @Test
    @Order(4)
    void anAdminMovesADatasetDeliberately() {
        Cli.Result unknownNode = Cli.run("dataset", "move", "--data-dir", managerDir(), DEMENTIA, "edsd0", "nobody");
        assertThat(unknownNode.exitCode()).isEqualTo(2);
        assertThat(unknownNode.err()).contains("No node 'nobody'");
        Cli.Result unknownDataset = Cli.run("dataset", "move", "--data-dir", managerDir(), DEMENTIA, "edsd9", "rogue");
        assertThat(unknownDataset.exitCode()).isEqualTo(2);
        assertThat(unknownDataset.err())
                .contains("No node announced the dataset 'edsd9' of the data model 'dementia:0.1'");

        Cli.Result moved = Cli.run("dataset", "move", "--data-dir", managerDir(), DEMENTIA, "edsd0", "rogue");
        assertThat(moved.exitCode()).as(moved.err()).isZero();
        assertThat(moved.out()).contains("dataset edsd0 of dementia:0.1 now belongs to node " + rogue);
        assertThat(owner("edsd0")).isEqualTo(rogue);
        assertThat(view("rogue").path("datasetConflicts").size()).isZero();
        assertThat(view("chuv")
                        .path("datasetConflicts")
                        .path(DEMENTIA)
                        .path("edsd0")
                        .asText())
                .isEqualTo("rogue (" + rogue + ")");
        JsonNode move = auditLine("dataset.move");
        assertThat(move.path("user").asText()).isEqualTo("admin");
        assertThat(move.path("details").path("previous_owner").asText()).isEqualTo(chuv);
        assertThat(move.path("details").path("node").asText()).isEqualTo("rogue");
        assertThat(Cli.run("dataset", "ls", "--data-dir", managerDir()).out())
                .contains("edsd0")
                .contains(rogue);

        assertThat(Cli.run("dataset", "move", "--data-dir", managerDir(), DEMENTIA, "edsd0", "chuv")
                        .exitCode())
                .isZero();
        assertThat(owner("edsd0")).isEqualTo(chuv);
        assertThat(view("chuv").path("datasetConflicts").size()).isZero();
    }

    @Test
    @Order(5)
    void aRunningNodeRefusesADatasetItHoldsUnlessToldToAppendOrReplace() throws Exception {
        Path more = Files.writeString(
                dir.resolve("edsd0-more.csv"), "dataset,gender\nedsd0,M\nedsd0,F\n", StandardCharsets.UTF_8);
        Path newer = Files.writeString(
                dir.resolve("edsd0-2027.csv"), "dataset,gender\nedsd0,M\nedsd0,F\nedsd0,F\n", StandardCharsets.UTF_8);

        Cli.Result refused = importInto("chuv", more);
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err())
                .contains(
                        "edsd0-more.csv line 2: the dataset 'edsd0' is already in this node's store (15 rows of dementia:0.1, "
                                + "last imported from edsd0.csv), so edsd0-more.csv was not imported",
                        "import it again with --replace",
                        "with --append");
        assertThat(datasets().path("edsd0").path("rows").asLong()).isEqualTo(15);

        Cli.Result both = importInto("chuv", more, "--append", "--replace");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("--replace and --append exclude each other");

        Cli.Result appended = importInto("chuv", more, "--append");
        assertThat(appended.exitCode()).as(appended.err()).isZero();
        assertThat(appended.out()).contains("edsd0-more.csv: imported 2 rows into dementia:0.1: edsd0 (2)");
        LocalFederation.await(
                Duration.ofSeconds(20),
                "17 rows of edsd0",
                () -> datasets().path("edsd0").path("rows").asLong() == 17);

        Cli.Result replaced = importInto("chuv", newer, "--replace");
        assertThat(replaced.exitCode()).as(replaced.err()).isZero();
        assertThat(replaced.out())
                .contains("edsd0-2027.csv: imported 3 rows into dementia:0.1: edsd0 (3) (replacing 17 rows)");
        LocalFederation.await(
                Duration.ofSeconds(20),
                "3 rows of edsd0",
                () -> datasets().path("edsd0").path("rows").asLong() == 3);
        assertThat(datasets().path("edsd1").path("rows").asLong()).isEqualTo(datasetRows("edsd1.csv"));
    }

    @Test
    @Order(6)
    void aRemovedNodeReleasesItsDatasets() {
        Cli.Result removed = Cli.run("node", "rm", "--data-dir", managerDir(), "chuv");
        assertThat(removed.exitCode()).as(removed.err()).isZero();
        // rogue, started and announcing edsd0, takes it as if it announced it now
        assertThat(owner("edsd0")).isEqualTo(rogue);
        assertThat(owner("edsd1")).isNull();
        assertThat(view("rogue").path("datasetConflicts").size()).isZero();
        assertThat(datasets().path("edsd0").path("rows").asLong()).isEqualTo(15);
    }

    private static Cli.Result importInto(String alias, Path csv, String... flags) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "data",
                "import",
                "--data-dir",
                federation.node(alias).paths().dataDir().toString(),
                "--data-model",
                data.resolve("CDEsMetadata.json").toString()));
        args.addAll(List.of(flags));
        args.add(csv.toString());
        return Cli.run(args.toArray(String[]::new));
    }

    private static long datasetRows(String file) throws java.io.IOException {
        return Files.readAllLines(data.resolve(file)).size() - 1;
    }

    private static JsonNode view(String alias) {
        for (JsonNode v : federation.admin().get("/admin/nodes")) {
            if (alias.equals(v.path("alias").asText())) {
                return v;
            }
        }
        throw new AssertionError("no node " + alias + " in GET /admin/nodes");
    }

    /** The datasets of dementia:0.1 that analyses use, with their rows. */
    private static JsonNode datasets() {
        for (JsonNode m : federation.admin().get("/data_models")) {
            if (DEMENTIA.equals(m.path("id").asText())) {
                return m.path("datasets");
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static String owner(String dataset) {
        for (JsonNode o : federation.admin().get("/admin/datasets")) {
            if (o.path("dataModel").asText().equals(DEMENTIA)
                    && o.path("dataset").asText().equals(dataset)) {
                return o.path("node").asText();
            }
        }
        return null;
    }

    private static JsonNode auditLine(String action) {
        for (JsonNode line : federation.admin().get("/admin/audit?limit=200")) {
            if (action.equals(line.path("action").asText())) {
                return line;
            }
        }
        throw new AssertionError("no " + action + " line in the audit trail");
    }

    private static String metrics() {
        try {
            java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                            "http://127.0.0.1:" + federation.httpPort() + "/metrics"))
                                    .header("Authorization", "Bearer " + federation.adminToken())
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String managerDir() {
        return federation.managerPaths().dataDir().toString();
    }
}
