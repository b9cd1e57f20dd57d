package org.mipfed.node.store;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the SQL of one piece of work from another thread: the work runs {@link #within} the cancellation, the
 * statements it prepares are {@link #watch watched} while their connection is lent to it, and {@link #cancel()}
 * cancels them with {@link Statement#cancel()} — DuckDB interrupts its connection's query, PostgreSQL sends the
 * server a cancel request — and makes the work's next borrowing of a connection fail. Either way the work ends
 * with a {@link QueryCancelledException}.
 */
public final class QueryCancellation {
    private static final Logger LOG = LoggerFactory.getLogger(QueryCancellation.class);
    private static final ThreadLocal<QueryCancellation> CURRENT = new ThreadLocal<>();

    private final String description;
    /** Statements prepared by the work, by the lent connection they were prepared on; guarded by {@code this}. */
    private final Map<Connection, List<Statement>> watched = new IdentityHashMap<>();

    private volatile boolean cancelled;

    /** @param description what is cancelled, in words, for the messages ("analysis 1b2c…") */
    public QueryCancellation(String description) {
        this.description = requireNonNull(description, "description is null");
    }

    /** Runs {@code work} on this thread under this cancellation. */
    public <T> T within(Supplier<T> work) {
        QueryCancellation outer = CURRENT.get();
        CURRENT.set(this);
        try {
            // a cancellation that came first stops the work at its first borrowing of a connection, inside it
            return work.get();
        } finally {
            synchronized (this) {
                watched.clear();
            }
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
    }

    /**
     * Stops the work: every statement of it that runs now is cancelled, and it borrows no connection again.
     *
     * @return how many statements were running (or about to) when cancelled
     */
    public int cancel() {
        cancelled = true;
        List<Statement> statements;
        synchronized (this) {
            statements = watched.values().stream().flatMap(List::stream).toList();
        }
        int cancelledStatements = 0;
        for (Statement statement : statements) {
            try {
                statement.cancel();
                cancelledStatements++;
            } catch (SQLException | RuntimeException e) {
                // a statement that finished or closed meanwhile has nothing left to stop
                LOG.debug("could not cancel a statement of {}: {}", description, e.getMessage());
            }
        }
        return cancelledStatements;
    }

    public boolean cancelled() {
        return cancelled;
    }

    /** Whether this thread's work runs under a cancellation that was cancelled. */
    public static boolean currentCancelled() {
        QueryCancellation current = CURRENT.get();
        return current != null && current.cancelled();
    }

    /** Throws a {@link QueryCancelledException} if the work was cancelled. */
    public void checkNotCancelled() {
        if (cancelled) {
            throw new QueryCancelledException(description);
        }
    }

    /**
     * Watches {@code statement}, prepared on {@code connection}, if this thread's work runs under a cancellation;
     * a cancellation that came first stops it here.
     */
    public static void watch(Connection connection, Statement statement) {
        QueryCancellation current = CURRENT.get();
        if (current == null) {
            return;
        }
        synchronized (current) {
            current.watched.computeIfAbsent(connection, c -> new ArrayList<>(2)).add(statement);
        }
        current.checkNotCancelled();
    }

    /** The current work borrows a connection: refused once it was cancelled. */
    static void borrowing() {
        QueryCancellation current = CURRENT.get();
        if (current != null) {
            current.checkNotCancelled();
        }
    }

    /** The current work gave {@code connection} back: its statements may serve others now, and are not watched. */
    static void released(Connection connection) {
        QueryCancellation current = CURRENT.get();
        if (current != null) {
            synchronized (current) {
                current.watched.remove(connection);
            }
        }
    }
}
