package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.mipfed.algorithms.ExpectedResults;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.json.Json;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.node.importer.DataImporter;
import org.mipfed.node.importer.ProgressListener;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.node.store.DataStore;
import org.mipfed.node.store.StoreCatalog;

/**
 * A hospital's data read in place (issue 23): the dementia data loaded by the test into the hospital's
 * own source under other column names and codes, attached to a running node with a mapping through
 * {@code mipfed data attach}, then Exareme2's validation cases for linear regression and descriptive
 * statistics against a real federation (manager and node processes over mutual TLS), which must give
 * the answers of imported data; then the source changes under the node: invalid rows, a new row, the
 * source gone. Subclasses say what the source is (a PostgreSQL view, Parquet files).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class AttachedSourceValidation {
    static final Path EXPECTED = Path.of("src", "test", "resources", "exareme2", "expected");
    static final String MODEL = "dementia:0.1";
    /** Source row keys of the rows the tests add, far above the imported rows' ids. */
    static final long ADDED = 1_000_000;

    Path dir;
    DataModel dementia;
    LocalFederation federation;
    LocalFederation.Node node;

    /** The node's store URL (null: DuckDB in its data dir). Called after {@link #createSource}. */
    abstract String nodeStore();

    /**
     * Loads the dementia rows (in {@code table}, the data table of a store the test owns) into the source
     * under {@link #sourceColumn} names, the gender and diagnosis recoded as {@link #recoded} says.
     */
    abstract void createSource(DataStore loaded, List<Path> csvs);

    /** The arguments of {@code mipfed data attach} naming the source. */
    abstract List<String> sourceArguments();

    /**
     * Adds rows to the source: a copy of the first row of dataset edsd0 per entry, with the source key
     * {@code ADDED + key} and the given data-model columns overridden by SQL expressions.
     */
    abstract void addRows(Map<Long, Map<String, String>> rows);

    /** Makes the source disappear as a hospital might (drops the view, deletes the files). */
    abstract void dropSource();

    /** Shows that the node's role cannot write the source and the node reads it read-only. */
    abstract void checkReadOnly();

    abstract void cleanUp();

    static String sourceColumn(String code) {
        return code.equals(DataModel.DATASET) ? "cohort" : "Src " + code;
    }

    /** The projection of a data table onto the source's names and codes. */
    String renamed(String table) {
        List<String> columns = new ArrayList<>();
        columns.add("\"" + StoreCatalog.ROW_ID + "\" AS \"patient_no\"");
        for (Cde cde : dementia.cdes().values()) {
            String value = "\"" + cde.code() + "\"";
            if (cde.code().equals("gender")) {
                value = "CASE " + value + " WHEN 'F' THEN 'female' WHEN 'M' THEN 'male' ELSE " + value + " END";
            } else if (cde.code().equals("alzheimerbroadcategory")) {
                value = "CASE " + value + " WHEN 'AD' THEN 'alzheimer' WHEN 'CN' THEN 'control' ELSE " + value + " END";
            }
            columns.add(value + " AS \"" + sourceColumn(cde.code()) + "\"");
        }
        return "SELECT " + String.join(", ", columns) + " FROM " + table;
    }

    /** A data-table-shaped SELECT of the rows {@link #addRows} adds. */
    String addedRows(String table, Map<Long, Map<String, String>> rows) {
        List<String> selects = new ArrayList<>();
        rows.forEach((key, overrides) -> {
            List<String> columns = new ArrayList<>();
            columns.add((ADDED + key) + " AS \"" + StoreCatalog.ROW_ID + "\"");
            for (Cde cde : dementia.cdes().values()) {
                columns.add(
                        overrides.getOrDefault(cde.code(), "\"" + cde.code() + "\"") + " AS \"" + cde.code() + "\"");
            }
            selects.add("(SELECT " + String.join(", ", columns) + " FROM " + table + " WHERE \"dataset\" = 'edsd0'"
                    + " ORDER BY \"" + StoreCatalog.ROW_ID + "\" LIMIT 1)");
        });
        return String.join(" UNION ALL ", selects);
    }

    @BeforeAll
    void start() throws IOException {
        dir = Files.createTempDirectory(Path.of("target"), getClass().getSimpleName() + "-");
        Path data = LocalFederation.extractData("dementia_v_0_1", dir.resolve("dementia"));
        dementia = DataModel.parse(Files.readString(data.resolve("CDEsMetadata.json")));
        List<Path> csvs = new ArrayList<>();
        for (String prefix : List.of("edsd", "ppmi", "desd-synthdata")) {
            for (int k = 0; k <= 9; k++) {
                csvs.add(data.resolve(prefix + k + ".csv"));
            }
        }
        try (DataStore loaded = loadingStore()) {
            DataImporter importer = new DataImporter(loaded);
            csvs.forEach(csv -> importer.importCsv(dementia, csv, ProgressListener.NONE));
            createSource(loaded, csvs);
        }
        ObjectNode mapping = Json.mapper().createObjectNode();
        ObjectNode columns = mapping.putObject("columns");
        dementia.cdes().keySet().stream()
                .filter(c -> !c.equals(DataModel.DATASET))
                .forEach(c -> columns.put(c, sourceColumn(c)));
        ObjectNode codes = mapping.putObject("codes");
        codes.putObject("gender").put("female", "F").put("male", "M");
        codes.putObject("alzheimerbroadcategory").put("alzheimer", "AD").put("control", "CN");
        Path mappingFile = dir.resolve("mapping.json");
        Files.writeString(mappingFile, mapping.toString());

        federation = LocalFederation.create(dir.resolve("fed"), 0, 0);
        node = federation.addNode("hospital", nodeStore(), PrivacyPolicy.minRowsOnly(1), List.of());
        federation.start("all");
        List<String> attach = new ArrayList<>(List.of(
                "data",
                "attach",
                "--data-dir",
                node.paths().dataDir().toString(),
                "--data-model",
                data.resolve("CDEsMetadata.json").toString(),
                "--columns",
                mappingFile.toString(),
                "--row-key",
                "patient_no",
                "--dataset-column",
                "cohort"));
        attach.addAll(sourceArguments());
        // The node is running: it attaches over its control socket and tells the manager at once.
        LocalFederation.await(
                Duration.ofSeconds(60),
                "the node's control socket",
                () -> Files.exists(node.paths().controlSocket()));
        Cli.Result attached = Cli.run(attach.toArray(String[]::new));
        assertThat(attached.exitCode()).as(attached.err()).isZero();
        assertThat(attached.out()).contains("edsd0 (").contains("rows in the source");
        federation.awaitReady(Duration.ofSeconds(120), "hospital");
    }

    /**
     * Every how many of Exareme2's cases to run: 1 runs them all; more keeps a slow source within the suite's
     * time budget with a representative, evenly spread subset (the cases are in no particular order).
     */
    int caseStride() {
        return 1;
    }

    /** A store of the test's own to import the CSVs into, the starting point of the source. */
    abstract DataStore loadingStore();

    @AfterAll
    void stop() {
        if (federation != null) {
            federation.close();
        }
        cleanUp();
    }

    @Order(1)
    @TestFactory
    Stream<DynamicTest> linearRegression() {
        return cases("linear_regression", (e, a) -> ExpectedResults.assertLinearRegressionMatches(e, a));
    }

    @Order(2)
    @TestFactory
    Stream<DynamicTest> descriptiveStats() {
        return cases("descriptive_stats", (e, a) -> ExpectedResults.assertDescriptiveStatsMatches(e, a));
    }

    private interface Check {
        void accept(JsonNode expected, JsonNode actual);
    }

    private Stream<DynamicTest> cases(String algorithm, Check check) {
        // Every case on the dementia data (the attached source); the few on tbi:0.1 have no source here.
        List<ExpectedResults.Case> all = ExpectedResults.load(EXPECTED.resolve(algorithm + "_expected.json")).stream()
                .filter(c ->
                        c.input().path("inputdata").path("data_model").asText().equals(MODEL))
                .toList();
        assertThat(all).hasSizeGreaterThan(40);
        List<ExpectedResults.Case> cases = new ArrayList<>();
        for (int i = 0; i < all.size(); i += caseStride()) {
            cases.add(all.get(i));
        }
        return cases.stream()
                .map(c -> DynamicTest.dynamicTest(algorithm + " " + c, () -> {
                    JsonNode actual = federation.admin().post("/algorithms/" + algorithm, c.input());
                    check.accept(c.output(), actual);
                }));
    }

    /** n_obs of a linear regression on edsd0: what an analysis sees of the source now. */
    long edsd0Rows() {
        ObjectNode request = Json.mapper().createObjectNode();
        ObjectNode input = request.putObject("inputdata");
        input.put("data_model", MODEL);
        input.putArray("datasets").add("edsd0");
        input.putArray("y").add("lefthippocampus");
        input.putArray("x").add("righthippocampus");
        input.putNull("filters");
        request.putObject("parameters");
        return federation
                .admin()
                .post("/algorithms/linear_regression", request)
                .path("n_obs")
                .asLong();
    }

    JsonNode ls() {
        Cli.Result result = Cli.run(
                "data", "ls", "--json", "--data-dir", node.paths().dataDir().toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        try {
            for (JsonNode model : Json.mapper().readTree(result.out()).path("data_models")) {
                if (model.path("data_model").asText().equals(MODEL)) {
                    return model;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("mipfed data ls does not list " + MODEL + ": " + result.out());
    }

    @Order(3)
    @Test
    void rowsBreakingTheDataModelAreLeftOutAndReported() {
        long before = edsd0Rows();
        assertThat(ls().path("excluded_by_rule").size()).isZero();
        addRows(Map.of(
                1L, Map.of("subjectage", "500.0"),
                2L, Map.of("gender", "'X'", "lefthippocampus", "NULL"),
                3L, Map.of("minimentalstate", "31")));
        // The next analysis validates the changed source first: the invalid rows are not read.
        assertThat(edsd0Rows()).isEqualTo(before);
        JsonNode status = ls();
        assertThat(status.path("available").asBoolean()).isTrue();
        assertThat(status.path("source_rows").asLong()
                        - status.path("valid_rows").asLong())
                .isEqualTo(3);
        assertThat(status.path("excluded_by_rule"))
                .hasSize(3)
                .anySatisfy(n -> assertThat(n.asLong()).isEqualTo(1));
        assertThat(fieldNames(status.path("excluded_by_rule")))
                .containsExactlyInAnyOrder(
                        "subjectage: outside [0.0, 130.0]",
                        "gender: not one of its levels (M, F)",
                        "minimentalstate: outside [0.0, 30.0]");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Order(4)
    @Test
    void aRowAddedToTheSourceIsSeenByTheNextAnalysis() {
        long before = edsd0Rows();
        addRows(Map.of(4L, Map.of("lefthippocampus", "\"lefthippocampus\" + 0.25")));
        assertThat(edsd0Rows()).isEqualTo(before + 1);
        assertThat(ls().path("datasets").path("edsd0").asLong()).isEqualTo(before + 1);
    }

    @Order(5)
    @Test
    void theNodeOnlyReadsTheSource() {
        checkReadOnly();
    }

    @Order(6)
    @Test
    void aDroppedSourceMakesItsDatasetsUnavailableAndTheNodeSaysWhy() {
        dropSource();
        assertThatThrownBy(this::edsd0Rows)
                .isInstanceOfSatisfying(
                        Problem.class, p -> assertThat(p.status()).isLessThan(500))
                .hasMessageMatching("(?s).*(unavailable|edsd0).*");
        JsonNode status = ls();
        assertThat(status.path("available").asBoolean()).isFalse();
        assertThat(status.path("reason").asText()).startsWith("cannot read ");
        assertThat(status.path("datasets").size()).isZero();
        // The manager heard of it at once: the datasets are gone from its catalogue.
        LocalFederation.await(
                Duration.ofSeconds(10),
                "the manager to withdraw the datasets",
                () -> !federation.admin().get("/datasets").path(MODEL).has("edsd0"));
    }
}
