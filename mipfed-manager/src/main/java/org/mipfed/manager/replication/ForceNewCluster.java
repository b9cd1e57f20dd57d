package org.mipfed.manager.replication;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.TimeDuration;
import org.mipfed.core.json.ConfigFile;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.manager.ca.FederationCa;
import org.mipfed.manager.experiments.ExperimentLog;
import org.mipfed.manager.state.FederationConfig;
import org.mipfed.manager.state.FederationState;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.manager.state.ManagerRecord;

/**
 * {@code mipfed manager recover --force-new-cluster}: a stopped manager whose group lost its majority for good becomes
 * a group of one holding everything it had, as Docker Swarm's {@code --force-new-cluster}.
 *
 * <p>How (Ratis has no such operation of its own): the survivor's Raft server is started alone on its old log, with
 * elections so slow that it never campaigns and without TLS, so that it speaks to no other manager; its state machine
 * loads the latest snapshot and applies the log up to the last entry this member knew as committed (entries after
 * it, which no majority was known to hold, are dropped and counted). That applied state is put, as one {@code
 * restore-state} command followed by the experiments in bounded entries, into a new group of one with a <em>new group
 * id</em>, built beside the old log ({@code raft.recovering}); only when that group holds the same content (same
 * digest) is the old {@code raft/} renamed {@code raft.before-recover-<time>} (never deleted) and the new one put in
 * its place. The federation state's list of managers becomes this one alone, so nodes drop the others.
 *
 * <p>What stops an old member from splitting the federation: the new group has another id, so Ratis on this manager
 * answers the old members' votes and appends with "no such group" whatever their term (with the same id, two old
 * members started together would elect a leader with a higher term whose appends this manager would accept); the new
 * group's configuration names this manager alone; and nodes no longer dial the others.
 */
public final class ForceNewCluster {
    /** How long reading the survivor's log may take (a large log on a busy machine). */
    static final long READ_TIMEOUT_MILLIS = 120_000;

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private ForceNewCluster() {}

    /**
     * What a recovery kept.
     *
     * @param memberId this manager's id, the same before and after
     * @param groupBefore the UUID of the group that lost its majority
     * @param groupAfter the UUID of the new group of one
     * @param membersBefore the ids of the members of the group before
     * @param appliedIndex the last index of the old log that was applied (the last this member knew committed)
     * @param droppedEntries entries of the old log after it, not known to be committed, left out
     * @param keptAside where the old {@code raft/} directory was moved
     * @param state the recovered state (as the new group holds it)
     * @param contentDigest the SHA-256 of the recovered content ({@link #contentDigest}), the same before and after
     */
    public record Recovered(
            String memberId,
            String groupBefore,
            String groupAfter,
            List<String> membersBefore,
            long appliedIndex,
            long droppedEntries,
            Path keptAside,
            ReplicatedState state,
            String contentDigest) {
        public long nodes() {
            return federation().nodes().size();
        }

        public long labels() {
            return federation().nodes().stream()
                    .mapToLong(n -> n.labels().size())
                    .sum();
        }

        public long removedCertificates() {
            return federation().removedSerials().size();
        }

        public long users() {
            return state.users() == null ? 0 : state.users().users().size();
        }

        public long apiTokens() {
            return state.users() == null ? 0 : state.users().tokens().size();
        }

        public long sessions() {
            return state.sessions().size();
        }

        public long experiments() {
            return state.experiments() == null ? 0 : state.experiments().size();
        }

        public long experimentsWithResult() {
            return state.experiments() == null
                    ? 0
                    : state.experiments().values().stream()
                            .filter(r -> r.experiment().result() != null)
                            .count();
        }

        public boolean caRotationInProgress() {
            return state.ca() != null && state.ca().nextCertificate() != null;
        }

        private FederationState federation() {
            return state.federation();
        }
    }

