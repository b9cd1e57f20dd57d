package org.mipfed.node.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

@NeedsPostgres
class TestPostgresStore extends AbstractDataStoreTest {
    @Override
    StoreKind kind() {
        return StoreKind.POSTGRESQL;
    }

    @Test
    void urlPicksPostgresAndHidesThePassword() {
        assertThat(store).isInstanceOf(PostgresStore.class);
        assertThat(store.location()).startsWith("PostgreSQL jdbc:postgresql://").doesNotContain("password=mipfed");
        assertThat(PostgresStore.redact("jdbc:postgresql://h/db?user=u&password=secret&ssl=true"))
                .isEqualTo("jdbc:postgresql://h/db?user=u&password=***&ssl=true");
    }

    @Test
    void schemasKeepNodesApart() {
        store.inTransaction(c -> store.catalog().register(c, TestStore.dementia()));
        try (TestStore other = TestStore.open(StoreKind.POSTGRESQL, Path.of("."))) {
            assertThat(other.store().dataModels()).isEmpty();
        }
        assertThat(store.dataModels()).hasSize(1);
    }

    @Test
    void missingSchemaIsNamed() {
        assertThatThrownBy(() -> DataStores.open(TestStore.withSchema("mipfed_no_such_schema"), null))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(
                        "has no current schema (the schema named in currentSchema or search_path does not exist)");
    }

    @Test
    void unreachableServerIsNamed() {
        assertThatThrownBy(() ->
                        PostgresStore.open("jdbc:postgresql://127.0.0.1:1/nothing?user=u&password=p&connectTimeout=2"))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith(
                        "Cannot connect to the store PostgreSQL jdbc:postgresql://127.0.0.1:1/nothing?user=u&password=***");
    }

    @Test
    void unsupportedUrlIsRefused() {
        assertThatThrownBy(() -> DataStores.open("jdbc:mysql://h/db?password=x", null))
                .isInstanceOf(StoreException.class)
                .hasMessage(
                        "The store URL jdbc:mysql://h/db?password=*** is not supported; use jdbc:postgresql://host:port/database"
                                + " (optionally ?currentSchema=schema) or leave it out to use DuckDB in the data directory");
    }
}
