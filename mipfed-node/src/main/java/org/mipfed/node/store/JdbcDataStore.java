package org.mipfed.node.store;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every JDBC store shares: borrowing connections, transactions, the catalog and a cached view
 * of it. Subclasses only say how connections are pooled and how rows are appended fast.
 */
public abstract class JdbcDataStore implements DataStore {
    private final SqlDialect dialect;
    private final StoreCatalog catalog;
    /** Counts transactions, the only way data changes; a cached catalog from an older count is stale. */
    private final AtomicLong generation = new AtomicLong();

    private volatile CatalogSnapshot snapshot;

    protected JdbcDataStore(SqlDialect dialect) {
        this.dialect = requireNonNull(dialect, "dialect is null");
        this.catalog = new StoreCatalog(dialect);
    }

    /** Creates the catalog tables; subclasses call it once their connections are ready. */
    protected final void initialize() {
        inTransaction(connection -> {
            catalog.createIfAbsent(connection);
            return null;
        });
    }

    /** Lends a connection in auto-commit mode. */
    protected abstract Connection borrow() throws SQLException;

    /** Takes a lent connection back; it is in auto-commit mode again. */
    protected abstract void giveBack(Connection connection) throws SQLException;

    @Override
    public final SqlDialect dialect() {
        return dialect;
    }

    @Override
    public final StoreCatalog catalog() {
        return catalog;
    }

    @Override
    public List<StoredDataModel> dataModels() {
        CatalogSnapshot cached = snapshot;
        long current = generation.get();
        if (cached != null && cached.generation() == current) {
            return cached.dataModels();
        }
        List<StoredDataModel> read = withConnection(catalog::read);
        snapshot = new CatalogSnapshot(current, read);
        return read;
    }

    @Override
    public <T> T withConnection(SqlWork<T> work) {
        Connection connection = acquire();
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw failure(e);
        } finally {
            release(connection);
        }
    }

    @Override
    public <T> T inTransaction(SqlWork<T> work) {
        Connection connection = acquire();
        try {
            connection.setAutoCommit(false);
            T result;
            try {
                result = work.run(connection);
                connection.commit();
            } catch (SQLException | RuntimeException | Error e) {
                rollback(connection, e);
                throw e;
            } finally {
                generation.incrementAndGet();
            }
            return result;
        } catch (SQLException e) {
            throw failure(e);
        } finally {
            release(connection);
        }
    }

    @Override
    public <T> T readOnly(SqlWork<T> work) {
        Connection connection = acquire();
        try {
            connection.setAutoCommit(false);
            try {
                if (dialect == SqlDialect.POSTGRESQL) {
                    try (Statement statement = connection.createStatement()) {
                        statement.execute("SET TRANSACTION READ ONLY");
                    }
                }
                return work.run(connection);
            } finally {
                connection.rollback();
            }
        } catch (SQLException e) {
            throw failure(e);
        } finally {
            release(connection);
        }
    }

    private static void rollback(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private Connection acquire() {
        QueryCancellation.borrowing();
        try {
            return borrow();
        } catch (SQLException e) {
            throw new StoreException("Cannot get a connection to the store " + location() + ": " + e.getMessage(), e);
        }
    }

    private void release(Connection connection) {
        QueryCancellation.released(connection);
        try {
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            // A connection that cannot be reset is still handed back: the pool decides whether to drop it.
        }
        try {
            giveBack(connection);
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private StoreException failure(SQLException e) {
        return new StoreException("The store " + location() + " failed: " + e.getMessage(), e);
    }

    private record CatalogSnapshot(long generation, List<StoredDataModel> dataModels) {}

    @Override
    public String toString() {
        return location();
    }
}
