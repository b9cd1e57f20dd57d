package org.mipfed.node.store;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;

/**
 * Appends through DuckDB's appender, the fastest way in. The appender wants every column of the
 * table in order, so rows are kept whole, with unset columns NULL. Checking and appending run side by
 * side: the importer fills batches of rows while a thread of the writer's own feeds the previous
 * batches to the appender (which must stay on the thread that created it). The importer's thread
 * does not touch the connection until {@link #close()}. Appending is the slower half: the JDBC
 * appender flushes every vector of 2048 rows into the table, and those flushes are most of an
 * import's time (a staging table in memory moved over in large parts was measured, and was not faster).
 */
final class DuckDbRowWriter implements RowWriter {
    private static final int BATCH_ROWS = 2048;
    private static final int BATCHES = 3;
    private static final byte NULL = 0;
    private static final byte LONG = 1;
    private static final byte DOUBLE = 2;
    private static final byte TEXT = 3;
    private static final Batch END = new Batch(0);

    /** Table position of each column the caller sets. */
    private final int[] positions;

    private final int width;
    private final BlockingQueue<Batch> free = new ArrayBlockingQueue<>(BATCHES);
    private final BlockingQueue<Batch> full = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile Throwable failure;
    private Batch current;
    private int row;
    private boolean closed;

    DuckDbRowWriter(DuckDBConnection connection, DataModel model, List<String> columns) throws SQLException {
        Map<String, Integer> tablePositions = new HashMap<>();
        tablePositions.put(StoreCatalog.ROW_ID, 0);
        int position = 1;
        for (Cde cde : model.cdes().values()) {
            tablePositions.put(cde.code().toLowerCase(Locale.ROOT), position++);
        }
        width = position;
        positions = new int[columns.size()];
        for (int i = 0; i < positions.length; i++) {
            Integer p = tablePositions.get(columns.get(i).toLowerCase(Locale.ROOT));
            if (p == null) {
                throw new IllegalArgumentException(
                        "No column " + columns.get(i) + " in the data table of " + model.id());
            }
            positions[i] = p;
        }
        for (int i = 0; i < BATCHES; i++) {
            free.add(new Batch(width * BATCH_ROWS));
        }
        CompletableFuture<Void> started = new CompletableFuture<>();
        String table = StoreCatalog.dataTable(model);
        thread = new Thread(() -> appendAll(connection, table, started), "mipfed-duckdb-appender");
        thread.setDaemon(true);
        thread.start();
        try {
            started.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof SQLException sql
                    ? sql
                    : new SQLException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            full.add(END);
            throw new SQLException("Interrupted while opening the appender", e);
        }
        current = nextFree();
    }

    @Override
    public void setLong(int column, long value) {
        int i = row * width + positions[column];
        current.kinds[i] = LONG;
        current.values[i] = value;
    }

    @Override
    public void setDouble(int column, double value) {
        int i = row * width + positions[column];
        current.kinds[i] = DOUBLE;
        current.values[i] = Double.doubleToRawLongBits(value);
    }

    @Override
    public void setText(int column, String value) {
        int i = row * width + positions[column];
        current.kinds[i] = value == null ? NULL : TEXT;
        current.texts[i] = value;
    }

    @Override
    public void endRow() throws SQLException {
        if (++row == BATCH_ROWS) {
            current.rows = row;
            full.add(current);
            row = 0;
            current = nextFree();
        }
    }

    private Batch nextFree() throws SQLException {
        try {
            Batch batch;
            while ((batch = free.poll(100, TimeUnit.MILLISECONDS)) == null) {
                checkFailure();
            }
            checkFailure();
            return batch;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("Interrupted while appending rows", e);
        }
    }

    private void checkFailure() throws SQLException {
        Throwable cause = failure;
        if (cause != null) {
            throw cause instanceof SQLException sql
                    ? sql
                    : new SQLException("Appending rows failed: " + cause.getMessage(), cause);
        }
    }

    /** The appender's thread: appends batches until {@link #END}, then flushes by closing the appender. */
    private void appendAll(DuckDBConnection connection, String table, CompletableFuture<Void> started) {
        try (DuckDBAppender appender = connection.createAppender(DuckDBConnection.DEFAULT_SCHEMA, table)) {
            started.complete(null);
            for (Batch batch = full.take(); batch != END; batch = full.take()) {
                append(appender, batch);
                free.add(batch);
            }
        } catch (Throwable e) {
            failure = e;
            started.completeExceptionally(e);
        }
    }

    private void append(DuckDBAppender appender, Batch batch) throws SQLException {
        byte[] kinds = batch.kinds;
        long[] values = batch.values;
        String[] texts = batch.texts;
        int end = batch.rows * width;
        for (int start = 0; start < end; start += width) {
            appender.beginRow();
            for (int i = start; i < start + width; i++) {
                switch (kinds[i]) {
                    case LONG -> appender.append(values[i]);
                    case DOUBLE -> appender.append(Double.longBitsToDouble(values[i]));
                    case TEXT -> appender.append(texts[i]);
                    default -> appender.appendNull();
                }
                kinds[i] = NULL;
                texts[i] = null;
            }
            appender.endRow();
        }
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        if (row > 0 && failure == null) {
            current.rows = row;
            full.add(current);
        }
        full.add(END);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        checkFailure();
    }

    /** Rows of cells, row after row; a double is kept as its bits in {@code values}. */
    private static final class Batch {
        final byte[] kinds;
        final long[] values;
        final String[] texts;
        int rows;

        Batch(int cells) {
            kinds = new byte[cells];
            values = new long[cells];
            texts = new String[cells];
        }
    }
}
