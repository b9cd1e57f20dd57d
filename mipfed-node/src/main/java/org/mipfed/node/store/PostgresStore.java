package org.mipfed.node.store;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.mipfed.core.model.DataModel;

/**
 * An existing PostgreSQL database (for instance a hospital's LDSM), reached through a small
 * HikariCP pool. Tables go to the connection's current schema, so a URL ending in
 * {@code ?currentSchema=x} keeps a node's tables apart from everything else in the database.
 */
public final class PostgresStore extends JdbcDataStore {
    private static final int MAX_CONNECTIONS = 4;

    private final HikariDataSource pool;
    private final String description;

    private PostgresStore(HikariDataSource pool, String description) {
        super(SqlDialect.POSTGRESQL);
        this.pool = requireNonNull(pool, "pool is null");
        this.description = requireNonNull(description, "description is null");
        try {
            checkSchema();
            initialize();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** Connects to {@code jdbc:postgresql://…}; fails at once if the database cannot be reached. */
    public static PostgresStore open(String jdbcUrl) {
        requireNonNull(jdbcUrl, "jdbcUrl is null");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("Not a PostgreSQL JDBC URL: " + redact(jdbcUrl));
        }
        String description = "PostgreSQL " + redact(jdbcUrl);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setPoolName("mipfed-store");
        config.setMaximumPoolSize(MAX_CONNECTIONS);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(10_000);
        // Fail on open, with the server's reason, rather than on the first query.
        config.setInitializationFailTimeout(1);
        config.addDataSourceProperty("ApplicationName", "mipfed-node");
        // Lets the driver send a batch of inserts as multi-row statements: several times faster.
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        try {
            return new PostgresStore(new HikariDataSource(config), description);
        } catch (RuntimeException e) {
            if (e instanceof StoreException) {
                throw e;
            }
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new StoreException("Cannot connect to the store " + description + ": " + cause.getMessage(), e);
        }
    }

    /** The URL with any password replaced, fit for logs. */
    static String redact(String jdbcUrl) {
        return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    private void checkSchema() {
        String schema = withConnection(connection -> {
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT current_schema()")) {
                rows.next();
                return rows.getString(1);
            }
        });
        if (schema == null) {
            throw new StoreException(
                    "The store " + description + " has no current schema (the schema named in currentSchema "
                            + "or search_path does not exist); create it first or correct the URL");
        }
    }

    @Override
    public String location() {
        return description;
    }

    @Override
    protected Connection borrow() throws SQLException {
        return pool.getConnection();
    }

    @Override
    protected void giveBack(Connection connection) throws SQLException {
        connection.close();
    }

    @Override
    public RowWriter rowWriter(Connection connection, DataModel model, List<String> columns) throws SQLException {
        return new PostgresRowWriter(connection, dialect(), model, columns);
    }

    @Override
    public void close() {
        pool.close();
    }
}
