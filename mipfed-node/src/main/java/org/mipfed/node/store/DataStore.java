package org.mipfed.node.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.mipfed.core.model.DataModel;
import org.mipfed.proto.v1.DataModelInfo;

/**
 * Where a node keeps its patients' data: one table per data model plus a small catalog (see
 * {@link StoreCatalog}). Implementations differ only in how they hand out connections and append
 * rows; every query is plain SQL written through {@link #dialect()}.
 *
 * <p>Writers (the importer) must serialize themselves on the store instance: a node has one store
 * and imports are rare, so a lock is simpler than making concurrent imports safe.
 */
public interface DataStore extends AutoCloseable {
    /** The SQL dialect queries against this store are written in. */
    SqlDialect dialect();

    /** Where the data lives, for logs and messages; never contains a password. */
    String location();

    /** The catalog tables' operations, to be run on a connection lent by this store. */
    StoreCatalog catalog();

    /** Every registered data model with its datasets and row counts, by id. */
    List<StoredDataModel> dataModels();

    /** The data models and datasets as the node announces them in its hello message. */
    default List<DataModelInfo> describe() {
        return dataModels().stream().map(StoredDataModel::toProto).toList();
    }

    /** The data model with this id ("code:version"), if registered. */
    default Optional<StoredDataModel> dataModel(String id) {
        return dataModels().stream().filter(m -> m.id().equals(id)).findFirst();
    }

    /** Runs read-only work on a pooled connection in auto-commit mode. */
    <T> T withConnection(SqlWork<T> work);

    /**
     * Runs reading work in a transaction that cannot write (PostgreSQL's READ ONLY), always rolled
     * back: every read of an attached source goes through here, so the node cannot change a
     * hospital's data even if its role could. SQL failures become {@link StoreException}.
     */
    <T> T readOnly(SqlWork<T> work);

    /**
     * Runs work in one transaction: committed if it returns, rolled back if it throws. Runtime
     * exceptions thrown by the work pass through unchanged; SQL failures become {@link StoreException}.
     */
    <T> T inTransaction(SqlWork<T> work);

    /**
     * Opens the fastest row writer the store has on {@code connection} (which must be in a
     * transaction of this store) for the data table of {@code model}.
     *
     * @param columns the columns the writer will set, {@link StoreCatalog#ROW_ID} and CDE codes
     */
    RowWriter rowWriter(Connection connection, DataModel model, List<String> columns) throws SQLException;

    /** Releases connections (and, for an embedded store, the file). */
    @Override
    void close();
}
