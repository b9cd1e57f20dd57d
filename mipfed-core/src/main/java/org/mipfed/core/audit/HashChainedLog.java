package org.mipfed.core.audit;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An append-only, hash-chained log of JSON lines: line {@code n} is {@code {"seq":n,"time":…,<fields>,"prev":…,"hash":…}},
 * its {@code hash} is SHA-256 over the line's bytes without the hash, {@code prev} is the previous line's hash, and the
 * first line's {@code prev} is a genesis value bound to the log's identity (a node id, a federation id). Next to the
 * log, a checkpoint sealed with a key ({@code <log>.checkpoint}, {@code <log>.key}) records the last durable line, so
 * cutting lines off the end shows too. {@link AuditVerifier} checks all of it.
 *
 * <p>Durability: {@link #append} returns once its line and the checkpoint covering it are on disk (fsync). Appenders
 * that arrive while a sync runs are made durable together by the next one (group commit), so many threads do not
 * pay one fsync each. One writer: a lock inside the process, and an OS file lock against a second process.
 *
 * <p>Restart: the log re-reads its last lines to continue the chain. A torn last line (a crash while it was written,
 * never acknowledged) is cut off; whole lines written after the checkpoint (a crash between the line's fsync and the
 * checkpoint's) are kept if they chain. Anything else that does not match the checkpoint stops the log from opening:
 * the evidence is left as it is, for {@code mipfed audit verify}.
 */
public final class HashChainedLog implements AutoCloseable {
    /** How many lines after the checkpoint a restart accepts (a crash can leave at most the lines of one group commit). */
    private static final int MAX_UNCHECKPOINTED = 10_000;

    /** Where an appended line landed. */
    public record Appended(long seq, String hash) {
    }

    private final Path file;
    private final String identity;
    private final byte[] key;
    private final FileChannel channel;
    private final FileLock fileLock;
    private final List<String> recoveryNotes = new ArrayList<>();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Object commitLock = new Object();
    private long written;
    private String lastHash;
    private long committed;
    private IOException failure;
    private boolean closed;

    private HashChainedLog(Path file, String identity) throws IOException {
        this.file = file;
        this.identity = identity;
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        this.key = Checkpoint.loadOrCreateKey(file);
        Checkpoint checkpoint = Checkpoint.read(file, key);
        if (checkpoint != null && !checkpoint.log().equals(identity)) {
            throw new IOException("its checkpoint says it is the audit log of '" + checkpoint.log() + "', not of '" + identity + "'");
        }
        if (checkpoint == null) {
            setAsideUnchained(file);
        }
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            this.fileLock = lock(channel);
            resume(checkpoint);
        }
        catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Opens (or creates) the log {@code file} of {@code identity}, continuing its chain.
     *
     * @throws UncheckedIOException if it cannot be opened, another process writes it, or it does not match its
     *     checkpoint (lines removed or changed); the message says what and how to look closer
     */
    public static HashChainedLog open(Path file, String identity) {
        requireNonNull(file, "file is null");
        requireNonNull(identity, "identity is null");
        try {
            return new HashChainedLog(file, identity);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot open the audit log " + file + ": " + e.getMessage()
                    + ". Run 'mipfed audit verify --file " + file + "' to see what is wrong", e);
        }
    }

    public Path file() {
        return file;
    }

    public String identity() {
        return identity;
    }

    /** What opening had to repair (a torn last line, lines written after the last checkpoint); empty when nothing. */
    public List<String> recoveryNotes() {
        return List.copyOf(recoveryNotes);
    }

    /**
     * Appends one line and returns once it is durable. Safe from any thread.
     *
     * @param fields the entry; must not use the log's own names {@code seq}, {@code time}, {@code prev}, {@code hash}
     * @throws UncheckedIOException if the line cannot be written: an audit log must stop the work it records,
     *     not skip it
     */
    public Appended append(Instant time, ObjectNode fields) {
        return appendAll(time, List.of(fields)).get(0);
    }

    /** Appends several lines, in order, with one sync. */
    public List<Appended> appendAll(Instant time, List<ObjectNode> entries) {
        requireNonNull(time, "time is null");
        List<Appended> appended = new ArrayList<>(entries.size());
        writeLock.lock();
        try {
            usable();
            long start = -1;
            try {
                start = channel.size();
                for (ObjectNode fields : entries) {
                    ChainedLine.Encoded line = ChainedLine.encode(written + 1, time.toString(), requireNonNull(fields, "fields is null"), lastHash);
                    ByteBuffer buffer = ByteBuffer.allocate(line.bytes().length + 1).put(line.bytes()).put((byte) '\n').flip();
                    while (buffer.hasRemaining()) {
                        channel.write(buffer, channel.size());
                    }
                    written++;
                    lastHash = line.hash();
                    appended.add(new Appended(written, line.hash()));
                }
            }
            catch (IOException e) {
                failure = e;
                try {
                    if (start >= 0) {
                        channel.truncate(start);
                    }
                }
                catch (IOException ignored) {
                    // the next open cuts a torn line anyway
                }
                throw new UncheckedIOException("Cannot write the audit log " + file + ": " + e.getMessage(), e);
            }
        }
        finally {
            writeLock.unlock();
        }
        if (!appended.isEmpty()) {
            commit(appended.get(appended.size() - 1).seq());
        }
        return appended;
    }

    /** The newest {@code limit} lines, newest first, as JSON. */
    public List<JsonNode> newest(int limit) {
        if (limit <= 0) {
            return List.of();
        }
        try {
            long end;
            writeLock.lock();
            try {
                usable();
                end = channel.size();
            }
            finally {
                writeLock.unlock();
            }
            List<JsonNode> lines = new ArrayList<>();
            for (byte[] line : LogLines.backwards(channel, end, limit)) {
                ChainedLine.Decoded decoded = ChainedLine.decode(line);
                if (decoded.json() != null) {
                    lines.add(decoded.json());
                }
            }
            return lines;
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read the audit log " + file + ": " + e.getMessage(), e);
        }
    }

    /** Makes every line up to {@code seq} durable and checkpointed; one caller syncs for all who wait. */
    private void commit(long seq) {
        synchronized (commitLock) {
            if (committed >= seq) {
                return;
            }
            long upTo;
            String hash;
            writeLock.lock();
            try {
                usable();
                upTo = written;
                hash = lastHash;
            }
            finally {
                writeLock.unlock();
            }
            try {
                channel.force(false);
                new Checkpoint(identity, upTo, hash).write(file, key);
            }
            catch (IOException e) {
                writeLock.lock();
                try {
                    failure = e;
                }
                finally {
                    writeLock.unlock();
                }
                throw new UncheckedIOException("Cannot make the audit log " + file + " durable: " + e.getMessage(), e);
            }
            committed = upTo;
        }
    }

    private void usable() {
        if (closed) {
            throw new UncheckedIOException("The audit log " + file + " is closed", new IOException("closed"));
        }
        if (failure != null) {
            throw new UncheckedIOException("The audit log " + file + " failed earlier and takes no more lines: " + failure.getMessage(), failure);
        }
    }

    private void resume(Checkpoint checkpoint) throws IOException {
        long end = LogLines.wholeLinesEnd(channel);
        if (end < channel.size()) {
            recoveryNotes.add("cut off a torn last line of " + (channel.size() - end) + " bytes (written during a crash, never acknowledged)");
            channel.truncate(end);
            channel.force(true);
        }
        List<byte[]> tail = LogLines.backwards(channel, end, checkpoint == null ? 1 : MAX_UNCHECKPOINTED + 1);
        String genesis = ChainedLine.genesis(identity);
        if (tail.isEmpty()) {
            if (checkpoint != null && checkpoint.seq() > 0) {
                throw new IOException("it is empty but its checkpoint records " + checkpoint.seq() + " lines: they were removed");
            }
            written = 0;
            lastHash = genesis;
        }
        else if (checkpoint == null) {
            // The first lines were written but their checkpoint was not (or it was deleted): accept only a whole, sound chain.
            AuditVerifier.Result chain = AuditVerifier.verifyChain(file, identity);
            if (!chain.ok()) {
                throw new IOException("it has no checkpoint and its chain is broken at line " + chain.brokenLine() + ": " + chain.problem());
            }
            recoveryNotes.add("had no checkpoint; made one after checking the chain of its " + chain.lines() + " lines");
            written = chain.lines();
            lastHash = chain.lastHash();
        }
        else {
            resumeAfter(checkpoint, tail);
        }
        committed = written;
        if (checkpoint == null || checkpoint.seq() != written) {
            new Checkpoint(identity, written, lastHash).write(file, key);
        }
    }

    private void resumeAfter(Checkpoint checkpoint, List<byte[]> tail) throws IOException {
        String newer = null;
        long newerSeq = -1;
        for (byte[] bytes : tail) {
            ChainedLine.Decoded line = ChainedLine.decode(bytes);
            if (!line.hashMatches() || line.seq() < 1) {
                throw new IOException("line " + (newerSeq > 0 ? newerSeq - 1 : "at its end") + " was changed (its hash does not match it)");
            }
            if (newer == null) {
                written = line.seq();
                lastHash = line.statedHash();
            }
            else if (line.seq() != newerSeq - 1 || !newer.equals(line.statedHash())) {
                throw new IOException("line " + newerSeq + " does not follow line " + (newerSeq - 1) + " (lines removed, moved or changed)");
            }
            if (line.seq() < checkpoint.seq()) {
                throw new IOException("it ends at line " + written + " but its checkpoint records " + checkpoint.seq() + " lines: lines "
                        + (written + 1) + " to " + checkpoint.seq() + " were removed");
            }
            if (line.seq() == checkpoint.seq()) {
                if (!line.statedHash().equals(checkpoint.hash())) {
                    throw new IOException("line " + line.seq() + " is not the line its checkpoint records (the log was rewritten)");
                }
                if (written > checkpoint.seq()) {
                    recoveryNotes.add("kept lines " + (checkpoint.seq() + 1) + " to " + written
                            + ", written after the last checkpoint (a crash before it was updated)");
                }
                return;
            }
            newer = line.prev();
            newerSeq = line.seq();
        }
        if (checkpoint.seq() == 0 && newerSeq == 1 && newer.equals(checkpoint.hash())) {
            recoveryNotes.add("kept lines 1 to " + written + ", written after the last checkpoint (a crash before it was updated)");
            return;
        }
        throw new IOException("its last " + tail.size() + " lines do not reach the line its checkpoint records (" + checkpoint.seq() + ")");
    }

    /** A log from before the chain (plain JSON lines, no checkpoint) is kept under another name, and a new chain starts. */
    private void setAsideUnchained(Path log) throws IOException {
        if (!Files.exists(log) || Files.size(log) == 0) {
            return;
        }
        byte[] first;
        try (LogLines.Forward lines = new LogLines.Forward(log)) {
            first = lines.next();
        }
        if (first != null && ChainedLine.decode(first).hashMatches()) {
            return;
        }
        Path aside = log.resolveSibling(log.getFileName() + ".unchained-" + System.currentTimeMillis());
        Files.move(log, aside);
        recoveryNotes.add("moved the log written before hash chaining to " + aside.getFileName() + "; a new chain starts");
    }

    private static FileLock lock(FileChannel channel) throws IOException {
        try {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return lock;
            }
        }
        catch (OverlappingFileLockException e) {
            // held by this process
        }
        throw new IOException("another writer has it open");
    }

    @Override
    public void close() {
        synchronized (commitLock) {
            writeLock.lock();
            try {
                if (closed) {
                    return;
                }
                closed = true;
                fileLock.release();
                channel.close();
            }
            catch (IOException e) {
                throw new UncheckedIOException("Cannot close the audit log " + file + ": " + e.getMessage(), e);
            }
            finally {
                writeLock.unlock();
            }
        }
    }
}
