package org.mipfed.node.store;

import java.sql.SQLException;

/**
 * Appends rows to a data table as fast as the store allows, on the connection (and so in the
 * transaction) it was opened on. Columns are addressed by their index in the list given to
 * {@link DataStore#rowWriter}; a column not set in a row is stored as NULL. Once the first row has
 * ended, the connection is the writer's until {@link #close()}: PostgreSQL's COPY, which the
 * PostgreSQL writer streams into, allows no other statement on it meanwhile.
 */
public interface RowWriter extends AutoCloseable {
    void setLong(int column, long value) throws SQLException;

    void setDouble(int column, double value) throws SQLException;

    void setText(int column, String value) throws SQLException;

    /** Ends the current row; the next set* call starts a new one. */
    void endRow() throws SQLException;

    /** Writes what is buffered; the rows become visible when the transaction commits. */
    @Override
    void close() throws SQLException;
}
