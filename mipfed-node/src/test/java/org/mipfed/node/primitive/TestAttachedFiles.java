package org.mipfed.node.primitive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.node.audit.AuditLog;
import org.mipfed.node.importer.DataImporter;
import org.mipfed.node.importer.ProgressListener;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.node.store.AttachedSource;
import org.mipfed.node.store.AttachmentStatus;
import org.mipfed.node.store.DataStore;
import org.mipfed.node.store.DuckDbStore;
import org.mipfed.node.store.SourceMapping;
import org.mipfed.node.store.StoreException;
import org.mipfed.node.store.StoredDataModel;
import org.mipfed.node.store.TestStore;
import org.mipfed.proto.v1.FoldRestriction;
import org.mipfed.proto.v1.PrimitiveQuery;

/**
 * CSV files attached in place on a DuckDB node, with no row key (rows known by a hash of their values): the dementia rows under other column
 * names and codes give the primitives exactly the figures of the same rows imported; rows breaking the
 * data model are left out and counted; folds cover every row once; a source that goes away is refused
 * as unavailable while the node's other data model still answers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestAttachedFiles {
    private static final DataModel DEMENTIA = TestStore.dementia();
    private static final List<String> DATASETS = List.of("edsd0", "ppmi0", "desd-synthdata0", "edsd1", "ppmi1");

    private Path directory;
    private Path export;
    private DataStore imported;
    private DataStore attached;
    private AuditLog audit;
    private PrimitiveExecutor reference;
    private PrimitiveExecutor executor;

    @BeforeAll
    void load(@TempDir Path dir) throws IOException {
        directory = dir;
        imported = DuckDbStore.open(dir.resolve("imported.duckdb"));
        DataImporter importer = new DataImporter(imported);
        for (String file : TestStore.dementiaFiles()) {
            importer.importCsv(DEMENTIA, TestStore.dementiaCsv(file, dir), ProgressListener.NONE);
        }
        // The hospital's export: the same rows as CSV files, one per dataset, its own names and codes.
        export = Files.createDirectories(dir.resolve("export"));
        for (String dataset : DATASETS) {
            Path file = export.resolve(dataset + ".csv");
            imported.withConnection(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("COPY (" + renamed() + " WHERE \"dataset\" = '" + dataset + "') TO '" + file
                            + "' (FORMAT csv, HEADER)");
                }
                return null;
            });
        }
        audit = new AuditLog(dir.resolve("audit.log"));
        reference = new PrimitiveExecutor(imported, PrivacyPolicy.minRowsOnly(1), audit);
        attached = DuckDbStore.open(dir.resolve("attached.duckdb"));
        executor = new PrimitiveExecutor(attached, PrivacyPolicy.minRowsOnly(1), audit);
        // The node's other data, imported: it must keep answering whatever happens to the attached source.
        DataModel tbi = DataModel.parse(resource("tbi_v_0_1/CDEsMetadata.json"));
        Path tbiCsv = dir.resolve("dummy_tbi0.csv");
        Files.writeString(tbiCsv, resource("tbi_v_0_1/dummy_tbi0.csv"));
        new DataImporter(attached).importCsv(tbi, tbiCsv, ProgressListener.NONE);
    }

    private static String resource(String name) {
        try (InputStream in = TestAttachedFiles.class.getResourceAsStream("/org/mipfed/data/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String column(String code) {
        return code.equals(DataModel.DATASET) ? "cohort" : "v." + code;
    }

    private static String renamed() {
        List<String> columns = new ArrayList<>();
        for (Cde cde : DEMENTIA.cdes().values()) {
            String value = "\"" + cde.code() + "\"";
            if (cde.code().equals("gender")) {
                value = "CASE " + value + " WHEN 'F' THEN 'woman' WHEN 'M' THEN 'man' END";
            }
            columns.add(value + " AS \"" + column(cde.code()) + "\"");
        }
        return "SELECT " + String.join(", ", columns) + " FROM data_dementia_0_1";
    }

    private SourceMapping mapping() {
        return mapping(Map.of());
    }

    private SourceMapping mapping(Map<String, String> columns) {
        StringBuilder json = new StringBuilder("{\"columns\": {");
        for (String code : DEMENTIA.cdes().keySet()) {
            json.append(json.charAt(json.length() - 1) == '{' ? "" : ", ")
                    .append('"')
                    .append(code)
                    .append("\": \"")
                    .append(columns.getOrDefault(code, column(code)))
                    .append('"');
        }
        json.append("}, \"codes\": {\"gender\": {\"woman\": \"F\", \"man\": \"M\"}}}");
        return SourceMapping.parse(json.toString(), "mapping.json", DEMENTIA);
    }

    private AttachedSource source() {
        return new AttachedSource(DEMENTIA.id(), AttachedSource.Kind.CSV, export + "/*.csv", mapping(), null);
    }

    @AfterAll
    void close() {
        audit.close();
        imported.close();
        attached.close();
    }

    @Order(1)
    @Test
    void aSourceWithoutAColumnTheMappingNeedsIsRefusedNamingIt() {
        SourceMapping wrong = mapping(Map.of("lefthippocampus", "left_hippo"));
        assertThatThrownBy(() -> executor.sources()
                        .attach(
                                DEMENTIA,
                                new AttachedSource(
                                        DEMENTIA.id(), AttachedSource.Kind.CSV, export + "/*.csv", wrong, null)))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("has no column left_hippo (it has cohort, v.DIAG_etiology_1")
                .hasMessageContaining(" more). Map each variable");
        assertThatThrownBy(() ->
                        SourceMapping.parse("{\"codes\": {\"gender\": {\"woman\": \"W\"}}}", "mapping.json", DEMENTIA))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("not a level of gender");
        assertThat(attached.dataModel(DEMENTIA.id())).isEmpty();
    }

    @Order(2)
    @Test
    void attachedRowsGiveTheFiguresOfTheSameRowsImported() {
        AttachmentStatus status = executor.sources().attach(DEMENTIA, source()).status();
        StoredDataModel stored = attached.dataModel(DEMENTIA.id()).orElseThrow();
        assertThat(status.excluded()).isEmpty();
        assertThat(status.validRows()).isEqualTo(status.sourceRows());
        assertThat(stored.datasets())
                .isEqualTo(imported.dataModel(DEMENTIA.id()).orElseThrow().datasets().stream()
                        .filter(d -> DATASETS.contains(d.code()))
                        .map(d -> new org.mipfed.node.store.StoredDataset(
                                d.code(),
                                d.label(),
                                d.rows(),
                                "attached",
                                stored.dataset(d.code()).orElseThrow().importedAt()))
                        .toList());
        List<PrimitiveQuery> queries = List.of(
                PrimitiveQueries.describe(
                        DATASETS, null, List.of("lefthippocampus", "subjectageyears"), List.of("gender", "agegroup")),
                PrimitiveQueries.crossProducts(
                        DATASETS,
                        null,
                        List.of(
                                PrimitiveQueries.column("lefthippocampus", ""),
                                PrimitiveQueries.column("gender", "F"),
                                PrimitiveQueries.column("righthippocampus", ""))));
        for (PrimitiveQuery query : queries) {
            assertThat(rounded(executor.execute(query, "researcher")))
                    .isEqualTo(rounded(reference.execute(query, "researcher")));
        }
    }

    /** The answer as text, each number to 12 significant digits: sums of rows read in another order differ in the last bits. */
    private static String rounded(org.mipfed.proto.v1.PrimitiveResult result) {
        java.util.regex.Matcher number =
                java.util.regex.Pattern.compile("-?\\d+\\.\\d+(E-?\\d+)?").matcher(result.toString());
        StringBuilder out = new StringBuilder();
        while (number.find()) {
            number.appendReplacement(
                    out, String.format(java.util.Locale.ROOT, "%.12g", Double.parseDouble(number.group())));
        }
        return number.appendTail(out).toString();
    }

    @Order(3)
    @Test
    void foldsOfRowsKnownByAHashOfTheirValuesCoverEveryRowOnce() {
        PrimitiveQuery all =
                PrimitiveQueries.crossProducts(DATASETS, null, List.of(PrimitiveQueries.column("lefthippocampus", "")));
        long total = executor.execute(all, "researcher").getRowsUsed();
        long tested = 0;
        for (int fold = 0; fold < 3; fold++) {
            PrimitiveQuery test = all.toBuilder()
                    .setFold(FoldRestriction.newBuilder()
                            .setNSplits(3)
                            .setFold(fold)
                            .setTest(true))
                    .build();
            tested += executor.execute(test, "researcher").getRowsUsed();
        }
        assertThat(tested).isEqualTo(total).isPositive();
    }

    @Order(4)
    @Test
    void rowsBreakingTheDataModelAreLeftOutAndCountedByRule() throws IOException {
        PrimitiveQuery count = PrimitiveQueries.crossProducts(
                List.of("edsd0"), null, List.of(PrimitiveQueries.column("lefthippocampus", "")));
        long before = executor.execute(count, "researcher").getRowsUsed();
        List<String> lines = Files.readAllLines(export.resolve("edsd0.csv"));
        List<String> header = List.of(lines.get(0).split(",", -1));
        String[] row = lines.get(1).split(",", -1);
        String[] bad = row.clone();
        bad[header.indexOf("v.gender")] = "unknown";
        bad[header.indexOf("v.lefthippocampus")] = "not a number";
        String[] good = row.clone();
        Files.writeString(
                export.resolve("later.csv"),
                lines.get(0) + "\n" + String.join(",", bad) + "\n" + String.join(",", good) + "\n");
        // The source is checked before an analysis at most once a second (the query before may just have checked it):
        // the next analysis after that second sees the change: the valid row counts, the invalid one is left out.
        sleepPastTheCheckInterval();
        assertThat(executor.execute(count, "researcher").getRowsUsed()).isEqualTo(before + 1);
        AttachmentStatus status =
                attached.dataModel(DEMENTIA.id()).orElseThrow().status();
        assertThat(status.excluded())
                .isEqualTo(Map.of(
                        "gender: not one of its levels (M, F)", 1L,
                        "lefthippocampus: not a number", 1L));
        assertThat(status.sourceRows() - status.validRows()).isEqualTo(1);
    }

    @Order(5)
    @Test
    void aSourceThatGoesAwayIsRefusedAsUnavailableWhileOtherDataAnswers() throws IOException {
        try (var files = Files.list(export)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        PrimitiveQuery count = PrimitiveQueries.crossProducts(
                List.of("edsd0"), null, List.of(PrimitiveQueries.column("lefthippocampus", "")));
        assertThatThrownBy(() -> executor.execute(count, "researcher"))
                .isInstanceOfSatisfying(RefusalException.class, e -> {
                    assertThat(e.rule()).isEqualTo(RefusalException.SOURCE_UNAVAILABLE);
                    assertThat(e.callerError()).isTrue();
                })
                .hasMessageContaining("unavailable");
        StoredDataModel stored = attached.dataModel(DEMENTIA.id()).orElseThrow();
        assertThat(stored.datasets()).isEmpty();
        assertThat(stored.status().available()).isFalse();
        assertThat(stored.status().reason()).startsWith("cannot read the CSV files " + export + "/*.csv");
        PrimitiveQuery tbi = PrimitiveQuery.newBuilder()
                .setDataModel("tbi:0.1")
                .addDatasets("dummy_tbi0")
                .setCrossProducts(org.mipfed.proto.v1.CrossProductsQuery.newBuilder()
                        .addColumns(PrimitiveQueries.column("age_value", "")))
                .build();
        assertThat(executor.execute(tbi, "researcher").getRowsUsed()).isPositive();
        assertThat(executor.sources().detach(DEMENTIA.id())).isTrue();
        assertThat(attached.dataModel(DEMENTIA.id())).isEmpty();
        assertThat(directory.resolve("attached.duckdb")).exists();
    }

    /** Waits out the node's minimum interval between two checks of an attached source before an analysis (1 s). */
    private static void sleepPastTheCheckInterval() {
        try {
            Thread.sleep(1_100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
