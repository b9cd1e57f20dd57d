package org.mipfed.core.audit;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An append-only, hash-chained log of JSON lines: line {@code n} is {@code {"seq":n,"time":…,<fields>,"prev":…,"hash":…}},
 * its {@code hash} is SHA-256 over the line's bytes without the hash, {@code prev} is the previous line's hash, and the
 * first line's {@code prev} is a genesis value bound to the log's identity (a node id, a federation id). Next to the
 * log, a checkpoint sealed with a key ({@code <log>.checkpoint}, {@code <log>.key}) records the last durable line, so
 * cutting lines off the end shows too. {@link AuditVerifier} checks all of it.
 *
 * <p>Durability: {@link #append} returns once its line is on disk (fsync). Appenders that arrive while another one
 * writes are written and synced together by it (group commit), so many threads do not pay one fsync each. The
 * checkpoint covering those lines is sealed right after, by a background thread, so the appender does not wait for
 * the checkpoint's own fsync and rename, and under load at most once per 50 ms, covering every line made durable
 * meanwhile; {@link #awaitCheckpoint} has it written at once and waits for it, {@link #close} does, and so does
 * {@link AuditVerifier} (briefly) before it reads a log. A crash in between leaves lines after the checkpoint, which a restart keeps when they chain
 * (as it always did for a crash between a line's fsync and its checkpoint's).
 *
 * <p>One writer at a time: appends hold a lock per file inside the process and an OS file lock across processes
 * (so {@code mipfed manager backup} can record itself while the manager runs). A writer that finds lines another
 * process appended checks that they chain on from its own last line before it continues after them.
 *
 * <p>Restart: the log re-reads its last lines to continue the chain. A torn last line (a crash while it was written,
 * never acknowledged) is cut off; whole lines written after the checkpoint (a crash between the line's fsync and the
 * checkpoint's) are kept if they chain. Anything else that does not match the checkpoint stops the log from opening:
 * the evidence is left as it is, for {@code mipfed audit verify}.
 */
public final class HashChainedLog implements AutoCloseable {
    /**
     * The least time between two checkpoint writes while lines keep coming: each write is a temporary file, an
     * fsync and a rename, which under a steady load of requests took several percent of a core when done after
     * every group commit. The checkpoint trails the durable lines by at most this much (plus one write).
     */
    private static final long SEAL_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** How many lines after the checkpoint a restart accepts (a crash can leave the lines of the last seal interval). */
    private static final int MAX_UNCHECKPOINTED = 10_000;
    /** One lock per log file in this JVM: the OS file lock does not order threads of the same process. */
    private static final ConcurrentHashMap<Path, ReentrantLock> FILE_LOCKS = new ConcurrentHashMap<>();
    /** One lock per log file in this JVM for writing its checkpoint: two writers' sealers take turns. */
    private static final ConcurrentHashMap<Path, ReentrantLock> SEAL_LOCKS = new ConcurrentHashMap<>();
    /** Seals checkpoints off the appenders' path; one task per log at a time, threads made as logs need them. */
    private static final ExecutorService SEALERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "mipfed-audit-checkpoint");
        t.setDaemon(true);
        return t;
    });

    /** Where an appended line landed. */
    public record Appended(long seq, String hash) {}

    /** Entries waiting to be written, and then their outcome. */
    private static final class Batch {
        final Instant time;
        final List<ObjectNode> entries;
        List<Appended> appended;
        RuntimeException failure;

        Batch(Instant time, List<ObjectNode> entries) {
            this.time = time;
            this.entries = entries;
        }
    }

    private final Path file;
    private final String identity;
    private final byte[] key;
    private final FileChannel channel;
    private final ReentrantLock writeLock;
    private final ReentrantLock sealLock;
    private final List<String> recoveryNotes = new ArrayList<>();
    private final ArrayDeque<Batch> waiting = new ArrayDeque<>();
    /** Guarded by writeLock: the end of the last whole line this writer knows, its seq and hash. */
    private long end;

    private long written;
    private String lastHash;
    private IOException failure;
    private volatile boolean closed;
    /** The newest durable state not yet sealed in the checkpoint; null when the checkpoint is current. */
    private final AtomicReference<Checkpoint> toSeal = new AtomicReference<>();

    private final AtomicBoolean sealing = new AtomicBoolean();
    /** Guarded by itself: the seq the checkpoint on disk seals (this writer's view), and a sealing failure. */
    private final Object sealed = new Object();

    private long sealedSeq;
    private IOException sealFailure;
    /** When the sealer last wrote the checkpoint, and whether someone waits for the next one (no pause then). */
    private volatile long lastSealNanos = System.nanoTime() - SEAL_INTERVAL_NANOS;

    private volatile boolean sealNow;

    private HashChainedLog(Path file, String identity) throws IOException {
        this.file = file;
        this.identity = identity;
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        this.writeLock = FILE_LOCKS.computeIfAbsent(file.toAbsolutePath().normalize(), f -> new ReentrantLock());
        this.sealLock = SEAL_LOCKS.computeIfAbsent(file.toAbsolutePath().normalize(), f -> new ReentrantLock());
        writeLock.lock();
        try {
            this.channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try (FileLock os = channel.lock()) {
                this.key = Checkpoint.loadOrCreateKey(file);
                Checkpoint checkpoint = Checkpoint.read(file, key);
                if (checkpoint != null && !checkpoint.log().equals(identity)) {
                    throw new IOException("its checkpoint says it is the audit log of '" + checkpoint.log()
                            + "', not of '" + identity + "'");
                }
                if (checkpoint == null && setAsideUnchained(file)) {
                    channel.truncate(0);
                }
                resume(checkpoint);
                sealedSeq = written;
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Opens (or creates) the log {@code file} of {@code identity}, continuing its chain.
     *
     * @throws UncheckedIOException if it cannot be opened or it does not match its checkpoint (lines removed or
     *     changed); the message says what and how to look closer
     */
    public static HashChainedLog open(Path file, String identity) {
        requireNonNull(file, "file is null");
        requireNonNull(identity, "identity is null");
        try {
            return new HashChainedLog(file, identity);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot open the audit log " + file + ": " + e.getMessage() + ". Run 'mipfed audit verify --file "
                            + file + "' to see what is wrong",
                    e);
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

    /** Told of every append once it is durable or has failed: for the metrics, which time the log's writes. */
    public interface AppendObserver {
        void appended(long nanos, boolean failed);
    }

    private volatile AppendObserver observer = (nanos, failed) -> {};

    /** Tells {@code observer} of every append from now on (one observer; the last one set). */
    public void observeAppends(AppendObserver observer) {
        this.observer = requireNonNull(observer, "observer is null");
    }

    /** Appends several lines, in order, and returns once they are durable. */
    public List<Appended> appendAll(Instant time, List<ObjectNode> entries) {
        long started = System.nanoTime();
        boolean failed = true;
        try {
            List<Appended> appended = appendAllUntimed(time, entries);
            failed = false;
            return appended;
        } finally {
            observer.appended(System.nanoTime() - started, failed);
        }
    }

    private List<Appended> appendAllUntimed(Instant time, List<ObjectNode> entries) {
        requireNonNull(time, "time is null");
        for (ObjectNode fields : entries) {
            requireNonNull(fields, "fields is null");
            fields.fieldNames().forEachRemaining(name -> {
                if (ChainedLine.RESERVED.contains(name)) {
                    throw new IllegalArgumentException("an audit entry cannot set the log's own field '" + name + "'");
                }
            });
        }
        Batch mine = new Batch(time, List.copyOf(entries));
        synchronized (waiting) {
            waiting.add(mine);
        }
        writeLock.lock();
        try {
            // whoever holds the lock writes everything waiting: a thread often finds its batch already written
            if (mine.appended == null && mine.failure == null) {
                List<Batch> batches;
                synchronized (waiting) {
                    batches = new ArrayList<>(waiting);
                    waiting.clear();
                }
                write(batches);
            }
        } finally {
            writeLock.unlock();
        }
        if (mine.failure != null) {
            throw mine.failure;
        }
        return mine.appended;
    }

    /** Writes the batches under the OS lock, syncs, and checkpoints; records each batch's outcome. */
    private void write(List<Batch> batches) {
        try {
            usable();
            try (FileLock os = channel.lock()) {
                catchUp();
                long seq = written;
                String hash = lastHash;
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                List<List<Appended>> outcomes = new ArrayList<>();
                for (Batch batch : batches) {
                    List<Appended> appended = new ArrayList<>(batch.entries.size());
                    for (ObjectNode fields : batch.entries) {
                        ChainedLine.Encoded line = ChainedLine.encode(++seq, batch.time.toString(), fields, hash);
                        bytes.write(line.bytes());
                        bytes.write('\n');
                        hash = line.hash();
                        appended.add(new Appended(seq, hash));
                    }
                    outcomes.add(appended);
                }
                ByteBuffer buffer = ByteBuffer.wrap(bytes.toByteArray());
                try {
                    long at = end;
                    while (buffer.hasRemaining()) {
                        at += channel.write(buffer, at);
                    }
                    channel.force(false);
                } catch (IOException e) {
                    try {
                        channel.truncate(end);
                    } catch (IOException ignored) {
                        // the next open cuts a torn line anyway
                    }
                    throw e;
                }
                end += bytes.size();
                written = seq;
                lastHash = hash;
                for (int i = 0; i < batches.size(); i++) {
                    batches.get(i).appended = outcomes.get(i);
                }
                seal(new Checkpoint(identity, seq, hash));
            }
        } catch (IOException e) {
            failure = e;
            UncheckedIOException thrown =
                    new UncheckedIOException("Cannot write the audit log " + file + ": " + e.getMessage(), e);
            batches.forEach(b -> b.failure = thrown);
        } catch (RuntimeException e) {
            batches.forEach(b -> b.failure = e);
        }
    }

    /** The last line of the log as this writer knows it: its seq (0 when empty) and hash (the genesis then). */
    public Appended head() {
        writeLock.lock();
        try {
            usable();
            try (FileLock os = channel.lock()) {
                catchUp();
            }
            return new Appended(written, lastHash);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the audit log " + file + ": " + e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Appends lines made elsewhere, byte for byte ({@link ChainLines#encode}, or read from another copy of the same
     * chain), and returns once they are durable. Each must be sound and continue the chain: the next seq, chained to
     * the last line's hash.
     *
     * @throws IllegalArgumentException if a line does not continue the chain (nothing is written then)
     */
    public void appendVerbatim(List<byte[]> lines) {
        if (lines.isEmpty()) {
            return;
        }
        writeLock.lock();
        try {
            usable();
            try (FileLock os = channel.lock()) {
                catchUp();
                long seq = written;
                String hash = lastHash;
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                for (byte[] line : lines) {
                    ChainedLine.Decoded decoded = ChainedLine.decode(line);
                    if (!decoded.hashMatches()
                            || decoded.seq() != seq + 1
                            || !decoded.prev().equals(hash)) {
                        throw new IllegalArgumentException("line " + decoded.seq() + " does not continue the chain of "
                                + file + " after line " + seq);
                    }
                    seq++;
                    hash = decoded.statedHash();
                    bytes.write(line);
                    bytes.write('\n');
                }
                ByteBuffer buffer = ByteBuffer.wrap(bytes.toByteArray());
                try {
                    long at = end;
                    while (buffer.hasRemaining()) {
                        at += channel.write(buffer, at);
                    }
                    channel.force(false);
                } catch (IOException e) {
                    try {
                        channel.truncate(end);
                    } catch (IOException ignored) {
                        // the next open cuts a torn line anyway
                    }
                    failure = e;
                    throw e;
                }
                end += bytes.size();
                written = seq;
                lastHash = hash;
                seal(new Checkpoint(identity, seq, hash));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the audit log " + file + ": " + e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }

    /** Has the background sealer write {@code checkpoint} (or a newer one) soon; lines are durable already. */
    private void seal(Checkpoint checkpoint) {
        toSeal.set(checkpoint);
        if (sealing.compareAndSet(false, true)) {
            SEALERS.execute(this::sealPending);
        }
    }

    /** Writes the newest pending checkpoint until none is left; concurrent requests coalesce into one write. */
    private void sealPending() {
        while (true) {
            pauseBetweenSeals();
            Checkpoint next = toSeal.getAndSet(null);
            if (next == null) {
                sealing.set(false);
                // a request that came after the getAndSet but before the flag went down starts no task: take it here
                if (toSeal.get() == null || !sealing.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            IOException failed = null;
            // Not under the append lock, so appenders need not wait for it. Another writer of the file may have
            // appended and sealed further lines, which chain on from these: its checkpoint is not replaced by an older
            // one (writers in this process take turns; one in another process, a backup, could in a rare race, and
            // then the next append here seals past it again).
            sealLock.lock();
            try {
                Checkpoint onDisk = Checkpoint.read(file, key);
                if (onDisk == null || onDisk.seq() < next.seq()) {
                    next.write(file, key);
                }
            } catch (IOException e) {
                failed = e;
            } finally {
                sealLock.unlock();
                lastSealNanos = System.nanoTime();
            }
            synchronized (sealed) {
                if (failed != null) {
                    sealFailure = failed;
                }
                sealedSeq = Math.max(sealedSeq, next.seq());
                sealed.notifyAll();
            }
        }
    }

    /** Lets appends gather for up to {@link #SEAL_INTERVAL_NANOS} after the last write, unless someone waits for it. */
    private void pauseBetweenSeals() {
        long wait;
        while (!sealNow && !closed && (wait = lastSealNanos + SEAL_INTERVAL_NANOS - System.nanoTime()) > 0) {
            LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(5)));
        }
        sealNow = false;
    }

    /**
     * Has the checkpoint written now, without the pause between seals, and waits until it seals every line this
     * writer has appended.
     *
     * @throws UncheckedIOException if the checkpoint could not be written
     */
    public void awaitCheckpoint() {
        long target;
        writeLock.lock();
        try {
            target = written;
        } finally {
            writeLock.unlock();
        }
        sealNow = true;
        synchronized (sealed) {
            while (sealedSeq < target && sealFailure == null && toSealPending()) {
                try {
                    sealed.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (sealFailure != null) {
                throw new UncheckedIOException(
                        "Cannot write the checkpoint of the audit log " + file + ": " + sealFailure.getMessage(),
                        sealFailure);
            }
        }
    }

    /**
     * For a reader of a log that another process writes (a backup copying it): waits, at most {@code patience}, until
     * the log's checkpoint seals its last line, which its writer does within about 50 ms of each append.
     *
     * @return whether the checkpoint seals the last line (false also when the log or its key is missing)
     */
    public static boolean awaitSealed(Path file, Duration patience) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            if (!Files.exists(file)) {
                return false;
            }
            byte[] key = Checkpoint.readKey(file);
            Checkpoint checkpoint = key == null ? null : Checkpoint.read(file, key);
            List<byte[]> last = LogLines.backwards(file, 1);
            long lastSeq = last.isEmpty() ? 0 : ChainedLine.decode(last.get(0)).seq();
            if (checkpoint != null && checkpoint.seq() >= lastSeq) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
    }

    private boolean toSealPending() {
        return toSeal.get() != null || sealing.get();
    }

    /** Continues after lines another process appended since this writer's last, if they chain on from it. */
    private void catchUp() throws IOException {
        long size = channel.size();
        if (size == end) {
            return;
        }
        if (size < end) {
            throw new IOException("it was cut from " + end + " to " + size + " bytes while it was open");
        }
        long newEnd = LogLines.wholeLinesEnd(channel);
        String newer = null;
        long newerSeq = -1;
        long lastSeq = -1;
        String lastOfThem = null;
        for (byte[] bytes : LogLines.backwards(channel, newEnd, MAX_UNCHECKPOINTED)) {
            ChainedLine.Decoded line = ChainedLine.decode(bytes);
            if (!line.hashMatches()
                    || (newer != null && (line.seq() != newerSeq - 1 || !newer.equals(line.statedHash())))) {
                break;
            }
            if (newer == null) {
                lastSeq = line.seq();
                lastOfThem = line.statedHash();
            }
            if (line.seq() == written + 1 && line.prev().equals(lastHash)) {
                end = newEnd;
                written = lastSeq;
                lastHash = lastOfThem;
                return;
            }
            newer = line.prev();
            newerSeq = line.seq();
        }
        throw new IOException("lines appended by another writer after line " + written + " do not chain on from it");
    }

    /** The newest {@code limit} lines, newest first, as JSON. */
    public List<JsonNode> newest(int limit) {
        if (limit <= 0) {
            return List.of();
        }
        usable();
        try {
            List<JsonNode> lines = new ArrayList<>();
            for (byte[] line : LogLines.backwards(file, limit)) {
                ChainedLine.Decoded decoded = ChainedLine.decode(line);
                if (decoded.json() != null) {
                    lines.add(decoded.json());
                }
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the audit log " + file + ": " + e.getMessage(), e);
        }
    }

    private void usable() {
        if (closed) {
            throw new UncheckedIOException("The audit log " + file + " is closed", new IOException("closed"));
        }
        if (failure != null) {
            throw new UncheckedIOException(
                    "The audit log " + file + " failed earlier and takes no more lines: " + failure.getMessage(),
                    failure);
        }
        synchronized (sealed) {
            if (sealFailure != null) {
                throw new UncheckedIOException(
                        "The checkpoint of the audit log " + file
                                + " could not be written, so the log takes no more lines: " + sealFailure.getMessage(),
                        sealFailure);
            }
        }
    }

    private void resume(Checkpoint checkpoint) throws IOException {
        end = LogLines.wholeLinesEnd(channel);
        if (end < channel.size()) {
            recoveryNotes.add("cut off a torn last line of " + (channel.size() - end)
                    + " bytes (written during a crash, never acknowledged)");
            channel.truncate(end);
            channel.force(true);
        }
        List<byte[]> tail = LogLines.backwards(channel, end, checkpoint == null ? 1 : MAX_UNCHECKPOINTED + 1);
        if (tail.isEmpty()) {
            if (checkpoint != null && checkpoint.seq() > 0) {
                throw new IOException(
                        "it is empty but its checkpoint records " + checkpoint.seq() + " lines: they were removed");
            }
            written = 0;
            lastHash = ChainedLine.genesis(identity);
        } else if (checkpoint == null) {
            // The first lines were written but their checkpoint was not (or it was deleted): accept only a whole, sound
            // chain.
            AuditVerifier.Result chain = AuditVerifier.verifyChain(file, identity);
            if (!chain.ok()) {
                throw new IOException("it has no checkpoint and its chain is broken: " + chain.problem());
            }
            recoveryNotes.add(
                    "had no checkpoint; made one after checking the chain of its " + chain.lines() + " lines");
            written = chain.lines();
            lastHash = chain.lastHash();
        } else {
            resumeAfter(checkpoint, tail);
        }
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
                throw new IOException("line " + (newerSeq > 0 ? newerSeq - 1 : "at its end")
                        + " was changed (its hash does not match it)");
            }
            if (newer == null) {
                written = line.seq();
                lastHash = line.statedHash();
            } else if (line.seq() != newerSeq - 1 || !newer.equals(line.statedHash())) {
                throw new IOException("line " + newerSeq + " does not follow line " + (newerSeq - 1)
                        + " (lines removed, moved or changed)");
            }
            if (line.seq() < checkpoint.seq()) {
                throw new IOException("it ends at line " + written + " but its checkpoint records " + checkpoint.seq()
                        + " lines: lines " + (written + 1) + " to " + checkpoint.seq() + " were removed");
            }
            if (line.seq() == checkpoint.seq()) {
                if (!line.statedHash().equals(checkpoint.hash())) {
                    throw new IOException(
                            "line " + line.seq() + " is not the line its checkpoint records (the log was rewritten)");
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
            recoveryNotes.add("kept lines 1 to " + written
                    + ", written after the last checkpoint (a crash before it was updated)");
            return;
        }
        throw new IOException("its last " + tail.size() + " lines do not reach the line its checkpoint records ("
                + checkpoint.seq() + ")");
    }

    /** A log from before the chain (plain JSON lines, no checkpoint) is kept under another name; true if there was one. */
    private boolean setAsideUnchained(Path log) throws IOException {
        if (Files.size(log) == 0) {
            return false;
        }
        byte[] first;
        try (LogLines.Forward lines = new LogLines.Forward(log)) {
            first = lines.next();
        }
        if (first != null && ChainedLine.decode(first).hashMatches()) {
            return false;
        }
        Path aside = log.resolveSibling(log.getFileName() + ".unchained-" + System.currentTimeMillis());
        Files.copy(log, aside);
        recoveryNotes.add(
                "copied the log written before hash chaining to " + aside.getFileName() + "; a new chain starts");
        return true;
    }

    @Override
    public void close() {
        if (!closed) {
            try {
                awaitCheckpoint();
            } catch (UncheckedIOException e) {
                // closing goes on: the lines are durable, and the next open checks them against the checkpoint it finds
            }
        }
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot close the audit log " + file + ": " + e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }
}
