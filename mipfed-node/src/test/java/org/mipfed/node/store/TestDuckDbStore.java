package org.mipfed.node.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

class TestDuckDbStore extends AbstractDataStoreTest {
    @Override
    StoreKind kind() {
        return StoreKind.DUCKDB;
    }

    @Test
    void neverLoadsOrInstallsExtensionsByItself() {
        String settings = store.withConnection(c -> {
            try (ResultSet rows = c.createStatement()
                    .executeQuery(
                            "SELECT current_setting('autoinstall_known_extensions'), current_setting('autoload_known_extensions')")) {
                rows.next();
                return rows.getString(1) + "," + rows.getString(2);
            }
        });
        assertThat(settings).isEqualTo("false,false");
    }

    @Test
    void defaultStoreIsADuckDbFileInTheDataDir(@org.junit.jupiter.api.io.TempDir Path dataDir) {
        try (DataStore opened = DataStores.open(null, dataDir)) {
            assertThat(opened).isInstanceOf(DuckDbStore.class);
            assertThat(opened.location())
                    .isEqualTo("DuckDB " + dataDir.resolve("store.duckdb").toAbsolutePath());
            opened.inTransaction(c -> opened.catalog().register(c, TestStore.dementia()));
        }
        assertThat(Files.isRegularFile(dataDir.resolve(DataStores.DUCKDB_FILE))).isTrue();
        try (DataStore reopened = DataStores.open(null, dataDir)) {
            assertThat(reopened.dataModels()).extracting(StoredDataModel::id).containsExactly("dementia:0.1");
        }
    }

    @Test
    void lendsSeveralConnectionsAtOnce() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.List<java.util.concurrent.Future<Long>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 32; i++) {
                answers.add(pool.submit(() -> store.withConnection(c -> {
                    try (ResultSet rows = c.createStatement().executeQuery("SELECT count(*) FROM range(100000)")) {
                        rows.next();
                        return rows.getLong(1);
                    }
                })));
            }
            for (java.util.concurrent.Future<Long> answer : answers) {
                assertThat(answer.get()).isEqualTo(100000L);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
