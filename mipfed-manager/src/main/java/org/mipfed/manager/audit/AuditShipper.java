package org.mipfed.manager.audit;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.mipfed.core.audit.ChainLines;
import org.mipfed.core.json.Json;
import org.mipfed.manager.replication.ManagerReplication;
import org.mipfed.manager.replication.ReplicatedState;
import org.mipfed.manager.replication.StateCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships the lines of this manager's audit journal ({@code D/audit.journal}) into the federation's chain through the
 * managers' log, as the experiment writer ships experiment records: one thread, the lines not yet in the chain read
 * from the journal file (so it also takes the lines another process wrote there, a backup), cut into log entries of at
 * most {@link #ENTRY_BYTES}. Without a majority it keeps them and tries again every {@link #RETRY_MILLIS}; after a
 * restart it starts again from the journal's beginning and sends only what the chain does not hold (by manager and
 * local seq), so a line is never in the chain twice and never lost.
 */
final class AuditShipper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditShipper.class);
    /** The most journal bytes one log entry carries. */
    static final int ENTRY_BYTES = 512 * 1024;
    /** How long the shipper waits before it tries again after the managers could not commit. */
    static final long RETRY_MILLIS = 500;
    /** How often it looks for lines another process appended to the journal. */
    private static final long POLL_MILLIS = 500;

    private final Path journal;
    private final ManagerReplication replication;
    private final Thread thread;
    private final Object lock = new Object();
    /** Guarded by lock: the journal's byte offset up to which every line is in the chain, and its last seq. */
    private long offset;

    private long shippedSeq;
    private boolean wake;
    private volatile boolean closed;

    AuditShipper(Path journal, ManagerReplication replication) {
        this.journal = requireNonNull(journal, "journal is null");
        this.replication = requireNonNull(replication, "replication is null");
        this.thread = new Thread(this::run, "mipfed-audit-shipper");
        thread.setDaemon(true);
        thread.start();
    }

    /** New lines are in the journal: ship them now. */
    void wake() {
        synchronized (lock) {
            wake = true;
            lock.notifyAll();
        }
    }

    /** Waits (at most {@code millis}) until the chain holds the journal's lines up to {@code seq}; returns whether. */
    boolean awaitShipped(long seq, long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (lock) {
            wake = true;
            lock.notifyAll();
            while (shippedSeq < seq) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || closed) {
                    return false;
                }
                try {
                    lock.wait(Math.min(left, 50));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /** The journal lines not yet in the chain (at most {@code limit}, oldest first). */
    List<JsonNode> pending(int limit) {
        long from;
        synchronized (lock) {
            from = offset;
        }
        List<JsonNode> out = new ArrayList<>();
        try {
            while (true) {
                ChainLines.Page page = ChainLines.read(journal, from, ENTRY_BYTES);
                if (page.lines().isEmpty()) {
                    break;
                }
                for (byte[] line : page.lines()) {
                    JsonNode json = ChainLines.parse(line).json();
                    if (json != null) {
                        out.add(json);
                    }
                }
                from = page.next();
            }
        } catch (IOException e) {
            LOG.warn("cannot read the audit journal {}: {}", journal, e.getMessage());
        }
        return out.size() <= limit ? out : out.subList(out.size() - limit, out.size());
    }

    /**
     * Under load, the shipper sends at most one entry per this interval: each entry is a commit of the managers' log
     * (a write and sync of the log, an append to every manager's chain file, a step towards the next snapshot of the
     * whole state), and analyses that answer a few milliseconds apart would otherwise make one entry each. The first
     * line after a quiet spell goes at once; the journal holds every line durably meanwhile.
     */
    static final long MIN_INTERVAL_MILLIS = 50;

    private void run() {
        long lastEntry = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(MIN_INTERVAL_MILLIS);
        while (!closed) {
            long since = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastEntry);
            if (since < MIN_INTERVAL_MILLIS) {
                try {
                    Thread.sleep(MIN_INTERVAL_MILLIS - since);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    closed = true;
                    break;
                }
            }
            boolean more;
            try {
                more = shipOnce();
                if (more) {
                    lastEntry = System.nanoTime();
                }
            } catch (RuntimeException e) {
                LOG.debug("the audit journal's lines wait for the managers: {}", e.getMessage());
                pause(RETRY_MILLIS);
                continue;
            }
            if (!more) {
                pause(POLL_MILLIS);
            }
        }
    }

    private void pause(long millis) {
        synchronized (lock) {
            if (!wake && !closed) {
                try {
                    lock.wait(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    closed = true;
                }
            }
            wake = false;
        }
    }

    /** Ships one entry's worth of lines; returns whether there may be more to ship at once. */
    private boolean shipOnce() {
        ReplicatedState.AuditHead head = replication.auditHead();
        if (head == null) {
            return false; // the chain has not started: the manager's start imports it
        }
        long from;
        synchronized (lock) {
            from = offset;
        }
        ChainLines.Page page;
        try {
            page = ChainLines.read(journal, from, ENTRY_BYTES);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (page.lines().isEmpty()) {
            return false;
        }
        Map<String, Long> shipped = head.shipped();
        List<StateCommand.AuditEntry> entries = new ArrayList<>();
        long lastSeq = -1;
        for (byte[] bytes : page.lines()) {
            JsonNode line = ChainLines.parse(bytes).json();
            if (line == null || !line.path("seq").canConvertToLong()) {
                throw new IllegalStateException("the audit journal " + journal + " holds a line that is not one");
            }
            lastSeq = line.get("seq").asLong();
            String manager = line.path("manager").asText(replication.id());
            if (lastSeq <= shipped.getOrDefault(manager, 0L)) {
                continue;
            }
            ObjectNode fields = Json.mapper().createObjectNode();
            for (String name : new String[] {"user", "action", "outcome", "details"}) {
                if (line.has(name)) {
                    fields.set(name, line.get(name));
                }
            }
            entries.add(new StateCommand.AuditEntry(
                    manager, lastSeq, line.path("time").asText(), fields));
        }
        replication.appendAudit(entries);
        synchronized (lock) {
            offset = page.next();
            shippedSeq = lastSeq;
            lock.notifyAll();
        }
        return true;
    }

    /** Ships what it can within {@code millis} (the rest stays in the journal for the next start), then stops. */
    @Override
    public void close() {
        try {
            long last = lastJournalSeq();
            if (last > 0 && !awaitShipped(last, 2_000)) {
                LOG.warn(
                        "the audit journal {} has lines the federation's chain does not hold yet; this manager ships "
                                + "them at its next start",
                        journal);
            }
        } catch (IOException e) {
            LOG.warn("cannot read the audit journal {}: {}", journal, e.getMessage());
        }
        closed = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long lastJournalSeq() throws IOException {
        long from;
        synchronized (lock) {
            from = offset;
        }
        long last = 0;
        while (true) {
            ChainLines.Page page = ChainLines.read(journal, from, ENTRY_BYTES);
            if (page.lines().isEmpty()) {
                return last;
            }
            last = ChainLines.parse(page.lines().get(page.lines().size() - 1)).seq();
            from = page.next();
        }
    }
}
