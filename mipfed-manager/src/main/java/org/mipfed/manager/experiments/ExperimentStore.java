package org.mipfed.manager.experiments;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.mipfed.core.json.Json;
import org.mipfed.core.security.Pem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Experiments as one JSON file each under {@code D/experiments}, written atomically and synced.
 *
 * <p>{@link #save} writes before it returns: the states of a submitted experiment must survive a
 * crash. {@link #record} is for the finished record of a synchronous analysis, whose caller already
 * has the answer: one background thread writes such records in batches (each file synced, one
 * directory sync per batch), so an analysis does not wait for the disk. Readers of this store see
 * every record handed over before they ask.
 *
 * <p>{@link #list} answers from memory: every experiment without its result, read once when the store
 * opens (the result skipped unparsed) and kept current by each write; the request (what was asked, a
 * few hundred bytes) stays so that a listing can show the variables; a listing reads
 * only the files it does not know yet (written by another process, such as a restore). Reading every
 * file for each listing took 0.9 s at 16,000 experiments, the count one benchmark run leaves.
 */
public final class ExperimentStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExperimentStore.class);
    private static final Pattern ID = Pattern.compile("[0-9a-f\\-]{36}");
    /** Records waiting for the writer; when full, analyses wait for the disk (back-pressure). */
    private static final int QUEUE = 1024;
    /**
     * On a replicated store, at most one batch per this interval under load: each batch is a commit of the managers'
     * log (a write and sync of the log, the state's experiments copied, a step towards the next snapshot of the whole
     * state), and analyses that answer a few milliseconds apart would otherwise make one entry each. A record after a
     * quiet spell goes at once; readers of this store see a record from {@link #record} on, written or not.
     */
    static final long MIN_INTERVAL_MILLIS = 50;

    private static final int SYNCERS = 8;
    private final Path dir;
    private final BlockingQueue<Experiment> queued = new LinkedBlockingQueue<>(QUEUE);
    private final Thread writer;
    private final ExecutorService syncers = Executors.newFixedThreadPool(SYNCERS, r -> {
        Thread t = new Thread(r, "mipfed-experiment-sync");
        t.setDaemon(true);
        return t;
    });
    /** Records handed to {@link #record} and records written (or given up); guarded by {@code this}. */
    private long handedOver;

    private long written;
    private volatile boolean closed;
    /** Every experiment's newest state without its result, by id; guarded by itself. */
    private final Map<String, Experiment> summaries;
    /** Ids handed to {@link #record} whose file the writer has not yet written; guarded by {@code summaries}. */
    private final Set<String> unwritten = new HashSet<>();

    /** The managers' replicated log of a running manager; null for the files alone (tools, tests). */
    private final ExperimentLog log;
    /** Replicated: records handed to {@link #record} not yet committed to the log, by id; guarded by itself. */
    private final Map<String, Experiment> uncommitted = new HashMap<>();
    /**
     * Replicated: the experiments this process runs (it saved them pending or running and has not saved their end
     * yet); guarded by {@code uncommitted}. Any other pending or running experiment the log says this manager runs is
     * abandoned ({@link #interruptAbandoned}).
     */
    private final Set<String> runningHere = new HashSet<>();
    /**
     * Replicated: new experiments whose record the managers did not commit in time (the submission was answered
     * with a 503), the latest {@link #REFUSED_KEPT}: such a record may still be committed later (a write that timed
     * out for its sender), and is then ended with the reason that it never ran; guarded by {@code uncommitted}.
     */
    private final Set<String> refused = java.util.Collections.newSetFromMap(new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REFUSED_KEPT;
        }
    });

    private static final int REFUSED_KEPT = 4096;

    /**
     * Replicated: when this manager's last interruption of an abandoned experiment was committed, by id (System.nanoTime);
     * guarded by {@code uncommitted}. A manager behind the log still sees it unfinished until it applies that far: it
     * sends it again only after {@link #INTERRUPT_RESENT_AFTER_NANOS}, not every second (each one a log entry).
     */
    private final Map<String, Long> interruptSent = new HashMap<>();

    private static final long INTERRUPT_RESENT_AFTER_NANOS = TimeUnit.SECONDS.toNanos(30);

    private boolean interruptedRecently(String id, long now) {
        Long sent = interruptSent.get(id);
        return sent != null && now - sent <= INTERRUPT_RESENT_AFTER_NANOS;
    }

    /** Why a manager's own experiment that its process does not run (any more) is interrupted. */
    public static final String STOPPED =
            "The manager stopped (crash or restart) while this experiment was running; run it again.";
    /** Why a submission answered with a 503 whose record was committed after all is interrupted. */
    public static final String REFUSED =
            "Its submission was answered with 503 (the managers could not record it in time, no majority), so it"
                    + " never ran; its record reached the managers' log later. Run it again.";

    public ExperimentStore(Path dir) {
        this(dir, null);
    }

    private ExperimentStore(Path dir, ExperimentLog log) {
        this.dir = requireNonNull(dir, "dir is null");
        this.log = log;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + dir + ": " + e.getMessage(), e);
        }
        this.summaries = new HashMap<>();
        if (log == null) {
            readUnknown();
        }
        this.writer = new Thread(this::writeQueued, "mipfed-experiment-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /**
     * The experiments of a running manager, kept in the managers' replicated log; {@code dir} keeps a readable copy
     * of each (written by the log's state machine). A finished record of a synchronous analysis ({@link #record}) is
     * still batched: the analysis does not wait for the log, and a batch is one log entry.
     */
    public static ExperimentStore replicated(Path dir, ExperimentLog log) {
        return new ExperimentStore(dir, requireNonNull(log, "log is null"));
    }

    /**
     * Keeps a finished experiment without making the caller wait for the disk: it is written and
     * synced within moments, and every read of this store after this call sees it.
     */
    public void record(Experiment experiment) {
        requireNonNull(experiment, "experiment is null");
        if (closed) {
            save(experiment);
            return;
        }
        if (log != null) {
            synchronized (uncommitted) {
                uncommitted.put(experiment.id(), experiment);
            }
        } else {
            synchronized (summaries) {
                summaries.put(experiment.id(), summary(experiment));
                unwritten.add(experiment.id());
            }
        }
        synchronized (this) {
            handedOver++;
        }
        try {
            queued.put(experiment);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            synchronized (this) {
                handedOver--;
            }
            save(experiment);
            synchronized (summaries) {
                unwritten.remove(experiment.id());
            }
        }
    }

    /** Waits until every record handed over so far is written. */
    private void flush() {
        synchronized (this) {
            long target = handedOver;
            boolean interrupted = false;
            while (written < target && writer.isAlive()) {
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The writer: takes what is queued, writes it as one batch, and again, until closed and empty. */
    private void writeQueued() {
        List<Experiment> batch = new ArrayList<>();
        long lastBatch = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(MIN_INTERVAL_MILLIS);
        while (!closed || !queued.isEmpty()) {
            try {
                Experiment first = queued.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long since = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastBatch);
                if (log != null && !closed && since < MIN_INTERVAL_MILLIS) {
                    // the records that come meanwhile go in the same entry of the managers' log
                    Thread.sleep(MIN_INTERVAL_MILLIS - since);
                }
            } catch (InterruptedException e) {
                // Not interrupted by close (an interrupt would close a file channel mid-write); keep going.
                if (batch.isEmpty()) {
                    continue;
                }
            }
            queued.drainTo(batch);
            lastBatch = System.nanoTime();
            try {
                writeBatch(batch);
            } catch (RuntimeException e) {
                LOG.error("cannot write {} experiment record(s) in {}", batch.size(), dir, e);
            }
            synchronized (summaries) {
                batch.forEach(experiment -> unwritten.remove(experiment.id()));
            }
            synchronized (this) {
                written += batch.size();
                notifyAll();
            }
            batch.clear();
        }
    }

    /**
     * Each record to a synced temporary file renamed over its target, several at once (a disk syncs
     * concurrent files in fewer journal commits than one after the other), then one sync of the
     * directory for all.
     */
    private void writeBatch(List<Experiment> batch) {
        if (log != null) {
            commitBatch(batch);
            return;
        }
        List<Future<?>> writes = new ArrayList<>();
        for (Experiment experiment : batch) {
            writes.add(syncers.submit(() -> writeOne(experiment)));
        }
        for (Future<?> write : writes) {
            try {
                write.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                LOG.error("cannot write an experiment record in {}", dir, e.getCause());
            }
        }
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort, as in Pem.writeAtomically: the files' contents are on disk already
        }
    }

    /** How long the writer waits before it tries a batch the managers could not commit again. */
    private static final long RETRY_MILLIS = 500;
    /** How many times a closing store tries a batch before it gives up on it. */
    private static final int ATTEMPTS_WHEN_CLOSING = 4;

    /**
     * Commits a batch of records as one log entry. Without a majority of the managers the batch is kept and tried
     * again (its analyses have answered already; their records must not be lost while this manager runs).
     */
    private void commitBatch(List<Experiment> batch) {
        for (int attempt = 1; ; attempt++) {
            try {
                log.putRuns(batch.stream().map(this::asRun).toList());
                break;
            } catch (RuntimeException e) {
                if (closed && attempt >= ATTEMPTS_WHEN_CLOSING) {
                    LOG.error(
                            "{} experiment record(s) could not be committed to the managers' log and are lost: {}",
                            batch.size(),
                            e.getMessage());
                    break;
                }
                LOG.warn("{} experiment record(s) wait for the managers' log: {}", batch.size(), e.getMessage());
                try {
                    Thread.sleep(RETRY_MILLIS);
                } catch (InterruptedException interrupted) {
                    // not interrupted by close; keep trying
                }
            }
        }
        synchronized (uncommitted) {
            // a newer record handed over meanwhile stays until it is committed too
            batch.forEach(e -> uncommitted.remove(e.id(), e));
        }
    }

    private void writeOne(Experiment experiment) {
        Path target = dir.resolve(experiment.id() + ".json");
        Path temp = null;
        try {
            temp = Files.createTempFile(dir, "." + experiment.id() + ".json.", ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(Json.mapper().writeValueAsBytes(experiment));
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot write the record of experiment " + experiment.id() + ": " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // a stray temporary file is harmless: its name does not end in .json
                }
            }
        }
    }

    /** Writes what is still queued, then stops the writer. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        syncers.shutdown();
    }

    public void save(Experiment experiment) {
        if (log != null) {
            saveReplicated(experiment);
            return;
        }
        try {
            Pem.writeAtomically(
                    dir.resolve(experiment.id() + ".json"), Json.mapper().writeValueAsBytes(experiment), false);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot save experiment " + experiment.id() + ": " + e.getMessage(), e);
        }
        remember(experiment);
    }

    /**
     * Replicated: takes the experiment files of {@code dir} the log does not know (written by another process, such
     * as a restore or a tool) into the log, as a listing read them before replication. Without a majority they wait
     * for the next listing.
     */
    private void importUnknownFiles() {
        Set<String> known = new HashSet<>(log.experiments().keySet());
        synchronized (uncommitted) {
            known.addAll(uncommitted.keySet());
        }
        List<Experiment> found = readFiles(dir, known);
        if (found.isEmpty()) {
            return;
        }
        try {
            log.importExperiments(found);
        } catch (RuntimeException e) {
            LOG.warn("{} experiment file(s) of {} wait for the managers' log: {}", found.size(), dir, e.getMessage());
        }
    }

    /**
     * Commits a record before it returns. A new experiment that the managers cannot commit is refused (503); a newer
     * state of one already committed (it started, finished, failed) is kept and committed as soon as they can, so that
     * an experiment never stays {@code running} because its end came while the managers had no majority. A state whose
     * earlier state still waits for the log goes behind it, so that this manager's states of one experiment are
     * committed in their order (the log also refuses to take an experiment back: see {@code PutExperiments}).
     */
    private void saveReplicated(Experiment experiment) {
        String id = experiment.id();
        ExperimentLog.Run run = asRun(experiment);
        boolean behind;
        synchronized (uncommitted) {
            if (experiment.unfinished() && log.self().equals(run.manager())) {
                runningHere.add(id);
            }
            behind = uncommitted.containsKey(id);
        }
        if (behind) {
            handOver(experiment);
            return;
        }
        try {
            log.putRuns(List.of(run));
        } catch (RuntimeException e) {
            boolean known;
            synchronized (uncommitted) {
                // a state after pending is one of a submission whose pending record was committed
                known = !Experiment.PENDING.equals(experiment.status())
                        || uncommitted.containsKey(id)
                        || log.experiments().containsKey(id);
                if (!known) {
                    runningHere.remove(id);
                    refused.add(id);
                }
            }
            if (!known) {
                throw e;
            }
            LOG.warn("experiment {} ({}) waits for the managers' log: {}", id, experiment.status(), e.getMessage());
            handOver(experiment);
            return;
        }
        ended(experiment);
    }

    /**
     * {@code experiment} with the manager that runs it: the one the log names for an experiment it holds (a rename or a
     * cancel through another manager does not make that one its runner), this manager for a new one.
     */
    private ExperimentLog.Run asRun(Experiment experiment) {
        ExperimentLog.Run known = log.experiments().get(experiment.id());
        return new ExperimentLog.Run(experiment, known != null ? known.manager() : log.self());
    }

    /** Gives a record to the writer (committed as soon as the managers can), or a last try when this store closed. */
    private void handOver(Experiment experiment) {
        if (closed) {
            try {
                log.putRuns(List.of(asRun(experiment)));
            } catch (RuntimeException e) {
                LOG.error(
                        "the record of experiment {} ({}) is lost: the managers' log took no writes as this manager"
                                + " stopped: {}",
                        experiment.id(),
                        experiment.status(),
                        e.getMessage());
            }
        } else {
            record(experiment);
        }
        ended(experiment);
    }

    /** An experiment's end was saved (committed, or handed to the writer): this process no longer runs it. */
    private void ended(Experiment experiment) {
        if (!experiment.unfinished()) {
            synchronized (uncommitted) {
                runningHere.remove(experiment.id());
            }
        }
    }

    public Optional<Experiment> get(String id) {
        if (!ID.matcher(id).matches()) {
            return Optional.empty();
        }
        if (log != null) {
            synchronized (uncommitted) {
                Experiment waiting = uncommitted.get(id);
                if (waiting != null) {
                    return Optional.of(waiting);
                }
            }
            ExperimentLog.Run run = log.experiments().get(id);
            if (run == null && Files.isRegularFile(dir.resolve(id + ".json"))) {
                importUnknownFiles();
                run = log.experiments().get(id);
            }
            return run == null ? Optional.empty() : Optional.of(run.experiment());
        }
        flush();
        Path file = dir.resolve(id + ".json");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.mapper().readValue(file.toFile(), Experiment.class));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read experiment " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * The manager that runs experiment {@code id} ({@code manager-<8 hex>}), as the managers' log names it; empty for
     * the files alone, for an experiment unknown to this manager's applied state, or one imported from before
     * replication.
     */
    public Optional<String> manager(String id) {
        if (log == null || !ID.matcher(id).matches()) {
            return Optional.empty();
        }
        ExperimentLog.Run run = log.experiments().get(id);
        return run == null ? Optional.empty() : Optional.ofNullable(run.manager());
    }

    /** Removes an experiment; returns false when there was none. */
    public boolean delete(String id) {
        if (!ID.matcher(id).matches()) {
            return false;
        }
        flush();
        if (log != null) {
            if (!log.experiments().containsKey(id)) {
                return false;
            }
            log.removeExperiments(List.of(id));
            return true;
        }
        synchronized (summaries) {
            summaries.remove(id);
        }
        try {
            return Files.deleteIfExists(dir.resolve(id + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete experiment " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * Marks every experiment left pending or running by a previous manager process as interrupted:
     * after a crash nothing is lost and nothing stays "running" for ever. Returns how many.
     */
    public int interruptUnfinished(String reason) {
        if (log != null) {
            // only this manager's own (or those from before replication): another manager's run on
            return interruptAbandoned(reason);
        }
        int count = 0;
        for (Experiment e : list()) {
            if (e.unfinished()) {
                Optional<Experiment> whole = get(e.id());
                if (whole.isPresent()) {
                    save(whole.get().interrupted(reason));
                    count++;
                }
            }
        }
        return count;
    }

    /**
     * Replicated: interrupts the experiments the log holds as pending or running, run by this manager (or from before
     * replication, with no manager), that this process does not run: left by its previous process (a crash, a
     * restart), or a submission answered with a 503 whose record was committed after all ({@link #REFUSED}). A
     * manager calls it at its start and every second after, so that an attempt that found no majority (or a log not
     * applied up to date yet) is made again. Each is taken only if still unfinished when the command applies (an end
     * committed meanwhile stays). Returns how many were sent.
     *
     * @param reason why, for those not refused
     * @throws org.mipfed.core.problem.Problem 503 when the managers have no majority to commit them
     */
    public int interruptAbandoned(String reason) {
        if (log == null) {
            return 0;
        }
        String self = log.self();
        long now = System.nanoTime();
        List<ExperimentLog.Run> ended = new ArrayList<>();
        synchronized (uncommitted) {
            interruptSent.values().removeIf(sent -> now - sent > INTERRUPT_RESENT_AFTER_NANOS);
            // the log's index of unfinished experiments: O(unfinished) every second, not a scan of all of them
            for (ExperimentLog.Run run : log.unfinishedExperiments().values()) {
                Experiment e = run.experiment();
                if (e.unfinished()
                        && (run.manager() == null || run.manager().equals(self))
                        && !runningHere.contains(e.id())
                        && !uncommitted.containsKey(e.id())
                        && !interruptedRecently(e.id(), now)) {
                    ended.add(new ExperimentLog.Run(
                            e.interrupted(refused.contains(e.id()) ? REFUSED : reason), run.manager()));
                }
            }
        }
        if (ended.isEmpty()) {
            return 0;
        }
        log.interruptExperiments(ended);
        synchronized (uncommitted) {
            ended.forEach(r -> {
                refused.remove(r.experiment().id());
                interruptSent.put(r.experiment().id(), now);
            });
        }
        return ended.size();
    }

    /**
     * Sets every pending or running experiment that one of {@code managers} runs (or that came from before
     * replication, with no manager) to interrupted with {@code reason}, keeping the manager it names; returns how
     * many. The leader calls it for managers that are down. Each is taken only if still unfinished when the command
     * applies: a result its manager committed meanwhile (it was only slow) stays.
     */
    public int interruptRunBy(java.util.Set<String> managers, String reason) {
        if (log == null) {
            return 0;
        }
        List<ExperimentLog.Run> ended = new ArrayList<>();
        for (ExperimentLog.Run run : log.unfinishedExperiments().values()) {
            if (run.experiment().unfinished() && (run.manager() == null || managers.contains(run.manager()))) {
                ended.add(new ExperimentLog.Run(run.experiment().interrupted(reason), run.manager()));
            }
        }
        if (!ended.isEmpty()) {
            log.interruptExperiments(ended);
        }
        return ended.size();
    }

    /** Experiments, newest first, without their results ({@link #get} has those). */
    public List<Experiment> list() {
        if (log != null) {
            importUnknownFiles();
            Map<String, Experiment> all = new HashMap<>();
            log.experiments().forEach((id, run) -> all.put(id, summary(run.experiment())));
            synchronized (uncommitted) {
                uncommitted.forEach((id, e) -> all.put(id, summary(e)));
            }
            List<Experiment> out = new ArrayList<>(all.values());
            out.sort(Comparator.comparing(Experiment::created, Comparator.nullsLast(Comparator.naturalOrder()))
                    .reversed());
            return out;
        }
        flush();
        readUnknown();
        List<Experiment> out;
        synchronized (summaries) {
            out = new ArrayList<>(summaries.values());
        }
        out.sort(Comparator.comparing(Experiment::created, Comparator.nullsLast(Comparator.naturalOrder()))
                .reversed());
        return out;
    }

    private void remember(Experiment experiment) {
        synchronized (summaries) {
            summaries.put(experiment.id(), summary(experiment));
        }
    }

    private static Experiment summary(Experiment e) {
        // the request stays (it is small: what was asked, not what came back) so that History can show the variables
        return new Experiment(
                e.id(),
                e.algorithm(),
                e.user(),
                e.request(),
                e.status(),
                null,
                e.error(),
                e.contributions(),
                e.created(),
                e.started(),
                e.finished(),
                e.name());
    }

    /**
     * Reads the experiment files not known yet (skipping the request and the result unparsed), and forgets those
     * whose file is gone, but for records still on their way to the disk.
     */
    private void readUnknown() {
        Set<String> known;
        synchronized (summaries) {
            known = new HashSet<>(summaries.keySet());
        }
        Set<String> onDisk = new HashSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .toList()) {
                String id = file.getFileName().toString().replace(".json", "");
                if (!ID.matcher(id).matches()) {
                    continue;
                }
                onDisk.add(id);
                if (known.contains(id)) {
                    continue;
                }
                try {
                    Experiment summary = readSummary(file);
                    synchronized (summaries) {
                        // a write of this store since the listing began is newer than the file read here
                        summaries.putIfAbsent(id, summary);
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn(
                            "cannot read the experiment record {}; it is left out of the list: {}",
                            file,
                            e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list experiments in " + dir + ": " + e.getMessage(), e);
        }
        for (String id : known) {
            if (!onDisk.contains(id)) {
                synchronized (summaries) {
                    if (!unwritten.contains(id) && !Files.exists(dir.resolve(id + ".json"))) {
                        summaries.remove(id);
                    }
                }
            }
        }
    }

    /**
     * Every experiment file of {@code dir} whose id is not in {@code known}, whole (a manager takes the files of a
     * data directory from before replication, or restored, into the managers' log). An unreadable file is left out
     * with a warning, as a listing does.
     */
    public static List<Experiment> readFiles(Path dir, Set<String> known) {
        List<Experiment> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .sorted()
                    .toList()) {
                String id = file.getFileName().toString().replace(".json", "");
                if (!ID.matcher(id).matches() || known.contains(id)) {
                    continue;
                }
                try {
                    out.add(Json.mapper().readValue(file.toFile(), Experiment.class));
                } catch (IOException | RuntimeException e) {
                    LOG.warn("cannot read the experiment record {}; it is not imported: {}", file, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list experiments in " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static Experiment readSummary(Path file) throws IOException {
        ObjectNode fields = Json.mapper().createObjectNode();
        try (JsonParser parser = Json.mapper().getFactory().createParser(file.toFile())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                if (name.equals("result")) {
                    parser.skipChildren();
                } else {
                    fields.set(name, Json.mapper().readTree(parser));
                }
            }
        }
        return Json.mapper().treeToValue(fields, Experiment.class);
    }
}
