package org.mipfed.manager.replication;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.mipfed.core.audit.ChainLines;
import org.mipfed.core.audit.HashChainedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This manager's copy of the federation's audit chain ({@code D/audit.log}): the lines the replicated state machine
 * computes from {@code append-audit} commands, written byte for byte as every other manager writes them, so that all
 * copies are identical up to the applied index.
 *
 * <p>The state holds only the chain's head (seq, hash). A manager whose file lacks lines the head covers (it installed a
 * snapshot, it joined, or another manager's older {@code audit.log} began the chain) reads them from another manager
 * ({@link Peers}) on a thread of its own and takes them only once they chain from its last line up to the head it
 * applied: a line no other manager holds cannot be slipped in. A file that is not a beginning of the federation's
 * chain (an older manager's own trail) is set aside under another name, never deleted, and the chain is read anew.
 */
final class FederationAuditChain implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FederationAuditChain.class);
    /** The most bytes of lines one answer to another manager carries. */
    static final int PAGE_BYTES = 1024 * 1024;

    /** Reads lines of the chain from the other managers. */
    interface Peers {
        /**
         * Lines of some other manager's chain from line {@code fromSeq}: the first line of the answer is the byte
         * offset after the last line, then one chain line a line; null when no manager could answer.
         */
        byte[] read(long fromSeq, Map<String, Long> offsets) throws IOException;
    }

    private final Path file;
    private final String federationId;
    private HashChainedLog log;
    private volatile Peers peers;
    /** The head this manager applied and its file must reach; guarded by this. */
    private ReplicatedState.AuditHead target;

    private Thread filler;
    private volatile boolean closed;

    FederationAuditChain(Path file, String federationId) {
        this.file = requireNonNull(file, "file is null");
        this.federationId = requireNonNull(federationId, "federationId is null");
        this.log = HashChainedLog.open(file, federationId);
        log.recoveryNotes().forEach(note -> LOG.warn("audit chain {}: {}", file, note));
    }

    Path file() {
        return file;
    }

    void peers(Peers peers) {
        this.peers = peers;
        synchronized (this) {
            notifyAll();
        }
    }

    /** The head of this manager's file. */
    synchronized HashChainedLog.Appended fileHead() {
        return log.head();
    }

    /** The newest lines of this manager's file, newest first. */
    synchronized List<JsonNode> newest(int limit) {
        return log.newest(limit);
    }

    /** Whether this manager's file holds the chain up to {@code head}. */
    synchronized boolean reaches(ReplicatedState.AuditHead head) {
        return head == null || log.head().seq() >= head.seq();
    }

    /** The state machine applied {@code lines}, which took the chain from {@code before} to {@code after}. */
    synchronized void applied(
            ReplicatedState.AuditHead before, ReplicatedState.AuditHead after, List<ChainLines.Line> lines) {
        if (after == null || closed) {
            return;
        }
        try {
            HashChainedLog.Appended head = log.head();
            if (before != null
                    && !lines.isEmpty()
                    && head.seq() == before.seq()
                    && head.hash().equals(before.hash())) {
                log.appendVerbatim(lines.stream().map(ChainLines.Line::bytes).toList());
                return;
            }
            if (head.seq() >= after.seq()) {
                // a restart replays entries its file holds already
                if (before == null && !isBeginning(after)) {
                    setAside("it is not the beginning of the federation's audit chain");
                    behind(after);
                }
                return;
            }
            behind(after);
        } catch (RuntimeException e) {
            LOG.error("cannot write the federation's audit chain to {}: {}", file, e.getMessage(), e);
            behind(after);
        }
    }

    /** A snapshot was loaded: the file must reach its head. */
    synchronized void loaded(ReplicatedState.AuditHead head) {
        if (head != null && log.head().seq() < head.seq()) {
            behind(head);
        }
    }

    /** Whether line {@code head.seq()} of the file is the head's line (the file is a beginning of that chain). */
    private boolean isBeginning(ReplicatedState.AuditHead head) {
        if (head.seq() == 0) {
            return log.head().seq() == 0 || head.hash().equals(ChainLines.genesis(federationId));
        }
        try {
            long offset = 0;
            while (true) {
                ChainLines.Page page = ChainLines.read(file, offset, PAGE_BYTES);
                if (page.lines().isEmpty()) {
                    return false;
                }
                for (byte[] bytes : page.lines()) {
                    ChainLines.Parsed line = ChainLines.parse(bytes);
                    if (line.seq() == head.seq()) {
                        return line.hash().equals(head.hash());
                    }
                }
                offset = page.next();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void behind(ReplicatedState.AuditHead head) {
        if (target == null || head.seq() > target.seq()) {
            target = head;
        }
        if (filler == null) {
            filler = new Thread(this::fill, "mipfed-audit-chain-fill");
            filler.setDaemon(true);
            filler.start();
        }
        notifyAll();
    }

    /** The filler: reads what the file lacks from the other managers until it reaches the target, then stops. */
    private void fill() {
        while (!closed) {
            ReplicatedState.AuditHead goal;
            HashChainedLog.Appended head;
            synchronized (this) {
                head = log.head();
                goal = target;
                if (goal == null || head.seq() >= goal.seq()) {
                    target = null;
                    filler = null;
                    return;
                }
                if (peers == null) {
                    waitQuietly(500);
                    continue;
                }
            }
            try {
                fillUpTo(head, goal);
            } catch (IOException | RuntimeException e) {
                LOG.warn(
                        "cannot read lines {} to {} of the federation's audit chain from the other managers yet: {}",
                        head.seq() + 1,
                        goal.seq(),
                        e.getMessage());
                synchronized (this) {
                    waitQuietly(1_000);
                }
            }
        }
    }

    private void waitQuietly(long millis) {
        try {
            wait(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /**
     * Reads lines after {@code head} up to {@code goal} into a temporary file, checking that each chains on from the
     * one before and that the last one is the goal's; only then appends them.
     */
    private void fillUpTo(HashChainedLog.Appended head, ReplicatedState.AuditHead goal) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".fill.tmp");
        long seq = head.seq();
        String hash = head.hash();
        Map<String, Long> offsets = new HashMap<>();
        try (OutputStream out = Files.newOutputStream(temporary)) {
            while (seq < goal.seq()) {
                byte[] answer = peers.read(seq + 1, offsets);
                if (answer == null) {
                    throw new IOException("no other manager answered");
                }
                List<byte[]> lines = split(answer);
                if (lines.isEmpty()) {
                    throw new IOException("the other managers do not hold line " + (seq + 1) + " yet");
                }
                for (byte[] bytes : lines) {
                    ChainLines.Parsed line = ChainLines.parse(bytes);
                    if (line.seq() <= seq) {
                        continue;
                    }
                    if (!line.sound() || line.seq() != seq + 1) {
                        throw new IOException("line " + line.seq() + " read from another manager is damaged");
                    }
                    if (!line.prev().equals(hash)) {
                        synchronized (this) {
                            if (log.head().seq() == head.seq()) {
                                setAside("its line " + seq + " is not line " + seq + " of the federation's chain");
                            }
                        }
                        throw new IOException("this manager's audit.log was not a beginning of the federation's chain; "
                                + "it is set aside and the chain is read again");
                    }
                    seq++;
                    hash = line.hash();
                    out.write(bytes);
                    out.write('\n');
                    if (seq == goal.seq()) {
                        break;
                    }
                }
            }
        }
        try {
            if (!hash.equals(goal.hash())) {
                throw new IOException("the lines read from the other managers end at another line " + seq
                        + " than the one the replicated state holds");
            }
            synchronized (this) {
                if (log.head().seq() != head.seq()) {
                    return; // the file moved meanwhile: start again from where it is
                }
                long offset = 0;
                while (true) {
                    ChainLines.Page page = ChainLines.read(temporary, offset, PAGE_BYTES);
                    if (page.lines().isEmpty()) {
                        break;
                    }
                    log.appendVerbatim(page.lines());
                    offset = page.next();
                }
            }
            LOG.info("read lines {} to {} of the federation's audit chain from another manager", head.seq() + 1, seq);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static List<byte[]> split(byte[] answer) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        boolean header = true;
        for (int i = 0; i < answer.length; i++) {
            if (answer[i] == '\n') {
                if (!header) {
                    byte[] line = new byte[i - start];
                    System.arraycopy(answer, start, line, 0, line.length);
                    lines.add(line);
                }
                header = false;
                start = i + 1;
            }
        }
        return lines;
    }

    /**
     * Another manager asks for lines from {@code fromSeq}: the answer starts with the byte offset after them (a hint
     * for the next question, {@code offset}), then the lines, at most {@link #PAGE_BYTES}.
     */
    byte[] serve(long fromSeq, long offset) throws IOException {
        long at = offset;
        ChainLines.Page page = at > 0 ? ChainLines.read(file, at, PAGE_BYTES) : null;
        if (page == null
                || page.lines().isEmpty()
                || ChainLines.parse(page.lines().get(0)).seq() != fromSeq) {
            at = 0;
            while (true) {
                page = ChainLines.read(file, at, PAGE_BYTES);
                if (page.lines().isEmpty()) {
                    break;
                }
                ChainLines.Parsed last =
                        ChainLines.parse(page.lines().get(page.lines().size() - 1));
                if (last.seq() >= fromSeq) {
                    break;
                }
                at = page.next();
            }
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write((page.next() + "\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] line : page.lines()) {
            if (ChainLines.parse(line).seq() >= fromSeq) {
                out.write(line);
                out.write('\n');
            }
        }
        return out.toByteArray();
    }

    /** Moves the file (with its checkpoint and key) aside and starts an empty one, which the filler reads anew. */
    private void setAside(String why) {
        log.close();
        String aside = file.getFileName() + ".set-aside-" + System.currentTimeMillis();
        try {
            for (String suffix : new String[] {"", ".checkpoint", ".key"}) {
                Path from = file.resolveSibling(file.getFileName() + suffix);
                if (Files.exists(from)) {
                    Files.move(from, file.resolveSibling(aside + suffix), StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot set " + file + " aside: " + e.getMessage(), e);
        } finally {
            log = HashChainedLog.open(file, federationId);
        }
        LOG.warn(
                "{} was set aside as {} ({}): it stays readable there ('mipfed audit verify --file {}'); the "
                        + "federation's chain is read from the other managers",
                file,
                aside,
                why,
                file.resolveSibling(aside));
    }

    /** Waits (at most {@code millis}) until the file holds the chain up to {@code head}. */
    boolean awaitReach(ReplicatedState.AuditHead head, long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!reaches(head)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
        log.close();
    }
}
