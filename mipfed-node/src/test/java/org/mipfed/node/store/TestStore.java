package org.mipfed.node.store;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.mipfed.core.model.DataModel;

/**
 * A fresh, empty store for a test: a DuckDB file in a temporary directory, or a new schema in the
 * test PostgreSQL database ({@code MIPFED_TEST_PG_URL}), dropped on close.
 */
public final class TestStore implements AutoCloseable {
    public static final String DEFAULT_PG_URL =
            "jdbc:postgresql://127.0.0.1:5432/mipfed_test?user=mipfed&password=mipfed";
    private static final String DATA = "/org/mipfed/data/dementia_v_0_1/";

    private final DataStore store;
    private final String schema;

    private TestStore(DataStore store, String schema) {
        this.store = requireNonNull(store, "store is null");
        this.schema = schema;
    }

    public static TestStore open(StoreKind kind, Path directory) {
        if (kind == StoreKind.DUCKDB) {
            return new TestStore(DuckDbStore.open(directory.resolve("store.duckdb")), null);
        }
        String schema = "mipfed_test_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        execute("CREATE SCHEMA " + schema);
        return new TestStore(PostgresStore.open(withSchema(schema)), schema);
    }

    public DataStore store() {
        return store;
    }

    public static String postgresUrl() {
        String url = System.getProperty("MIPFED_TEST_PG_URL", System.getenv("MIPFED_TEST_PG_URL"));
        return url == null || url.isBlank() ? DEFAULT_PG_URL : url;
    }

    public static String withSchema(String schema) {
        String url = postgresUrl();
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    public static void execute(String sql) {
        try (Connection connection = DriverManager.getConnection(postgresUrl());
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Cannot run " + sql + " on the test PostgreSQL (" + e.getMessage()
                            + "); start it and create role mipfed / database mipfed_test, or set MIPFED_TEST_PG_URL",
                    e);
        }
    }

    /** The dementia data model of the test data. */
    public static DataModel dementia() {
        return DataModel.parse(resource("CDEsMetadata.json"));
    }

    /** The names of the dementia CSV files. */
    public static List<String> dementiaFiles() {
        return Arrays.stream(resource("FILES").split("\\s+"))
                .filter(f -> f.endsWith(".csv"))
                .sorted()
                .toList();
    }

    /** Copies a dementia CSV into {@code directory} and returns its path. */
    public static Path dementiaCsv(String name, Path directory) {
        try (InputStream in = TestStore.class.getResourceAsStream(DATA + name)) {
            if (in == null) {
                throw new IllegalArgumentException("No test resource " + name);
            }
            Path file = directory.resolve(name);
            Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String resource(String name) {
        try (InputStream in = TestStore.class.getResourceAsStream(DATA + name)) {
            if (in == null) {
                throw new IllegalArgumentException("No test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        store.close();
        if (schema != null) {
            execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }
}
