package org.mipfed.node.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Appends with one {@code COPY ... FROM STDIN} in PostgreSQL's binary format: numbers go as their
 * eight bytes (no decimal text to format and parse, so a double arrives bit for bit), and rows
 * stream to the server in blocks of {@link #BLOCK} bytes, so memory stays small whatever the file
 * size. The copy runs in the caller's transaction: a failed import leaves nothing behind. It starts
 * with the first row; from then until {@link #close()} the connection belongs to the copy.
 */
final class PostgresRowWriter implements RowWriter {
    private static final int BLOCK = 1 << 16;
    private static final byte[] HEADER = {
        'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0
    };
    private static final byte NULL = 0;
    private static final byte LONG = 1;
    private static final byte DOUBLE = 2;
    private static final byte TEXT = 3;

    private final Connection connection;
    private final String sql;
    private CopyIn copy;
    private final List<String> columns;
    /** The column's type: {@link #LONG}, {@link #DOUBLE} or {@link #TEXT}. */
    private final byte[] types;

    private final byte[] kinds;
    private final long[] values;
    private final String[] texts;
    private final ByteBuffer block = ByteBuffer.allocate(BLOCK);
    private boolean closed;

    PostgresRowWriter(Connection connection, SqlDialect dialect, DataModel model, List<String> columns)
            throws SQLException {
        this.columns = List.copyOf(columns);
        types = new byte[columns.size()];
        StringBuilder sql = new StringBuilder("COPY ")
                .append(dialect.quote(StoreCatalog.dataTable(model)))
                .append(" (");
        for (int i = 0; i < columns.size(); i++) {
            String column = columns.get(i);
            Cde cde = model.cde(column);
            if (cde == null && !column.equals(StoreCatalog.ROW_ID)) {
                throw new IllegalArgumentException("No column " + column + " in the data table of " + model.id());
            }
            sql.append(i == 0 ? "" : ", ").append(dialect.quote(column));
            types[i] = cde == null
                    ? LONG
                    : switch (cde.sqlType()) {
                        case INT -> LONG;
                        case REAL -> DOUBLE;
                        case TEXT -> TEXT;
                    };
        }
        sql.append(") FROM STDIN (FORMAT binary)");
        kinds = new byte[columns.size()];
        values = new long[columns.size()];
        texts = new String[columns.size()];
        this.connection = connection;
        this.sql = sql.toString();
    }

    @Override
    public void setLong(int column, long value) throws SQLException {
        if (types[column] == DOUBLE) {
            setDouble(column, value);
            return;
        }
        check(column, LONG, "an integer");
        kinds[column] = LONG;
        values[column] = value;
    }

    @Override
    public void setDouble(int column, double value) throws SQLException {
        check(column, DOUBLE, "a number");
        kinds[column] = DOUBLE;
        values[column] = Double.doubleToRawLongBits(value);
    }

    @Override
    public void setText(int column, String value) throws SQLException {
        if (value == null) {
            kinds[column] = NULL;
            return;
        }
        check(column, TEXT, "text");
        kinds[column] = TEXT;
        texts[column] = value;
    }

    /** The binary format has no casts: each column takes only its own type. */
    private void check(int column, byte type, String what) throws SQLException {
        if (types[column] != type) {
            throw new SQLException("The column " + columns.get(column) + " cannot take " + what);
        }
    }

    @Override
    public void endRow() throws SQLException {
        if (copy == null) {
            copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
            block.put(HEADER);
        }
        room(2);
        block.putShort((short) kinds.length);
        for (int i = 0; i < kinds.length; i++) {
            switch (kinds[i]) {
                case LONG, DOUBLE -> {
                    room(12);
                    block.putInt(8).putLong(values[i]);
                }
                case TEXT -> putText(texts[i]);
                default -> {
                    room(4);
                    block.putInt(-1);
                }
            }
        }
        Arrays.fill(kinds, NULL);
        Arrays.fill(texts, null);
    }

    private void putText(String text) throws SQLException {
        int length = text.length();
        room(4 + length);
        int at = block.position();
        block.putInt(0);
        int i = 0;
        // Nearly every cell is ASCII: one byte per char, written as is.
        for (; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x80 || block.remaining() == 0) {
                break;
            }
            block.put((byte) c);
        }
        if (i < length) {
            block.position(at + 4);
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            if (utf8.length + 4 > block.capacity()) {
                // A cell longer than a block: sent as its own message.
                block.position(at);
                send();
                byte[] field = ByteBuffer.allocate(4 + utf8.length)
                        .putInt(utf8.length)
                        .put(utf8)
                        .array();
                copy.writeToCopy(field, 0, field.length);
                return;
            }
            if (block.remaining() < utf8.length) {
                block.position(at);
                send();
                at = 0;
                block.putInt(0);
            }
            block.put(utf8);
        }
        block.putInt(at, block.position() - at - 4);
    }

    /** Makes room for {@code bytes} more bytes (at most a block) by sending what is buffered. */
    private void room(int bytes) throws SQLException {
        if (block.remaining() < Math.min(bytes, BLOCK)) {
            send();
        }
    }

    private void send() throws SQLException {
        if (block.position() > 0) {
            copy.writeToCopy(block.array(), 0, block.position());
            block.clear();
        }
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        if (copy == null) {
            return;
        }
        try {
            room(2);
            block.putShort((short) -1);
            send();
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }
}
