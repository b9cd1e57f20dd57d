package org.mipfed.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * The PostgreSQL server the tests use as a hospital's existing store (started by {@code .ci/run}).
 * Each node gets its own fresh schema, so runs never see each other's data.
 */
final class TestPostgres {
    static final String URL = System.getProperty(
            "mipfed.test.pg.url",
            System.getenv()
                    .getOrDefault(
                            "MIPFED_TEST_PG_URL",
                            "jdbc:postgresql://127.0.0.1:5432/mipfed_test?user=mipfed&password=mipfed"));

    private TestPostgres() {}

    /** Creates a new empty schema and returns a JDBC URL whose tables live in it. */
    static String freshSchemaUrl(String prefix) {
        String schema = (prefix + "_" + UUID.randomUUID().toString().substring(0, 8))
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9_]", "_");
        try (Connection c = DriverManager.getConnection(URL);
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "The tests need PostgreSQL at " + URL
                            + " (role mipfed, database mipfed_test; .ci/run prepares it): " + e.getMessage(),
                    e);
        }
        return URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    static void dropSchemaOf(String url) {
        String schema = url.substring(url.indexOf("currentSchema=") + "currentSchema=".length());
        try (Connection c = DriverManager.getConnection(URL);
                Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            // Leaving a schema behind only costs space.
        }
    }
}
