package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.mipfed.node.store.DataStore;
import org.mipfed.node.store.PostgresStore;
import org.mipfed.node.store.StoreException;

/**
 * A hospital's PostgreSQL view attached in place: the dementia rows in the hospital's table, exposed
 * through a view under other column names and codes, read by the node through a role that may only
 * SELECT from the view (the node's own catalog in a schema of its own).
 */
class TestAttachedPostgresView extends AttachedSourceValidation {
    private final String suffix = UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    private final String reader = "h23_reader_" + suffix;
    private final String nodeSchema = "h23_node_" + suffix;
    private String hospitalUrl;
    private String hospitalSchema;

    @Override
    DataStore loadingStore() {
        hospitalUrl = TestPostgres.freshSchemaUrl("h23_hospital");
        hospitalSchema = hospitalUrl.substring(hospitalUrl.indexOf("currentSchema=") + "currentSchema=".length());
        return PostgresStore.open(hospitalUrl);
    }

    private String view() {
        return hospitalSchema + ".federation_view";
    }

    private String table() {
        return hospitalSchema + ".data_dementia_0_1";
    }

    @Override
    void createSource(DataStore loaded, List<java.nio.file.Path> csvs) {
        // What the hospital's DBA does: a view under its own names, a role that may read only that view.
        sql(
                "CREATE VIEW " + view() + " AS " + renamed(table()),
                "CREATE ROLE " + reader + " LOGIN PASSWORD '" + reader + "'",
                "GRANT USAGE ON SCHEMA " + hospitalSchema + " TO " + reader,
                "GRANT SELECT ON " + view() + " TO " + reader,
                "CREATE SCHEMA " + nodeSchema,
                "GRANT USAGE, CREATE ON SCHEMA " + nodeSchema + " TO " + reader);
    }

    private static void sql(String... statements) {
        try (Connection c = DriverManager.getConnection(TestPostgres.URL);
                Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "The test PostgreSQL refused " + e.getMessage()
                            + " (role mipfed needs CREATEROLE: ./mipfed test prepares it)",
                    e);
        }
    }

    private String readerUrl() {
        return TestPostgres.URL
                        .replaceAll("user=[^&]*", "user=" + reader)
                        .replaceAll("password=[^&]*", "password=" + reader)
                + "&currentSchema=" + nodeSchema;
    }

    @Override
    String nodeStore() {
        return readerUrl();
    }

    @Override
    List<String> sourceArguments() {
        return List.of("--table", view());
    }

    @Override
    void addRows(Map<Long, Map<String, String>> rows) {
        sql("INSERT INTO " + table() + " " + addedRows(table(), rows));
    }

    @Override
    void dropSource() {
        sql("DROP VIEW " + view());
    }

    @Override
    void checkReadOnly() {
        // The role the node signs in with holds SELECT on the view and nothing else of the hospital's.
        List<String> grants = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(TestPostgres.URL);
                Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT table_name, privilege_type FROM"
                        + " information_schema.role_table_grants WHERE grantee = '" + reader + "' AND table_schema = '"
                        + hospitalSchema + "'")) {
            while (rows.next()) {
                grants.add(rows.getString(1) + ":" + rows.getString(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        assertThat(grants).containsExactly("federation_view:SELECT");
        // A write through the node's own connection is refused by the grants…
        try (DataStore store = PostgresStore.open(readerUrl())) {
            for (String write : List.of(
                    "INSERT INTO " + view() + " (patient_no) VALUES (1)",
                    "DELETE FROM " + table(),
                    "UPDATE " + view() + " SET cohort = 'edsd1'")) {
                assertThatThrownBy(() -> store.inTransaction(c -> {
                            try (Statement s = c.createStatement()) {
                                return s.executeUpdate(write);
                            }
                        }))
                        .isInstanceOf(StoreException.class)
                        .hasMessageContaining("permission denied");
            }
            // …and every read of a source runs in a read-only transaction, where even the node's own schema is safe.
            assertThatThrownBy(() -> store.readOnly(c -> {
                        try (Statement s = c.createStatement()) {
                            return s.execute("CREATE TABLE " + nodeSchema + ".written (a INT)");
                        }
                    }))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("read-only transaction");
        }
    }

    @Override
    void cleanUp() {
        if (hospitalUrl != null) {
            TestPostgres.dropSchemaOf(hospitalUrl);
        }
        try {
            sql("DROP SCHEMA IF EXISTS " + nodeSchema + " CASCADE", "DROP ROLE IF EXISTS " + reader);
        } catch (IllegalStateException e) {
            // Leaving a role behind costs nothing; the next run uses another name.
        }
    }
}
