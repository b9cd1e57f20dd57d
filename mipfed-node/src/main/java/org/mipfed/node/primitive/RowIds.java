package org.mipfed.node.primitive;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.mipfed.core.model.Cde;
import org.mipfed.node.privacy.FigureRows;
import org.mipfed.node.privacy.PrivacyGuard;
import org.mipfed.node.privacy.PrivacyViolation;
import org.mipfed.node.store.StoreCatalog;
import org.roaringbitmap.RoaringBitmap;

/**
 * Reads the ids of the rows behind an answer's figures, so that the privacy guard can compare those
 * row sets with each other and with earlier answers' ({@link PrivacyGuard#checkFigureRows}). The
 * statement's first column is {@code _row_id}; the others say which figures each row is behind.
 */
final class RowIds {
    private RowIds() {}

    /** What to do with each row: its id (in the 32 bits the bitmaps keep) and the statement's other columns. */
    @FunctionalInterface
    interface Row {
        void accept(int id, ResultSet row) throws SQLException;
    }

    /**
     * Differencing of a model's rows: the rows complete in {@code complete} are behind every figure
     * of a model primitive (its sums, cross products, weighted sums), for each variable in
     * {@code described}; if they differ by a few rows from those behind figures of the same variable
     * in an earlier answer, the answer is refused ({@link PrivacyGuard#figureDifferencing()}): a model
     * cannot leave rows out.
     */
    static void checkModelRows(
            Connection connection, QueryScope scope, PrivacyGuard guard, Collection<Cde> described, List<Cde> complete)
            throws SQLException {
        RoaringBitmap rows = new RoaringBitmap();
        read(
                connection,
                BoundSql.builder()
                        .sql("SELECT " + scope.dialect().quote(StoreCatalog.ROW_ID) + " FROM " + scope.table()
                                + " WHERE ")
                        .append(scope.where())
                        .sql(" AND " + scope.complete(complete))
                        .build(),
                (id, row) -> rows.add(id));
        checkModelRows(scope, guard, described, rows);
    }

    /**
     * The row ids gathered into one value by a primitive's own statement ({@link
     * org.mipfed.node.store.SqlDialect#idsOf}): an array, or the ids' digits separated by commas; for {@link
     * #checkModelRows(QueryScope, PrivacyGuard, Collection, RoaringBitmap)}: one statement where there were two.
     * NULL (no row) is the empty set.
     */
    static RoaringBitmap bitmap(ResultSet result, int column) throws SQLException {
        RoaringBitmap rows = new RoaringBitmap();
        Object ids = result.getObject(column);
        if (ids instanceof String text && !text.isEmpty()) {
            long id = -1;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == ',') {
                    rows.add(rowId(id));
                    id = -1;
                } else if (c >= '0' && c <= '9' && id <= (Long.MAX_VALUE - 9) / 10) {
                    id = (id < 0 ? 0 : id * 10) + (c - '0');
                } else {
                    throw new IllegalStateException("the store gave a row id that is not one (at character " + i + ")");
                }
            }
            rows.add(rowId(id));
        } else if (ids instanceof Array array) {
            for (Object value : (Object[]) array.getArray()) {
                rows.add(rowId(((Number) value).longValue()));
            }
        } else if (ids != null && !(ids instanceof String)) {
            throw new IllegalStateException(
                    "the store gave row ids as " + ids.getClass().getSimpleName());
        }
        return rows;
    }

    /** The differencing of a model's rows, read already: see the method above. */
    static void checkModelRows(QueryScope scope, PrivacyGuard guard, Collection<Cde> described, RoaringBitmap rows) {
        List<FigureRows> sets = new ArrayList<>();
        for (Cde cde : described) {
            sets.add(FigureRows.values(cde.code(), rows));
        }
        if (!guard.checkFigureRows(scope.model().id(), sets).isEmpty()) {
            PrivacyViolation violation = guard.figureDifferencing();
            throw RefusalException.caller(violation.rule(), violation.message());
        }
    }

    static void read(Connection connection, BoundSql sql, Row each) throws SQLException {
        try (PreparedStatement statement = sql.prepare(connection);
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                each.accept(rowId(rows.getLong(1)), rows);
            }
        }
    }

    /** A row id in the 32 bits the bitmaps keep. */
    private static int rowId(long id) {
        if (id < 0 || id > 0xFFFF_FFFFL) {
            throw new IllegalStateException(
                    "row id " + id + " is outside the 32-bit range the differencing history keeps");
        }
        return (int) id;
    }
}
