package org.mipfed.node.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;

/** Appends with batched prepared inserts, which the driver rewrites into multi-row statements. */
final class PostgresRowWriter implements RowWriter {
    private static final int BATCH = 1000;

    private final PreparedStatement insert;
    private final int[] sqlTypes;
    private final boolean[] set;
    private int batched;

    PostgresRowWriter(Connection connection, SqlDialect dialect, DataModel model, List<String> columns) throws SQLException {
        sqlTypes = new int[columns.size()];
        set = new boolean[columns.size()];
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(dialect.quote(StoreCatalog.dataTable(model))).append(" (");
        for (int i = 0; i < columns.size(); i++) {
            String column = columns.get(i);
            sql.append(i == 0 ? "" : ", ").append(dialect.quote(column));
            Cde cde = model.cde(column);
            if (cde == null && !column.equals(StoreCatalog.ROW_ID)) {
                throw new IllegalArgumentException("No column " + column + " in the data table of " + model.id());
            }
            sqlTypes[i] = cde == null ? Types.BIGINT : switch (cde.sqlType()) {
                case INT -> Types.BIGINT;
                case REAL -> Types.DOUBLE;
                case TEXT -> Types.VARCHAR;
            };
        }
        sql.append(") VALUES (").append(String.join(", ", columns.stream().map(c -> "?").toList())).append(')');
        insert = connection.prepareStatement(sql.toString());
    }

    @Override
    public void setLong(int column, long value) throws SQLException {
        insert.setLong(column + 1, value);
        set[column] = true;
    }

    @Override
    public void setDouble(int column, double value) throws SQLException {
        insert.setDouble(column + 1, value);
        set[column] = true;
    }

    @Override
    public void setText(int column, String value) throws SQLException {
        insert.setString(column + 1, value);
        set[column] = value != null;
    }

    @Override
    public void endRow() throws SQLException {
        for (int i = 0; i < set.length; i++) {
            if (!set[i]) {
                insert.setNull(i + 1, sqlTypes[i]);
            }
            set[i] = false;
        }
        insert.addBatch();
        if (++batched == BATCH) {
            insert.executeBatch();
            batched = 0;
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            if (batched > 0) {
                insert.executeBatch();
            }
        }
        finally {
            insert.close();
        }
    }
}
