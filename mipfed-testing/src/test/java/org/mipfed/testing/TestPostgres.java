package org.mipfed.testing;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;

/**
 * The PostgreSQL server the tests use as a hospital's existing store (started by {@code ./mipfed test}, see .ci/prepare-tests).
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

    /**
     * Skips the calling test when the user chose to run without PostgreSQL ({@code ./mipfed test --without-postgres}
     * sets {@code MIPFED_TEST_WITHOUT=postgres}); call it before starting anything the test would have to stop.
     */
    static void assumeWanted() {
        assumeFalse(
                leftOut("postgres"),
                "PostgreSQL left out (./mipfed test --without-postgres, MIPFED_TEST_WITHOUT): this test is skipped");
    }

    /** Whether {@code MIPFED_TEST_WITHOUT} (comma-separated: postgres, browser) names this part. */
    static boolean leftOut(String part) {
        String without = System.getenv().getOrDefault("MIPFED_TEST_WITHOUT", "");
        return Arrays.asList(without.split(",")).contains(part);
    }

    /** Creates a new empty schema and returns a JDBC URL whose tables live in it. */
    static String freshSchemaUrl(String prefix) {
        assumeWanted();
        String schema = (prefix + "_" + UUID.randomUUID().toString().substring(0, 8))
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9_]", "_");
        try (Connection c = DriverManager.getConnection(URL);
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "The tests need PostgreSQL at " + URL
                            + " (role mipfed, database mipfed_test; ./mipfed test prepares it): " + e.getMessage(),
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
