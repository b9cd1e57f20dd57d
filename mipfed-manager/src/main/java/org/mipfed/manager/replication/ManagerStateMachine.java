package org.mipfed.manager.replication;

import static java.util.Objects.requireNonNull;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.mipfed.core.json.Json;
import org.mipfed.core.security.Pem;
import org.mipfed.manager.ca.CaKeys;
import org.mipfed.manager.experiments.Experiment;
import org.mipfed.manager.experiments.ExperimentLog;
import org.mipfed.manager.state.FederationState;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The managers' replicated state machine: applies {@link StateCommand}s from the Raft log to a
 * {@link ReplicatedState}. Reads are local ({@link #state()}); after every change the federation state is also written
 * to {@code state.json}, so the files of a data directory stay what backups, restores and operators know.
 *
 * <p>Snapshots are the whole state as JSON, written to a temporary file and renamed into place, with the MD5 digest
 * Ratis checks when a follower that fell behind installs one.
 */
final class ManagerStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(ManagerStateMachine.class);
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final Path stateFile;
    private final ReadableCopies copies;
    /** What this manager applied; read without the lock (an immutable value), replaced under it. */
    private volatile ReplicatedState state = ReplicatedState.EMPTY;
    /**
     * The experiments of {@link #state} still pending or running, by id: kept with each command that changes
     * experiments (O(changed) per command), so that the checks every second that end abandoned experiments cost
     * O(unfinished), not a scan of every experiment ever run. Derived from the state, in no snapshot and no digest.
     */
    private volatile PSortedMap<String, ExperimentLog.Run> unfinished = TreePMap.empty();

    private volatile Consumer<CaKeys> caListener;
    /** The digest of {@link #state} and the applied index it was computed at (computed when asked, then kept). */
    private StateDigest.Digest digest;
    /** Computes {@link #digest}, reusing each unchanged experiment's canonical JSON. */
    private final StateDigest.Incremental digests = new StateDigest.Incremental();

    /** This manager's copy of the federation's audit chain ({@code D/audit.log}). */
    private final FederationAuditChain auditChain;

    /**
     * @param stateFile where the federation state is written after each change ({@code D/state.json})
     * @param federationId the federation, whose id the audit chain is bound to
     */
    ManagerStateMachine(Path stateFile, String federationId) {
        this.stateFile = requireNonNull(stateFile, "stateFile is null");
        this.copies = new ReadableCopies(stateFile.getParent());
        this.auditChain =
                new FederationAuditChain(stateFile.toAbsolutePath().getParent().resolve("audit.log"), federationId);
    }

    FederationAuditChain auditChain() {
        return auditChain;
    }

    /** The digest of the whole state this manager applied, and the applied log index it belongs to. */
    StateDigest.Digest digest() {
        ReplicatedState now;
        long applied;
        synchronized (this) {
            applied = appliedIndex();
            if (digest != null && digest.appliedIndex() == applied) {
                return digest;
            }
            now = state;
        }
        StateDigest.Digest computed = new StateDigest.Digest(applied, digests.of(now));
        synchronized (this) {
            if (appliedIndex() == applied) {
                digest = computed;
            }
        }
        return computed;
    }

    /** The last log index this manager applied (-1: none). */
    synchronized long appliedIndex() {
        TermIndex last = getLastAppliedTermIndex();
        return last == null ? -1 : last.getIndex();
    }

    /** A question for lines of the audit chain: {@code audit <from seq> <byte offset hint>}. */
    static final String AUDIT_QUERY = "audit ";

    @Override
    public CompletableFuture<Message> query(Message request) {
        String question = request.getContent().toStringUtf8();
        if (question.startsWith(AUDIT_QUERY)) {
            // another manager reads lines of the audit chain it lacks (it installed a snapshot, or joined)
            try {
                String[] parts = question.substring(AUDIT_QUERY.length()).trim().split(" ");
                return CompletableFuture.completedFuture(Message.valueOf(
                        ByteString.copyFrom(auditChain.serve(Long.parseLong(parts[0]), Long.parseLong(parts[1])))));
            } catch (IOException | RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        if (question.equals(APPLIED_QUERY)) {
            // a follower about to compute a change asks the leader how far it applied (a read index)
            return CompletableFuture.completedFuture(Message.valueOf(Long.toString(appliedIndex())));
        }
        // another manager asks for this one's applied index and digest (GET /admin/managers); "digest <index>":
        // once this manager applied that index (the leader's commit index), or after CATCH_UP_QUERY_MILLIS
        long until;
        try {
            until = question.startsWith(DIGEST_QUERY)
                    ? Long.parseLong(question.substring(DIGEST_QUERY.length()).trim())
                    : -1;
        } catch (NumberFormatException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (until < 0 || appliedIndex() >= until) {
            return CompletableFuture.completedFuture(encodeDigest());
        }
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        awaitApplied(until, CATCH_UP_QUERY_MILLIS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return encodeDigest();
                },
                WAITING_QUERIES);
    }

    /** A question for this manager's applied index alone. */
    static final String APPLIED_QUERY = "applied";
    /** A question for this manager's digest once it applied an index: {@code digest <index>}. */
    static final String DIGEST_QUERY = "digest ";
    /** How long a digest question waits for this manager to apply the index it names. */
    static final long CATCH_UP_QUERY_MILLIS = 500;

    /** The threads on which digest questions wait for an index to be applied (daemons; idle ones end). */
    private static final java.util.concurrent.ExecutorService WAITING_QUERIES = waitingQueries();

    private static java.util.concurrent.ExecutorService waitingQueries() {
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(
                8, 8, 30, TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "mipfed-manager-digest-wait");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private Message encodeDigest() {
        try {
            return Message.valueOf(ByteString.copyFrom(Json.mapper().writeValueAsBytes(digest())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The state applied so far on this manager. */
    ReplicatedState state() {
        return state;
    }

    /** The experiments of {@link #state()} still pending or running, by id (an index kept as commands apply). */
    Map<String, ExperimentLog.Run> unfinished() {
        return unfinished;
    }

    /** The index of unfinished experiments after {@code command} made {@code after} (only the ids it names). */
    private static PSortedMap<String, ExperimentLog.Run> unfinishedAfter(
            PSortedMap<String, ExperimentLog.Run> index, StateCommand command, ReplicatedState after) {
        Collection<String> ids;
        if (command instanceof StateCommand.PutExperiments put) {
            ids = put.runs().stream().map(r -> r.experiment().id()).toList();
        } else if (command instanceof StateCommand.InterruptExperiments interrupt) {
            ids = interrupt.runs().stream().map(r -> r.experiment().id()).toList();
        } else if (command instanceof StateCommand.ImportExperiments imported) {
            ids = imported.experiments().stream().map(Experiment::id).toList();
        } else if (command instanceof StateCommand.RemoveExperiments removed) {
            ids = removed.ids();
        } else if (command instanceof StateCommand.RestoreState) {
            return unfinishedIn(after);
        } else {
            return index;
        }
        PSortedMap<String, ExperimentLog.Run> next = index;
        for (String id : ids) {
            ExperimentLog.Run run =
                    after.experiments() == null ? null : after.experiments().get(id);
            next = run != null && run.experiment().unfinished() ? next.plus(id, run) : next.minus(id);
        }
        return next;
    }

    /** The unfinished experiments of {@code state}, by a scan of all of them (a snapshot loaded, a state restored). */
    private static PSortedMap<String, ExperimentLog.Run> unfinishedIn(ReplicatedState state) {
        Map<String, ExperimentLog.Run> found = new TreeMap<>();
        if (state.experiments() != null) {
            state.experiments().forEach((id, run) -> {
                if (run.experiment().unfinished()) {
                    found.put(id, run);
                }
            });
        }
        return TreePMap.from(found);
    }

    /** Tells {@code listener} every CA the log sets after this call (a rotation, or the CA of a group joined). */
    void onCa(Consumer<CaKeys> listener) {
        this.caListener = listener;
    }

    /** Set when this manager stops: nothing waits for the log any more. */
    private boolean stopped;

    /** Ends every wait for the log ({@link #awaitApplied}): this manager stops. */
    synchronized void stop() {
        stopped = true;
        notifyAll();
    }

    /**
     * Ratis applied an entry that is no transaction (a configuration, or the metadata entry that records the commit
     * index) and moved the applied index past it: wakes those waiting for that index, who would otherwise sleep out
     * their whole timeout (the committed index a leader reports is often such an entry).
     */
    @Override
    public synchronized void notifyTermIndexUpdated(long term, long index) {
        super.notifyTermIndexUpdated(term, index);
        notifyAll();
    }

    /**
     * Waits until this manager applied the log up to {@code index} (a write it made is then visible locally); false
     * when it did not within {@code timeoutMillis}, or this manager stopped.
     */
    synchronized boolean awaitApplied(long index, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (appliedIndex() < index) {
            if (stopped) {
                return false;
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        // RUNNING, so that a snapshot install can pause it (Ratis checks that it is PAUSED before it reinitializes)
        getLifeCycle().startAndTransition(() -> {
            storage.init(raftStorage);
            load(storage.getLatestSnapshot());
        });
    }

    @Override
    public void pause() {
        // a snapshot from the leader is about to be installed
        if (getLifeCycleState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    @Override
    public void reinitialize() throws IOException {
        // a snapshot was installed from the leader: it replaces everything this manager had
        CaKeys before = state().ca();
        load(storage.loadLatestSnapshot());
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
        tellCa(before, state().ca());
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        TermIndex termIndex = TermIndex.valueOf(entry);
        CommandReply reply;
        CaKeys caBefore;
        CaKeys caAfter;
        synchronized (this) {
            caBefore = state.ca();
            StateCommand command;
            try {
                command = Json.mapper()
                        .readValue(entry.getStateMachineLogEntry().getLogData().toByteArray(), StateCommand.class);
            } catch (IOException e) {
                // every manager refuses the same bytes the same way: the state stays the same on all of them
                reply = new CommandReply(termIndex.getIndex(), false, "unreadable command: " + e.getMessage());
                updateLastAppliedTermIndex(termIndex);
                notifyAll();
                return CompletableFuture.completedFuture(encode(reply));
            }
            ReplicatedState.Outcome outcome = state.apply(command, termIndex.getIndex());
            if (outcome.applied()) {
                if (outcome.state().federation() != null && outcome.state().federation() != state.federation()) {
                    writeStateFile(outcome.state().federation());
                }
                ReplicatedState before = state;
                state = outcome.state();
                if (state.experiments() != before.experiments()) {
                    unfinished = unfinishedAfter(unfinished, command, state);
                }
                copies.after(command, before, state);
                if (state.audit() != before.audit()) {
                    auditChain.applied(before.audit(), state.audit(), outcome.audit());
                }
            }
            caAfter = state.ca();
            reply = new CommandReply(termIndex.getIndex(), outcome.applied(), outcome.refusal());
            updateLastAppliedTermIndex(termIndex);
            notifyAll();
        }
        tellCa(caBefore, caAfter);
        return CompletableFuture.completedFuture(encode(reply));
    }

    @Override
    public long takeSnapshot() throws IOException {
        ReplicatedState snapshot;
        TermIndex last;
        synchronized (this) {
            snapshot = state;
            last = getLastAppliedTermIndex();
        }
        if (last == null || last.getIndex() < 0) {
            return -1;
        }
        long started = System.nanoTime();
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        Path temporary = file.toPath().resolveSibling(file.getName() + ".tmp");
        // streamed to the file, its MD5 computed on the way (not a second read of the file), then synced and renamed
        java.security.MessageDigest md5 = md5();
        try (var channel = java.nio.channels.FileChannel.open(
                        temporary,
                        java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING,
                        java.nio.file.StandardOpenOption.WRITE);
                var out = new java.security.DigestOutputStream(
                        new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 16),
                        md5)) {
            Json.mapper().writeValue(new NonClosing(out), snapshot);
            out.flush();
            channel.force(true);
        }
        Files.move(temporary, file.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        MD5Hash digestOfFile = MD5Hash.newInstance(md5.digest());
        MD5FileUtil.saveMD5File(file, digestOfFile);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), digestOfFile), last));
        LOG.info(
                "snapshot of the managers' state at index {} ({} experiments, {} KB) taken in {} ms",
                last.getIndex(),
                snapshot.experiments() == null ? 0 : snapshot.experiments().size(),
                Files.size(file.toPath()) / 1024,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return last.getIndex();
    }

    private static java.security.MessageDigest md5() {
        try {
            return java.security.MessageDigest.getInstance("MD5");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is missing from this Java runtime", e);
        }
    }

    /** A stream whose close only flushes: the mapper closes what it wrote to, the caller syncs and closes the file. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(java.io.OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    private synchronized void load(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            return;
        }
        Path file = snapshot.getFile().getPath();
        MD5Hash md5 = snapshot.getFile().getFileDigest();
        if (md5 != null) {
            MD5FileUtil.verifySavedMD5(file.toFile(), md5);
        }
        long started = System.nanoTime();
        ReplicatedState loaded;
        try (var in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            loaded = Json.mapper().readValue(in, ReplicatedState.class);
        }
        long parsed = System.nanoTime();
        if (loaded.federation() != null) {
            writeStateFile(loaded.federation());
        }
        copies.loaded(loaded);
        LOG.info(
                "loaded the snapshot at index {} ({} experiments, {} KB): read in {} ms, readable copies checked in {}"
                        + " ms",
                snapshot.getIndex(),
                loaded.experiments() == null ? 0 : loaded.experiments().size(),
                Files.size(file) / 1024,
                TimeUnit.NANOSECONDS.toMillis(parsed - started),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - parsed));
        auditChain.loaded(loaded.audit());
        unfinished = unfinishedIn(loaded);
        state = loaded;
        setLastAppliedTermIndex(SimpleStateMachineStorage.getTermIndexFromSnapshotFile(file.toFile()));
        notifyAll();
    }

    private void tellCa(CaKeys before, CaKeys after) {
        Consumer<CaKeys> listener = caListener;
        if (listener == null || after == null || after.sameCas(before)) {
            return;
        }
        try {
            listener.accept(after);
        } catch (RuntimeException e) {
            // the log holds the CA; this manager's files could not follow it (a restart adopts it again)
            LOG.error("cannot take the federation's CA from the managers' replicated state: {}", e.getMessage(), e);
        }
    }

    private void writeStateFile(FederationState federation) {
        try {
            Pem.writeAtomically(stateFile, Json.pretty().writeValueAsBytes(federation), true);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the manager state " + stateFile + ": " + e.getMessage(), e);
        }
    }

    private static Message encode(CommandReply reply) {
        try {
            return Message.valueOf(ByteString.copyFrom(Json.mapper().writeValueAsBytes(reply)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
