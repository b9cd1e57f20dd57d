package org.mipfed.node.primitive;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.mipfed.node.privacy.PrivacyGuard;

/**
 * Reads the ids of the rows behind an answer's figures, so that the privacy guard can compare those
 * row sets with each other and with earlier answers' ({@link PrivacyGuard#checkFigureRows}). The
 * statement's first column is {@code _row_id}; the others say which figures each row is behind.
 */
final class RowIds {
    private RowIds() {
    }

    /** What to do with each row: its id (in the 32 bits the bitmaps keep) and the statement's other columns. */
    @FunctionalInterface
    interface Row {
        void accept(int id, ResultSet row) throws SQLException;
    }

    static void read(Connection connection, BoundSql sql, Row each) throws SQLException {
        try (PreparedStatement statement = sql.prepare(connection); ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                long id = rows.getLong(1);
                if (id < 0 || id > 0xFFFF_FFFFL) {
                    throw new IllegalStateException("row id " + id + " is outside the 32-bit range the differencing history keeps");
                }
                each.accept((int) id, rows);
            }
        }
    }
}