    /**
     * Recovers the stopped manager of {@code paths} as a group of one.
     *
     * @throws Problem 400 when {@code paths} is not a manager's data directory or holds no managers' log, 409 when
     *     the manager runs
     */
    public static Recovered recover(ManagerPaths paths, Instant now) {
        requireNonNull(paths, "paths is null");
        requireNonNull(now, "now is null");
        if (!Files.isRegularFile(paths.federation())) {
            throw Problem.badRequest(paths.dataDir() + " is not a manager's data directory (it has no "
                    + paths.federation().getFileName() + "): give --data-dir the directory the manager was started"
                    + " with (mipfed manager start --data-dir D)");
        }
        Path raft = paths.raftDir();
        Path logDir = raft.resolve("log");
        List<RaftGroupId> groups = ManagerReplication.groupsIn(logDir);
        if (!Files.isRegularFile(MemberFile.file(raft)) || groups.isEmpty()) {
            throw Problem.badRequest(paths.dataDir() + " holds no managers' log (" + logDir + "): there is nothing"
                    + " to recover; a manager without one starts as a group of one (mipfed manager start --data-dir "
                    + paths.dataDir() + ")");
        }
        if (groups.size() > 1) {
            throw Problem.badRequest(logDir + " holds the logs of " + groups.size() + " groups " + groups
                    + ": move out the ones this manager does not belong to, then recover again");
        }
        RaftGroupId before = groups.get(0);
        refuseWhenRunning(paths, logDir.resolve(before.getUuid().toString()));
        FederationConfig config = ConfigFile.read(paths.federation(), FederationConfig.class);
        MemberFile memberFile = MemberFile.readOrCreate(raft, config.advertiseAddr(), 0);
        ManagerMember member = memberFile.member(config.advertiseAddr() + ":" + config.grpcPort());

        Read read = readApplied(logDir, paths.state(), config.federationId(), before, member);
        if (read.state().federation() == null) {
            throw Problem.badRequest(logDir + " holds no federation state yet (nothing was applied): start the "
                    + "manager instead (mipfed manager start --data-dir " + paths.dataDir() + ")");
        }
        ReplicatedState restored = narrowManagers(read.state(), member.id());
        String digest = contentDigest(restored);

        FederationCa ca = FederationCa.load(paths, config.advertiseAddr());
        if (restored.ca() != null && !restored.ca().sameCas(ca.keys())) {
            // the CA files follow the log: a later start must not put an older CA of the files back into it
            ca.adopt(restored.ca());
        }

        Path building = paths.dataDir().resolve("raft.recovering");
        deleteRecursively(building); // an attempt cut short: the old raft/ was not touched
        memberFile.write(building);
        RaftGroupId after = RaftGroupId.randomId();
        ReplicatedState recovered;
        try (ManagerReplication fresh = ManagerReplication.startNewGroup(
                building.resolve("log"),
                paths.state(),
                config.federationId(),
                after,
                member,
                RaftTls.config(ca, config.federationId()),
                ReplicationSettings.DEFAULT)) {
            Map<String, ExperimentLog.Run> experiments = restored.experiments();
            fresh.submit(new StateCommand.RestoreState(new ReplicatedState(
                    0,
                    restored.federation(),
                    0,
                    restored.users(),
                    restored.sessions(),
                    experiments == null ? null : Map.of(),
                    restored.ca(),
                    restored.audit())));
            if (experiments != null && !experiments.isEmpty()) {
                fresh.putRuns(new ArrayList<>(experiments.values()));
            }
            fresh.snapshot();
            recovered = fresh.state();
        }
        String check = contentDigest(recovered);
        if (!check.equals(digest)) {
            throw new IllegalStateException("the new group holds other content (digest " + check + ") than the "
                    + "survivor had (" + digest + "); " + raft + " is untouched, " + building + " is what was built");
        }
        Path keptAside = paths.dataDir().resolve("raft.before-recover-" + STAMP.format(now));
        try {
            Files.move(raft, keptAside, StandardCopyOption.ATOMIC_MOVE);
            Files.move(building, raft, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot put the new group in place of " + raft + " (the old log is "
                            + (Files.isDirectory(keptAside) ? "in " + keptAside : "still in " + raft)
                            + ", the new one in "
                            + building + "): " + e.getMessage(),
                    e);
        }
        return new Recovered(
                member.id(),
                before.getUuid().toString(),
                after.getUuid().toString(),
                read.members(),
                read.appliedIndex(),
                read.dropped(),
                keptAside,
                recovered,
                digest);
    }

    /**
     * The digest of what a recovery keeps: the whole replicated state ({@link StateDigest}) without the log positions
     * it was written at (the versions, which restart in the new log). Equal before and after a recovery.
     */
    public static String contentDigest(ReplicatedState state) {
        return StateDigest.of(new ReplicatedState(
                0,
                state.federation(),
                0,
                state.users(),
                state.sessions(),
                state.experiments(),
                state.ca(),
                state.audit()));
    }

    /** The state with the federation's managers narrowed to {@code self} (nodes then drop the others). */
    static ReplicatedState narrowManagers(ReplicatedState state, String self) {
        FederationState federation = state.federation();
        if (federation == null || federation.managers().isEmpty()) {
            return state;
        }
        List<ManagerRecord> kept =
                federation.managers().stream().filter(m -> m.id().equals(self)).toList();
        if (kept.equals(federation.managers())) {
            return state;
        }
        // an empty list names the one manager that runs from this state: this one, at its own address
        return new ReplicatedState(
                state.version(),
                federation.withManagers(kept),
                state.usersVersion(),
                state.users(),
                state.sessions(),
                state.experiments(),
                state.ca(),
                state.audit());
    }

    /** Refuses a data directory whose manager runs: Ratis holds a lock on its log's directory while it does. */
    private static void refuseWhenRunning(ManagerPaths paths, Path groupDir) {
        Path lock = groupDir.resolve("in_use.lock");
        if (!Files.exists(lock)) {
            return;
        }
        boolean held;
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE)) {
            FileLock taken = channel.tryLock();
            held = taken == null;
            if (taken != null) {
                taken.release();
            }
        } catch (OverlappingFileLockException e) {
            held = true;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot check whether the manager of " + paths.dataDir() + " runs (" + lock + "): "
                            + e.getMessage(),
                    e);
        }
        if (held) {
            throw new Problem(
                    ProblemType.CONFLICT,
                    "The manager of " + paths.dataDir() + " is running (its managers' log " + groupDir + " is locked)."
                            + " Stop it first (mipfed manager stop, or end its process), then run recover again.");
        }
    }

    /** The state a member applied from its own log, read without speaking to any other manager. */
    private record Read(ReplicatedState state, long appliedIndex, long dropped, List<String> members) {}

    private static Read readApplied(
            Path logDir, Path stateFile, String federationId, RaftGroupId group, ManagerMember member) {
        // listens on a free loopback port, never campaigns (no election within the read), speaks no TLS: no other
        // manager can reach it or be reached by it
        ManagerMember alone = new ManagerMember(member.id(), member.address(), "127.0.0.1", 0);
        RaftProperties properties = ManagerReplication.properties(logDir, alone, ReplicationSettings.DEFAULT);
        TimeDuration never = TimeDuration.valueOf(1, TimeUnit.DAYS);
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, never);
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(2, TimeUnit.DAYS));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(properties, never);
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(properties, TimeDuration.valueOf(2, TimeUnit.DAYS));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, false);
        RaftPeerId self = RaftPeerId.valueOf(member.id());
        RaftPeer peer = RaftPeer.newBuilder()
                .setId(self)
                .setAddress(alone.raftAddress())
                .build();
        ManagerStateMachine stateMachine = new ManagerStateMachine(stateFile, federationId);
        RaftServer server;
        try {
            server = RaftServer.newBuilder()
                    .setServerId(self)
                    .setGroup(RaftGroup.valueOf(group, peer))
                    .setStateMachine(stateMachine)
                    .setProperties(properties)
                    .setOption(RaftStorage.StartupOption.RECOVER)
                    .build();
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot read the managers' log " + logDir + ": " + e.getMessage()
                            + ". Is the manager of this data directory running?",
                    e);
        }
        try {
            RaftServer.Division division = server.getDivision(group);
            RaftLog log = division.getRaftLog();
            long committed = log.getLastCommittedIndex();
            if (!stateMachine.awaitApplied(committed, READ_TIMEOUT_MILLIS)) {
                throw new IllegalStateException("the managers' log " + logDir + " was not applied up to its last "
                        + "committed entry " + committed + " within " + READ_TIMEOUT_MILLIS / 1000 + " s");
            }
            long applied;
            ReplicatedState state;
            synchronized (stateMachine) {
                applied = stateMachine.appliedIndex();
                state = stateMachine.state();
            }
            var last = log.getLastEntryTermIndex();
            long dropped = last == null ? 0 : Math.max(0, last.getIndex() - applied);
            List<String> members = division.getGroup().getPeers().stream()
                    .map(p -> p.getId().toString())
                    .sorted()
                    .toList();
            return new Read(state, applied, dropped, members);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the managers' log " + logDir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading " + logDir, e);
        } finally {
            try {
                server.close();
            } catch (IOException e) {
                // the read is done; the old log is moved aside next
            }
            // the replay wrote no line the file did not hold; the new group opens the same file next
            stateMachine.auditChain().close();
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot remove " + dir + " (left by a recovery cut short; remove it and " + "run recover again): "
                            + e.getMessage(),
                    e);
        }
    }
}
