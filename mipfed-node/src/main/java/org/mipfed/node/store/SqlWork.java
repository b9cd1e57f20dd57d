package org.mipfed.node.store;

import java.sql.Connection;
import java.sql.SQLException;

/** Work done on a store connection lent by {@link DataStore}; the connection must not escape it. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
