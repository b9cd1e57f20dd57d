package org.mipfed.node.store;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import org.duckdb.DuckDBConnection;
import org.mipfed.core.model.DataModel;

/**
 * An embedded DuckDB database, by default the file {@code store.duckdb} in the node's data dir.
 * DuckDB lets one process open a file read-write, so the store keeps one root connection for the
 * node's lifetime and lends cheap duplicates of it, a few at a time, each keeping its prepared
 * statements for the next request of the same shape ({@link StatementCache}).
 */
public final class DuckDbStore extends JdbcDataStore {
    private static final int MAX_CONNECTIONS =
            Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors()));
    /** Prepared statements kept per connection (a few per primitive shape). */
    private static final int STATEMENTS_PER_CONNECTION = 64;

    /** System property: DuckDB's {@code threads} for every store this process opens (unset: DuckDB's default). */
    public static final String THREADS_PROPERTY = "mipfed.duckdb.threads";

    /** System property: DuckDB's {@code memory_limit}, e.g. {@code 64MB} (unset: DuckDB's default). */
    public static final String MEMORY_LIMIT_PROPERTY = "mipfed.duckdb.memoryLimit";

    private final String description;
    private final DuckDBConnection root;
    private final Semaphore permits = new Semaphore(MAX_CONNECTIONS);
    /** Guards the pool; not {@code this}, which importers lock for the length of an import. */
    private final Object lock = new Object();

    private final Deque<StatementCache> idle = new ArrayDeque<>();
    private final Map<Connection, StatementCache> lent = new IdentityHashMap<>();
    private final List<StatementCache> all = new ArrayList<>();

    private DuckDbStore(String description, DuckDBConnection root) {
        super(SqlDialect.DUCKDB);
        this.description = requireNonNull(description, "description is null");
        this.root = requireNonNull(root, "root is null");
        initialize();
    }

    /** Opens (creating if needed) the database file. */
    public static DuckDbStore open(Path file) {
        requireNonNull(file, "file is null");
        Path absolute = file.toAbsolutePath();
        String description = "DuckDB " + absolute;
        try {
            if (absolute.getParent() != null) {
                Files.createDirectories(absolute.getParent());
            }
            return new DuckDbStore(description, connect("jdbc:duckdb:" + absolute, description));
        } catch (java.io.IOException e) {
            throw new StoreException("Cannot create the directory of the store " + absolute + ": " + e.getMessage(), e);
        }
    }

    /** A database in memory, gone when closed: for tests and demos. */
    public static DuckDbStore inMemory() {
        return new DuckDbStore("DuckDB in memory", connect("jdbc:duckdb:", "DuckDB in memory"));
    }

    private static DuckDBConnection connect(String url, String description) {
        Properties properties = new Properties();
        // A hospital node must never fetch code from the internet, nor load extensions behind our back.
        properties.setProperty("autoinstall_known_extensions", "false");
        properties.setProperty("autoload_known_extensions", "false");
        // Unset on a real node (DuckDB's defaults: a thread per core, 80% of the RAM). The benchmark's simulated
        // nodes, hundreds in one machine, each take one thread and a little memory.
        String threads = System.getProperty(THREADS_PROPERTY);
        if (threads != null) {
            properties.setProperty("threads", threads);
        }
        String memory = System.getProperty(MEMORY_LIMIT_PROPERTY);
        if (memory != null) {
            properties.setProperty("memory_limit", memory);
        }
        try {
            return DriverManager.getConnection(url, properties).unwrap(DuckDBConnection.class);
        } catch (SQLException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("lock")) {
                throw new StoreException(
                        "Cannot open the store " + description + ": another process has it open (" + message
                                + "). Stop the other mipfed node using this data directory, or give this node its own --data-dir",
                        e);
            }
            throw new StoreException("Cannot open the store " + description + ": " + message, e);
        }
    }

    @Override
    public String location() {
        return description;
    }

    @Override
    protected Connection borrow() throws SQLException {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("Interrupted while waiting for a store connection", e);
        }
        try {
            synchronized (lock) {
                StatementCache connection = idle.pollFirst();
                if (connection == null) {
                    connection = new StatementCache(root.duplicate(), STATEMENTS_PER_CONNECTION);
                    all.add(connection);
                }
                lent.put(connection.connection(), connection);
                return connection.connection();
            }
        } catch (SQLException | RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    @Override
    protected void giveBack(Connection connection) {
        synchronized (lock) {
            StatementCache cache = lent.remove(connection);
            if (cache == null) {
                throw new IllegalArgumentException("Not a connection of this store: " + connection);
            }
            idle.addFirst(cache);
        }
        permits.release();
    }

    @Override
    public RowWriter rowWriter(Connection connection, DataModel model, List<String> columns) throws SQLException {
        return new DuckDbRowWriter(connection.unwrap(DuckDBConnection.class), model, columns);
    }

    @Override
    public void close() {
        synchronized (lock) {
            for (StatementCache connection : all) {
                try {
                    connection.clear();
                    connection.physical().close();
                } catch (SQLException e) {
                    // Closing is best effort: the root connection below releases the file either way.
                }
            }
            all.clear();
            idle.clear();
            lent.clear();
            try {
                root.close();
            } catch (SQLException e) {
                throw new StoreException("Cannot close the store " + description + ": " + e.getMessage(), e);
            }
        }
    }
}
