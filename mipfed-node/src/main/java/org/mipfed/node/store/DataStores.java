package org.mipfed.node.store;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/** Opens the store a node is configured with. */
public final class DataStores {
    /** The embedded store's file name inside the node's data dir. */
    public static final String DUCKDB_FILE = "store.duckdb";

    private DataStores() {}

    /**
     * Opens the store: the DuckDB file {@value #DUCKDB_FILE} in {@code dataDir} when no URL is given,
     * else the database the JDBC URL names ({@code jdbc:postgresql://…} or {@code jdbc:duckdb:/path}).
     */
    public static DataStore open(String jdbcUrlOrNull, Path dataDir) {
        if (jdbcUrlOrNull == null || jdbcUrlOrNull.isBlank()) {
            requireNonNull(dataDir, "dataDir is null");
            return DuckDbStore.open(dataDir.resolve(DUCKDB_FILE));
        }
        String url = jdbcUrlOrNull.trim();
        if (url.startsWith("jdbc:postgresql:")) {
            return PostgresStore.open(url);
        }
        if (url.startsWith("jdbc:duckdb:")) {
            String path = url.substring("jdbc:duckdb:".length());
            return path.isEmpty() || path.equals(":memory:") ? DuckDbStore.inMemory() : DuckDbStore.open(Path.of(path));
        }
        throw new StoreException("The store URL " + PostgresStore.redact(url)
                + " is not supported; use jdbc:postgresql://host:port/database"
                + " (optionally ?currentSchema=schema) or leave it out to use DuckDB in the data directory");
    }
}
