package org.mipfed.node.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.model.DataModel;

/** The same checks of the store's layout and catalog on every kind of store. */
abstract class AbstractDataStoreTest {
    @TempDir
    Path directory;

    TestStore testStore;
    DataStore store;

    abstract StoreKind kind();

    @BeforeEach
    void open() {
        testStore = TestStore.open(kind(), directory);
        store = testStore.store();
    }

    @AfterEach
    void close() {
        testStore.close();
    }

    @Test
    void startsEmpty() {
        assertThat(store.dataModels()).isEmpty();
        assertThat(store.describe()).isEmpty();
        assertThat(store.dialect()).isEqualTo(kind() == StoreKind.DUCKDB ? SqlDialect.DUCKDB : SqlDialect.POSTGRESQL);
    }

    @Test
    void registersDataModelWithOneColumnPerCde() {
        DataModel dementia = TestStore.dementia();
        assertThat(register(dementia)).isTrue();
        assertThat(register(dementia)).isFalse();
        assertThat(StoreCatalog.dataTable(dementia)).isEqualTo("data_dementia_0_1");
        List<String> columns = store.withConnection(c -> {
            List<String> names = new ArrayList<>();
            try (ResultSet rows = c.createStatement().executeQuery("SELECT * FROM \"data_dementia_0_1\" WHERE 1 = 0")) {
                for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
                    names.add(rows.getMetaData().getColumnName(i) + " "
                            + rows.getMetaData().getColumnTypeName(i).toUpperCase());
                }
            }
            return names;
        });
        assertThat(columns).hasSize(dementia.cdes().size() + 1);
        assertThat(columns.get(0)).isEqualTo("_row_id " + (kind() == StoreKind.DUCKDB ? "BIGINT" : "INT8"));
        assertThat(columns)
                .contains(
                        kind() == StoreKind.DUCKDB ? "subjectageyears BIGINT" : "subjectageyears INT8",
                        kind() == StoreKind.DUCKDB ? "leftamygdala DOUBLE" : "leftamygdala FLOAT8",
                        kind() == StoreKind.DUCKDB ? "gender VARCHAR" : "gender TEXT",
                        kind() == StoreKind.DUCKDB ? "DIAG_etiology_1 VARCHAR" : "DIAG_etiology_1 TEXT");
        assertThat(store.dataModels()).singleElement().satisfies(m -> {
            assertThat(m.id()).isEqualTo("dementia:0.1");
            assertThat(m.datasets()).isEmpty();
            assertThat(m.model().cdes().keySet()).isEqualTo(dementia.cdes().keySet());
        });
        assertThat(store.describe()).singleElement().satisfies(info -> {
            assertThat(info.getCode()).isEqualTo("dementia");
            assertThat(info.getVersion()).isEqualTo("0.1");
            assertThat(DataModel.parse(info.getCdesJson()).cdes()).isEqualTo(dementia.cdes());
        });
    }

    @Test
    void sameModelReformattedIsTheSameModel() throws Exception {
        DataModel dementia = TestStore.dementia();
        store.inTransaction(c -> store.catalog().register(c, dementia));
        DataModel reformatted = DataModel.parse(
                org.mipfed.core.json.Json.mapper().readTree(dementia.json()).toString());
        assertThat(reformatted.json()).isNotEqualTo(dementia.json());
        assertThat(register(reformatted)).isFalse();
    }

    @Test
    void refusesSameCodeAndVersionWithOtherVariables() {
        store.inTransaction(c -> store.catalog().register(c, model("0.1", "\"label\": \"Age\"")));
        assertThatThrownBy(() -> store.inTransaction(
                        c -> store.catalog().register(c, model("0.1", "\"label\": \"Age in years\""))))
                .isInstanceOf(StoreException.class)
                .hasMessage(
                        "The data model tiny:0.1 is already in the store with a different CDEsMetadata.json (the variable 'age' differs)."
                                + " A changed data model needs a new version: change 'version' in the file and import again");
        assertThat(register(model("0.2", "\"label\": \"Age in years\""))).isTrue();
        assertThat(store.dataModels()).extracting(StoredDataModel::id).containsExactly("tiny:0.1", "tiny:0.2");
    }

    @Test
    void refusesVersionsThatShareATable() {
        store.inTransaction(c -> store.catalog().register(c, model("1.0", "\"label\": \"Age\"")));
        assertThatThrownBy(() ->
                        store.inTransaction(c -> store.catalog().register(c, model("1_0", "\"label\": \"Age\""))))
                .isInstanceOf(StoreException.class)
                .hasMessage(
                        "The data model tiny:1_0 would be stored in the table data_tiny_1_0, which already holds tiny:1.0; "
                                + "give it a version that differs in more than punctuation");
        assertThat(store.dataModels()).hasSize(1);
    }

    @Test
    void refusesCodesDifferingOnlyInCase() {
        DataModel model = DataModel.parse("""
                {"code": "tiny", "version": "1", "variables": [
                  {"code": "dataset", "label": "Dataset", "sql_type": "text", "isCategorical": true, "enumerations": [{"code": "a", "label": "A"}]},
                  {"code": "Age", "label": "Age", "sql_type": "int", "isCategorical": false},
                  {"code": "age", "label": "Age", "sql_type": "int", "isCategorical": false}]}""");
        assertThatThrownBy(() -> store.inTransaction(c -> store.catalog().register(c, model)))
                .hasMessageContaining("has the variables 'Age' and 'age', which differ only in case");
    }

    @Test
    void failedTransactionLeavesNothing() {
        DataModel dementia = TestStore.dementia();
        assertThatThrownBy(() -> store.inTransaction(c -> {
                    store.catalog().register(c, dementia);
                    throw new IllegalStateException("boom");
                }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("boom");
        assertThat(store.dataModels()).isEmpty();
        assertThat(register(dementia)).isTrue();
    }

    @Test
    void countsDatasetsAndRemembersImports() {
        DataModel model = model("1", "\"label\": \"Age\"");
        java.time.Instant now = java.time.Instant.parse("2024-05-01T10:00:00Z");
        Map<String, Long> counts = store.inTransaction(c -> {
            store.catalog().register(c, model);
            try (RowWriter writer = store.rowWriter(c, model, List.of(StoreCatalog.ROW_ID, "dataset", "age"))) {
                long id = store.catalog().nextRowId(c, model);
                for (int i = 0; i < 3; i++) {
                    writer.setLong(0, id++);
                    writer.setText(1, i < 2 ? "a" : "b");
                    if (i != 1) {
                        writer.setLong(2, 40 + i);
                    }
                    writer.endRow();
                }
            }
            store.catalog().recordImport(c, new ImportRecord(model.id(), "f.csv", "abc", 100, 3, now));
            return store.catalog().refreshDatasets(c, model, List.of("a", "b"), "f.csv", now);
        });
        assertThat(counts).containsExactly(Map.entry("a", 2L), Map.entry("b", 1L));
        assertThat(store.dataModel("tiny:1").orElseThrow().datasets())
                .containsExactly(
                        new StoredDataset("a", "Alpha", 2, "f.csv", now), new StoredDataset("b", "b", 1, "f.csv", now));
        assertThat(store.<java.util.Optional<ImportRecord>>withConnection(
                        c -> store.catalog().findImport(c, "tiny:1", "abc")))
                .contains(new ImportRecord("tiny:1", "f.csv", "abc", 100, 3, now));
        assertThat(store.<Boolean>withConnection(c -> store.catalog().importedFileOfSize(c, "tiny:1", 100)))
                .isTrue();
        assertThat(store.<Boolean>withConnection(c -> store.catalog().importedFileOfSize(c, "tiny:1", 101)))
                .isFalse();
        assertThat(store.<Long>withConnection(c -> store.catalog().nextRowId(c, model)))
                .isEqualTo(4);
        assertThat(store.<String>withConnection(c -> {
                    try (ResultSet rows = c.createStatement()
                            .executeQuery("SELECT count(\"age\"), sum(\"age\") FROM \"data_tiny_1\"")) {
                        rows.next();
                        return rows.getLong(1) + "/" + rows.getLong(2);
                    }
                }))
                .isEqualTo("2/82");
    }

    private boolean register(DataModel model) {
        return store.inTransaction(c -> store.catalog().register(c, model));
    }

    static DataModel model(String version, String ageLabel) {
        return DataModel.parse("""
                {"code": "tiny", "version": "%s", "label": "Tiny", "variables": [
                  {"code": "dataset", "label": "Dataset", "sql_type": "text", "isCategorical": true,
                   "enumerations": [{"code": "a", "label": "Alpha"}, {"code": "b"}]},
                  {"code": "age", %s, "sql_type": "int", "isCategorical": false, "minValue": 0, "maxValue": 130}]}""".formatted(version, ageLabel));
    }
}
