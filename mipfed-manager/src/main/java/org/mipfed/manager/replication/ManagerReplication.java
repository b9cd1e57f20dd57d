package org.mipfed.manager.replication;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.manager.experiments.Experiment;
import org.mipfed.manager.experiments.ExperimentLog;
import org.mipfed.manager.state.FederationState;
import org.mipfed.manager.state.StateLog;
import org.mipfed.manager.users.SessionLog;
import org.mipfed.manager.users.Sessions;
import org.mipfed.manager.users.UserLog;
import org.mipfed.manager.users.UserStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This manager's member of the managers' Raft group (Apache Ratis): the server that keeps the log and the state
 * machine, and the client that forwards this manager's writes to the leader. A manager alone is a group of one and
 * works exactly as a manager did before replication.
 *
 * <p>Reads ({@link #state()}) are local and never wait. A write ({@link #submit}) is committed by a majority of the
 * managers before it returns; without a majority it fails within {@link #WRITE_TIMEOUT_MILLIS} with a 503 that says
 * how many managers this one reaches, never a hang.
 */
public final class ManagerReplication implements StateLog, UserLog, SessionLog, ExperimentLog, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManagerReplication.class);

    /** How long a write may wait for a majority of the managers before it is refused. */
    public static final long WRITE_TIMEOUT_MILLIS = 2_000;
    /**
     * How long a write waits for a majority: less than {@link #WRITE_TIMEOUT_MILLIS}, so that the refusal, once
     * written, leaves within it.
     */
    static final long WRITE_WAIT_MILLIS = WRITE_TIMEOUT_MILLIS - 250;
    /** How long a write of a group of one may take (it has no majority to lose; a busy machine is slow). */
    static final long ALONE_WRITE_TIMEOUT_MILLIS = 30_000;
    /** A manager not heard from for this long is {@code down} in {@code GET /admin/managers}. */
    static final long DOWN_AFTER_MILLIS = 3_000;

    private final RaftServer server;
    private volatile RaftClient client;
    /**
     * Asks other managers for their applied index and digest. Its own client: Ratis orders a client's requests to a
     * server in one sequence, so a read to one manager must not share a client with the writes forwarded to the
     * leader (they held each other up).
     */
    private volatile RaftClient queries;
    /** The members the two clients were built for ({@link #followMembers}). */
    private volatile java.util.Set<RaftPeerId> clientsKnow = java.util.Set.of();

    private RaftProperties properties;
    private Parameters parameters;

    private final RaftGroupId groupId;
    private final RaftPeerId self;
    private final ManagerStateMachine stateMachine;
    private ManagerMember member;
    private volatile String advertised;
    private final ClientId localClient = ClientId.randomId();
    /** Set when this manager stops: a write or a wait still running then ends at once with a 503. */
    private volatile boolean closed;

    private final AtomicLong calls = new AtomicLong();

    private ManagerReplication(
            RaftServer server,
            RaftClient client,
            RaftClient queries,
            RaftGroupId groupId,
            RaftPeerId self,
            ManagerStateMachine stateMachine) {
        this.server = server;
        this.client = client;
        this.queries = queries;
        this.groupId = groupId;
        this.self = self;
        this.stateMachine = stateMachine;
    }

    /** The {@code host:grpc-port} nodes dial this manager at, once its node-facing port listens. */
    public void advertise(String address) {
        this.advertised = requireNonNull(address, "address is null");
    }

    /** How many managers the group has now (this one included). */
    public int groupSize() {
        try {
            return server.getDivision(groupId).getGroup().getPeers().size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Raft group of a federation: one per federation, named by its id. */
    public static RaftGroupId groupId(String federationId) {
        return RaftGroupId.valueOf(
                UUID.nameUUIDFromBytes(("mipfed-managers:" + federationId).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Starts this manager's Raft server from {@code raftDir} (created as a group of one holding only this manager
     * on the first start) and waits until the group has a leader or {@code startTimeoutMillis} passed.
     *
     * @param raftDir Ratis's storage (log, snapshots), inside the manager's data directory
     * @param stateFile where the state machine writes the federation state after each change
     * @param member who this manager is in the group and where it listens for Raft
     * @param tls the managers' mutual TLS ({@code OU=manager} certificates under the federation's CA)
     */
    public static ManagerReplication start(
            Path raftDir,
            Path stateFile,
            String federationId,
            ManagerMember member,
            GrpcTlsConfig tls,
            ReplicationSettings settings) {
        return start(raftDir, stateFile, federationId, member, List.of(member), tls, settings);
    }

    /**
     * Starts this manager's Raft server as a member of a group of {@code members} (this one among them) on its first
     * start; a later start recovers the group its log holds. Every member must be started with the same list.
     */
    public static ManagerReplication start(
            Path raftDir,
            Path stateFile,
            String federationId,
            ManagerMember member,
            List<ManagerMember> members,
            GrpcTlsConfig tls,
            ReplicationSettings settings) {
        requireNonNull(members, "members is null");
        if (members.stream().noneMatch(m -> m.id().equals(member.id()))) {
            throw new IllegalArgumentException("the group's members do not include this manager " + member.id());
        }
        return launch(
                raftDir,
                stateFile,
                federationId,
                groupIdIn(raftDir, federationId),
                member,
                members,
                tls,
                settings,
                false);
    }

    /**
     * Starts a new group of one, {@code group}, in an empty {@code raftDir}: what {@code recover
     * --force-new-cluster} makes of a survivor before it puts the survivor's state in.
     */
    static ManagerReplication startNewGroup(
            Path raftDir,
            Path stateFile,
            String federationId,
            RaftGroupId group,
            ManagerMember member,
            GrpcTlsConfig tls,
            ReplicationSettings settings) {
        if (!groupsIn(raftDir).isEmpty()) {
            throw new IllegalStateException(raftDir + " holds a managers' log already");
        }
        return launch(raftDir, stateFile, federationId, group, member, List.of(member), tls, settings, false);
    }

    /**
     * Starts the member of a manager that joins an existing group: its Raft server starts empty (in no group's
     * configuration yet, so it never campaigns) and waits for the leader to add it ({@link #addMember}), then
     * receives the state, by a snapshot install or a replay of the log.
     *
     * @throws IllegalStateException when {@code raftDir} already holds this federation's group
     */
    public static ManagerReplication startJoining(
            Path raftDir,
            Path stateFile,
            String federationId,
            ManagerMember member,
            GrpcTlsConfig tls,
            ReplicationSettings settings) {
        return startJoining(raftDir, stateFile, federationId, groupId(federationId), member, tls, settings);
    }

    /**
     * As {@link #startJoining(Path, Path, String, ManagerMember, GrpcTlsConfig, ReplicationSettings)}, for the group
     * {@code group} (the leader's {@link #groupUuid()}: a federation recovered with {@code recover
     * --force-new-cluster} runs a group of its own).
     */
    public static ManagerReplication startJoining(
            Path raftDir,
            Path stateFile,
            String federationId,
            RaftGroupId group,
            ManagerMember member,
            GrpcTlsConfig tls,
            ReplicationSettings settings) {
        if (!groupsIn(raftDir).isEmpty()) {
            throw new IllegalStateException(raftDir + " already holds this federation's managers' log: this data "
                    + "directory is a manager already; start it with 'mipfed manager start', or join with a new one");
        }
        return launch(raftDir, stateFile, federationId, group, member, List.of(), tls, settings, true);
    }

    /**
     * The group whose log {@code raftDir} holds, or, when it holds none yet, the federation's first group
     * ({@link #groupId(String)}). A federation recovered with {@code recover --force-new-cluster} runs a new group
     * (a new id): the members of the group before it, which still name this manager, reach no group here.
     *
     * @throws IllegalStateException when {@code raftDir} holds the logs of several groups
     */
    public static RaftGroupId groupIdIn(Path raftDir, String federationId) {
        List<RaftGroupId> groups = groupsIn(raftDir);
        if (groups.isEmpty()) {
            return groupId(federationId);
        }
        if (groups.size() > 1) {
            throw new IllegalStateException(raftDir + " holds the logs of " + groups.size() + " managers' groups "
                    + groups + ": keep the one this manager belongs to and move the others out of it");
        }
        return groups.get(0);
    }

    /** The groups whose logs {@code raftDir} holds (Ratis keeps each in a directory named by the group's UUID). */
    static List<RaftGroupId> groupsIn(Path raftDir) {
        if (!Files.isDirectory(raftDir)) {
            return List.of();
        }
        List<RaftGroupId> groups = new ArrayList<>();
        try (var entries = Files.list(raftDir)) {
            for (Path entry : entries.filter(Files::isDirectory).sorted().toList()) {
                try {
                    groups.add(RaftGroupId.valueOf(
                            UUID.fromString(entry.getFileName().toString())));
                } catch (IllegalArgumentException notAGroup) {
                    // another directory: not Ratis's
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + raftDir + ": " + e.getMessage(), e);
        }
        return groups;
    }

    /**
     * Keeps, for a manager that joins, the UUID of the group it joins ({@code raftDir/group}), as the leader named it;
     * nothing when {@code uuid} is empty (a leader that does not say it runs the federation's first group).
     */
    public static void writeGroupToJoin(Path raftDir, String uuid) {
        if (uuid == null || uuid.isEmpty()) {
            return;
        }
        RaftGroupId.valueOf(UUID.fromString(uuid)); // checks its shape
        try {
            Files.createDirectories(raftDir);
            org.mipfed.core.security.Pem.writeAtomically(
                    raftDir.resolve("group"), (uuid + "\n").getBytes(StandardCharsets.UTF_8), true);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + raftDir.resolve("group") + ": " + e.getMessage(), e);
        }
    }

    /** The group a joining manager joins: the one its join kept ({@link #writeGroupToJoin}), else the first one. */
    public static RaftGroupId groupToJoin(Path raftDir, String federationId) {
        Path file = raftDir.resolve("group");
        if (!Files.isRegularFile(file)) {
            return groupId(federationId);
        }
        try {
            return RaftGroupId.valueOf(UUID.fromString(
                    Files.readString(file, StandardCharsets.UTF_8).strip()));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("Cannot read the group to join from " + file + ": " + e.getMessage(), e);
        }
    }

    /** The UUID of the group this manager is a member of (what a joining manager must join). */
    public String groupUuid() {
        return groupId.getUuid().toString();
    }

    private static ManagerReplication launch(
            Path raftDir,
            Path stateFile,
            String federationId,
            RaftGroupId groupId,
            ManagerMember member,
            List<ManagerMember> members,
            GrpcTlsConfig tls,
            ReplicationSettings settings,
            boolean joining) {
        requireNonNull(raftDir, "raftDir is null");
        requireNonNull(member, "member is null");
        requireNonNull(tls, "tls is null");
        requireNonNull(settings, "settings is null");
        RaftPeerId self = RaftPeerId.valueOf(member.id());
        RaftProperties properties = properties(raftDir, member, settings);
        Parameters parameters = new Parameters();
        GrpcConfigKeys.TLS.setConf(parameters, tls);
        RaftPeer peer = RaftPeer.newBuilder()
                .setId(self)
                .setAddress(member.raftAddress())
                .setAdminAddress(member.raftAddress())
                .build();
        List<RaftPeer> peers = new ArrayList<>();
        for (ManagerMember m : members) {
            peers.add(
                    m.id().equals(member.id())
                            ? peer
                            : RaftPeer.newBuilder()
                                    .setId(RaftPeerId.valueOf(m.id()))
                                    .setAddress(m.raftAddress())
                                    .setAdminAddress(m.raftAddress())
                                    .build());
        }
        // a joining manager starts in an empty group: the leader's configuration change brings it in
        RaftGroup group = joining ? RaftGroup.valueOf(groupId) : RaftGroup.valueOf(groupId, peers);
        boolean exists = Files.isDirectory(raftDir.resolve(groupId.getUuid().toString()));
        ManagerStateMachine stateMachine = new ManagerStateMachine(stateFile, federationId);
        RaftServer server;
        try {
            Files.createDirectories(raftDir);
            server = RaftServer.newBuilder()
                    .setServerId(self)
                    .setGroup(group)
                    .setStateMachine(stateMachine)
                    .setProperties(properties)
                    .setParameters(parameters)
                    .setOption(exists ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                    .build();
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot start the managers' replication (Raft) in " + raftDir + " on " + member.raftAddress() + ": "
                            + e.getMessage() + ". Is another manager running on this data directory or port?",
                    e);
        }
        RaftGroup current;
        try {
            RaftGroup conf = server.getDivision(groupId).getGroup();
            if (conf.getPeers().isEmpty()) {
                conf = RaftGroup.valueOf(groupId, peer);
            }
            current = clientGroup(server, self, conf);
        } catch (IOException e) {
            closeQuietly(server);
            throw new UncheckedIOException("The Raft group " + groupId + " did not start: " + e.getMessage(), e);
        }
        RaftClient client = writeClient(current, properties, parameters);
        RaftClient queries = queryClient(current, properties, parameters);
        ManagerReplication replication = new ManagerReplication(server, client, queries, groupId, self, stateMachine);
        stateMachine.auditChain().peers(replication::readAuditLines);
        replication.member = member;
        replication.properties = properties;
        replication.parameters = parameters;
        replication.clientsKnow =
                current.getPeers().stream().map(RaftPeer::getId).collect(Collectors.toSet());
        if (!joining) {
            replication.awaitLeader(settings.startTimeoutMillis());
        }
        return replication;
    }

    /** The group as this manager's clients dial it: itself over loopback where it really listens. */
    private static RaftGroup clientGroup(RaftServer server, RaftPeerId self, RaftGroup conf) {
        String here =
                "127.0.0.1:" + server.getServerRpc().getInetSocketAddress().getPort();
        return RaftGroup.valueOf(
                conf.getGroupId(),
                conf.getPeers().stream()
                        .map(p -> p.getId().equals(self)
                                ? RaftPeer.newBuilder(p)
                                        .setAddress(here)
                                        .setAdminAddress(here)
                                        .setClientAddress(here)
                                        .build()
                                : p)
                        .toList());
    }

    private static RaftClient writeClient(RaftGroup group, RaftProperties properties, Parameters parameters) {
        return RaftClient.newBuilder()
                .setClientId(ClientId.randomId())
                .setRaftGroup(group)
                .setProperties(properties)
                .setParameters(parameters)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                        20, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                .build();
    }

    private static RaftClient queryClient(RaftGroup group, RaftProperties properties, Parameters parameters) {
        return RaftClient.newBuilder()
                .setClientId(ClientId.randomId())
                .setRaftGroup(group)
                .setProperties(properties)
                .setParameters(parameters)
                .setRetryPolicy(RetryPolicies.noRetry())
                .build();
    }

    /** Closes clients replaced by {@link #followMembers} once what they carried has ended. */
    private static final java.util.concurrent.ScheduledExecutorService RETIRED_CLIENTS =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "mipfed-raft-client-retire");
                t.setDaemon(true);
                return t;
            });

    /**
     * Builds this manager's clients again when the group's members changed since they were built: a manager that
     * joined started with clients that knew itself only, and every manager's clients must reach a member that joined
     * later (to forward writes, ask the leader about the group, ask a member for its digest).
     */
    private void followMembers() {
        RaftGroup conf = group();
        java.util.Set<RaftPeerId> ids =
                conf.getPeers().stream().map(RaftPeer::getId).collect(Collectors.toSet());
        if (ids.isEmpty() || ids.equals(clientsKnow)) {
            return;
        }
        synchronized (this) {
            if (ids.equals(clientsKnow) || properties == null) {
                return;
            }
            RaftGroup current = clientGroup(server, self, conf);
            RaftClient oldClient = client;
            RaftClient oldQueries = queries;
            client = writeClient(current, properties, parameters);
            queries = queryClient(current, properties, parameters);
            clientsKnow = ids;
            RETIRED_CLIENTS.schedule(
                    () -> {
                        for (RaftClient c : List.of(oldClient, oldQueries)) {
                            try {
                                c.close();
                            } catch (IOException e) {
                                LOG.debug("closing a replaced Raft client: {}", e.getMessage());
                            }
                        }
                    },
                    30,
                    TimeUnit.SECONDS);
        }
    }

    /**
     * Replaces a write client that failed by a new one on the group as it is now. Ratis's ordered asynchronous client
     * keeps one sliding window of requests per client: when a request in it fails for good (the leader died and the
     * retries ran out before another was elected) the window is closed and every later request of that client fails
     * with "is closed", so without a new client a follower would take no write again until its restart. The old one is
     * closed a little later, once what it still had in flight has failed.
     */
    private RaftClient renewWriteClient(RaftClient failed) {
        synchronized (this) {
            if (closed) {
                return client; // a stopping manager sends nothing more
            }
            RaftGroup conf = group();
            if (client != failed || properties == null || conf.getPeers().isEmpty()) {
                return client; // another write (or a change of the members) renewed it already
            }
            RaftClient renewed;
            try {
                renewed = writeClient(clientGroup(server, self, conf), properties, parameters);
            } catch (RuntimeException e) {
                LOG.warn("cannot make a new client for the managers' leader: {}", e.getMessage());
                return client;
            }
            client = renewed;
            CompletableFuture.delayedExecutor(2 * WRITE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                    .execute(() -> {
                        try {
                            failed.close();
                        } catch (IOException e) {
                            LOG.debug("closing a failed Raft client: {}", e.getMessage());
                        }
                    });
            LOG.info("a write to the managers' leader failed: this manager forwards its writes through a new client");
            return renewed;
        }
    }

    static RaftProperties properties(Path raftDir, ManagerMember member, ReplicationSettings settings) {
        RaftProperties properties = new RaftProperties();
        // Ratis's gRPC transport with a leader that sends its snapshot where Ratis's own would stop (see RaftRpc)
        org.apache.ratis.RaftConfigKeys.Rpc.setType(properties, new RaftRpc());
        RaftServerConfigKeys.setStorageDir(properties, List.of(raftDir.toFile()));
        InetSocketAddress bind = member.bindAddress();
        GrpcConfigKeys.Server.setHost(properties, bind.getHostString());
        GrpcConfigKeys.Server.setPort(properties, bind.getPort());
        // elections slower than Ratis's defaults: on busy small machines a 150 ms timeout elects needlessly
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(1000, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(2000, TimeUnit.MILLISECONDS));
        // the first election of a starting manager need not wait: a group of one is writable within a moment
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(
                properties, TimeDuration.valueOf(50, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(
                properties, TimeDuration.valueOf(200, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(3000, TimeUnit.MILLISECONDS));
        // a joining manager is brought up to date before it votes: give a busy machine time for the TLS handshakes
        // and the snapshot or log it receives (Ratis's default is a few election timeouts)
        RaftServerConfigKeys.setStagingTimeout(properties, TimeDuration.valueOf(60, TimeUnit.SECONDS));
        RaftClientConfigKeys.Rpc.setRequestTimeout(
                properties, TimeDuration.valueOf(WRITE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS));
        // snapshots and log compaction: every snapshotEvery entries, purge the log up to the snapshot
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, settings.snapshotEvery());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(properties, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, true);
        RaftServerConfigKeys.Log.setPurgeGap(properties, (int) Math.min(settings.snapshotEvery(), Integer.MAX_VALUE));
        RaftServerConfigKeys.Log.setSegmentSizeMax(properties, SizeInBytes.valueOf(settings.segmentBytes()));
        return properties;
    }

    /** Waits until this manager's group has a leader that can take writes; returns whether it has one. */
    public boolean awaitLeader(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            DivisionInfo info = info();
            if (info.getLeaderId() != null && (!info.isLeader() || info.isLeaderReady())) {
                return true;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        LOG.warn("the managers' group has no leader after {} ms", timeoutMillis);
        return false;
    }

    /** This manager's id in the group. */
    public String id() {
        return self.toString();
    }

    /**
     * Tells {@code listener} each CA the log sets from now on (another manager started or finished a rotation):
     * this manager's CA follows the group's.
     */
    public void onCa(java.util.function.Consumer<org.mipfed.manager.ca.CaKeys> listener) {
        stateMachine.onCa(listener);
    }

    /** The id of the group's leader as this manager knows it now; empty while there is none. */
    public java.util.Optional<String> leaderId() {
        RaftPeerId leader = info().getLeaderId();
        return leader == null || leader.toString().isEmpty()
                ? java.util.Optional.empty()
                : java.util.Optional.of(leader.toString());
    }

    /** Whether this manager is a voting member of the group it was started in (a demoted or removed one is not). */
    public boolean isMember() {
        return group().getPeers().stream().anyMatch(p -> p.getId().equals(self));
    }

    /** Whether this manager is the group's leader now. */
    public boolean isLeader() {
        return info().isLeader();
    }

    /** The state this manager has applied: local, never waits. */
    public ReplicatedState state() {
        return stateMachine.state();
    }

    @Override
    public StateLog.Versioned read() {
        ReplicatedState now = stateMachine.state();
        return new StateLog.Versioned(now.version(), now.federation());
    }

    @Override
    public boolean change(long basedOn, FederationState next) {
        return submit(new StateCommand.ChangeFederationState(basedOn, next)).applied();
    }

    /** Where this manager listens for Raft (the actual port when it was asked for any free one). */
    public InetSocketAddress raftAddress() {
        return server.getServerRpc().getInetSocketAddress();
    }

    /**
     * Commits {@code command} through the leader and waits until this manager applied it, so what it wrote is what
     * it reads next.
     *
     * @throws Problem 503 ({@link ProblemType#MANAGER_UNAVAILABLE}) when no majority of the managers commits it within
     *     {@link #WRITE_TIMEOUT_MILLIS}
     */
    public CommandReply submit(StateCommand command) {
        return submit(command, false);
    }

    /** Sends lines of the audit chain for a follower: blocking calls on threads of their own (see below). */
    private static final java.util.concurrent.ExecutorService UNORDERED_SENDS =
            java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "mipfed-manager-unordered-write");
                t.setDaemon(true);
                return t;
            });

    /**
     * As {@link #submit(StateCommand)}; {@code unordered}: a follower forwards the command with a blocking call of its
     * own rather than through the client's ordered asynchronous stream, in which a request that timed out while
     * the managers had no majority was seen to hold up every later one (the audit shipper, which retries, must
     * get through once the majority is back).
     */
    private CommandReply submit(StateCommand command, boolean unordered) {
        requireNonNull(command, "command is null");
        refuseWhenClosed();
        byte[] bytes;
        try {
            bytes = Json.mapper().writeValueAsBytes(command);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long started = System.nanoTime();
        followMembers();
        // a group of one cannot lose its majority: only a busy machine makes it slow, so it waits longer
        int size = groupSize();
        long timeout = size == 1 ? ALONE_WRITE_TIMEOUT_MILLIS : WRITE_WAIT_MILLIS;
        Message message = Message.valueOf(ByteString.copyFrom(bytes));
        CompletableFuture<RaftClientReply> sent;
        boolean leader = info().isLeader();
        if (leader && size > 1) {
            // a leader that has not heard from a majority for DOWN_AFTER_MILLIS refuses at once, without waiting
            List<ManagerStatus> seen = managersSeenLocally();
            long ready = seen.stream().filter(m -> m.status().equals("ready")).count();
            if (ready < seen.size() / 2 + 1) {
                throw noQuorum("the others have not answered for " + DOWN_AFTER_MILLIS / 1000 + " s or more");
            }
        }
        if (leader) {
            // the leader submits to its own server in-process; a follower forwards through the client
            try {
                sent = server.submitClientRequestAsync(RaftClientRequest.newBuilder()
                        .setClientId(localClient)
                        .setServerId(self)
                        .setGroupId(groupId)
                        .setCallId(calls.incrementAndGet())
                        .setMessage(message)
                        .setType(RaftClientRequest.writeRequestType())
                        .build());
            } catch (IOException e) {
                throw noQuorum(e.getMessage());
            }
        } else {
            return forward(message, started, timeout, unordered);
        }
        RaftClientReply reply;
        try {
            reply = sent.get(timeout, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            sent.cancel(true);
            throw noQuorum("no majority answered within " + timeout + " ms");
        } catch (ExecutionException e) {
            throw noQuorum(String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw noQuorum("interrupted");
        }
        if (!reply.isSuccess() && reply.getNotLeaderException() != null) {
            // leadership moved between the check and the submission: forward to the new leader
            return forward(message, started, timeout, unordered);
        }
        return applied(reply, started, timeout);
    }

    /**
     * Forwards a write to the leader through the write client, until it is committed or {@code timeout} passed since
     * {@code started}. A client that failed is replaced and the write sent again through the new one: the commands are
     * versioned or idempotent, so a write that was committed after all is not applied twice. {@code unordered}: with a
     * blocking call of its own rather than through the client's ordered stream (see {@link #submit(StateCommand,
     * boolean)}).
     */
    private CommandReply forward(Message message, long started, long timeout, boolean unordered) {
        String cause = "no majority answered within " + timeout + " ms";
        while (true) {
            refuseWhenClosed();
            long left = timeout - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            if (left <= 0) {
                throw noQuorum(cause);
            }
            RaftClient through = client;
            CompletableFuture<RaftClientReply> sent = unordered
                    ? sendUnordered(through, message)
                    : through.async().send(message);
            RaftClientReply reply;
            try {
                reply = sent.get(left, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                sent.cancel(true);
                renewWriteClient(through);
                throw noQuorum(cause);
            } catch (ExecutionException e) {
                cause = String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
                if (e.getCause() instanceof StateMachineException) {
                    throw noQuorum(cause); // the leader's state machine refused it: sending it again changes nothing
                }
                renewWriteClient(through);
                pause(100);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw noQuorum("interrupted");
            }
            if (!reply.isSuccess()) {
                throw noQuorum(
                        reply.getException() != null ? reply.getException().getMessage() : "refused");
            }
            return applied(reply, started, timeout);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The state machine's answer to a committed write, once this manager applied it (what it wrote it reads next). */
    private CommandReply applied(RaftClientReply reply, long started, long timeout) {
        if (!reply.isSuccess()) {
            throw noQuorum(reply.getException() != null ? reply.getException().getMessage() : "refused");
        }
        CommandReply answer;
        try {
            answer = Json.mapper().readValue(reply.getMessage().getContent().toByteArray(), CommandReply.class);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable reply of the managers' state machine: " + e.getMessage(), e);
        }
        long left = timeout - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        try {
            if (!stateMachine.awaitApplied(answer.index(), Math.max(left, 100))) {
                LOG.warn("write {} committed but not yet applied on this manager", answer.index());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return answer;
    }

    private static CompletableFuture<RaftClientReply> sendUnordered(RaftClient through, Message message) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return through.io().send(message);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                },
                UNORDERED_SENDS);
    }

    private Problem noQuorum(String cause) {
        List<ManagerStatus> managers = managersSeenLocally();
        long reachable =
                managers.stream().filter(m -> m.status().equals("ready")).count();
        int majority = managers.size() / 2 + 1;
        return new Problem(
                ProblemType.MANAGER_UNAVAILABLE,
                "The federation cannot accept changes now: this manager reaches " + reachable + " of "
                        + managers.size() + " managers and a write needs " + majority + " (" + cause
                        + "). Reads and analyses over connected nodes still run. Start the managers that are down; if they are "
                        + "lost for good, run 'mipfed manager recover --force-new-cluster' on one survivor.");
    }

    /** Every manager of the group as this manager sees it, with the leader's view of who is down when it has one. */
    public List<ManagerStatus> managers() {
        View view = managersWithoutDigests();
        return withDigests(view.managers(), view.leaderCommit());
    }

    private View managersWithoutDigests() {
        followMembers();
        DivisionInfo info = info();
        RaftPeerId leader = info.getLeaderId();
        if (leader != null && !leader.equals(self) && !info.isLeader()) {
            try {
                // asked once, without the write client's retries: a leader that just died must not hold up the list
                GroupInfoReply fromLeader =
                        queries.getGroupManagementApi(leader).info(groupId);
                return view(fromLeader.getRoleInfoProto(), fromLeader.getCommitInfos(), fromLeader.getGroup());
            } catch (IOException | RuntimeException e) {
                LOG.debug("cannot ask the leader {} about the managers: {}", leader, e.getMessage());
            }
        }
        try {
            RaftServer.Division division = server.getDivision(groupId);
            View local = view(info().getRoleInfoProto(), division.getCommitInfos(), division.getGroup());
            // the leader itself knows its commit index best: its log's
            return info.isLeader() ? new View(local.managers(), committedIndex()) : local;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The threads that ask other managers for their digests (daemons: idle ones end after a minute). */
    private static final java.util.concurrent.ExecutorService QUERY_THREADS =
            new java.util.concurrent.ThreadPoolExecutor(
                    0, 16, 60, TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
                        Thread t = new Thread(r, "mipfed-manager-digest-query");
                        t.setDaemon(true);
                        return t;
                    });

    /** How long {@code GET /admin/managers} waits for another manager's applied index and digest. */
    static final long DIGEST_QUERY_MILLIS = 1_000;

    /**
     * Each manager's applied index and state digest: this one's from here, the others' asked of them at once. With
     * the leader's commit index known ({@code leaderCommit}, else -1), each one answers once it applied up to it (or
     * after {@link ManagerStateMachine#CATCH_UP_QUERY_MILLIS}), and one that has not is {@code catching-up} rather
     * than {@code ready}, its lag the entries it has yet to apply.
     */
    private List<ManagerStatus> withDigests(List<ManagerStatus> managers, long leaderCommit) {
        Map<String, CompletableFuture<RaftClientReply>> asked = new java.util.HashMap<>();
        byte[] question = (leaderCommit >= 0 ? ManagerStateMachine.DIGEST_QUERY + leaderCommit : "digest")
                .getBytes(StandardCharsets.UTF_8);
        for (ManagerStatus m : managers) {
            if (!m.id().equals(self.toString()) && m.status().equals("ready")) {
                try {
                    asked.put(
                            m.id(),
                            // a blocking read on a thread of its own: Ratis's async client orders its requests
                            // per server, and one that never answers would hold up the next ones
                            CompletableFuture.supplyAsync(
                                    () -> {
                                        try {
                                            return queries.io()
                                                    .sendStaleRead(
                                                            Message.valueOf(ByteString.copyFrom(question)),
                                                            0,
                                                            RaftPeerId.valueOf(m.id()));
                                        } catch (IOException e) {
                                            throw new UncheckedIOException(e);
                                        }
                                    },
                                    QUERY_THREADS));
                } catch (RuntimeException e) {
                    LOG.debug("cannot ask manager {} for its digest: {}", m.id(), e.getMessage());
                }
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DIGEST_QUERY_MILLIS);
        List<ManagerStatus> out = new ArrayList<>();
        for (ManagerStatus m : managers) {
            if (m.id().equals(self.toString())) {
                if (leaderCommit >= 0) {
                    try {
                        stateMachine.awaitApplied(leaderCommit, ManagerStateMachine.CATCH_UP_QUERY_MILLIS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                out.add(m.with(stateMachine.digest(), leaderCommit));
                continue;
            }
            CompletableFuture<RaftClientReply> reply = asked.get(m.id());
            StateDigest.Digest digest = null;
            if (reply != null) {
                try {
                    long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                    RaftClientReply answer = reply.get(left, TimeUnit.MILLISECONDS);
                    if (answer.isSuccess()) {
                        digest = Json.mapper()
                                .readValue(answer.getMessage().getContent().toByteArray(), StateDigest.Digest.class);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException | IOException e) {
                    reply.cancel(true);
                    LOG.debug("manager {} did not say its digest: {}", m.id(), e.getMessage());
                }
            }
            out.add(m.with(digest, leaderCommit));
        }
        return out;
    }

    /** This manager's applied log index and the digest of the state it applied. */
    public StateDigest.Digest digest() {
        return stateMachine.digest();
    }

    // ---- the federation's audit chain ----

    /** The head of the federation's audit chain as this manager applied it; null until the chain started. */
    public ReplicatedState.AuditHead auditHead() {
        return stateMachine.state().audit();
    }

    /** This manager's copy of the federation's audit chain ({@code D/audit.log}). */
    public Path auditChainFile() {
        return stateMachine.auditChain().file();
    }

    /** The newest {@code limit} lines of this manager's copy of the chain, newest first. */
    public List<com.fasterxml.jackson.databind.JsonNode> auditNewest(int limit) {
        return stateMachine.auditChain().newest(limit);
    }

    /**
     * Waits (at most {@code millis}) until this manager's copy of the chain holds every line it applied; returns
     * whether it does (a manager that installed a snapshot reads the lines before it from another manager).
     */
    public boolean awaitAuditChainFile(long millis) {
        return stateMachine.auditChain().awaitReach(auditHead(), millis);
    }

    /**
     * Starts the federation's audit chain if the log has none yet: this manager's {@code audit.log} (a data directory
     * from before the chain was replicated, or a restored one) becomes its beginning, with the journal lines it holds
     * already. Another manager may have started it first; then this one's file is set aside if it is not a beginning
     * of that chain.
     */
    public void importAudit() {
        if (auditHead() != null) {
            return;
        }
        Map<String, Long> shipped = new java.util.TreeMap<>();
        Path file = auditChainFile();
        try {
            long offset = 0;
            while (true) {
                org.mipfed.core.audit.ChainLines.Page page =
                        org.mipfed.core.audit.ChainLines.read(file, offset, FederationAuditChain.PAGE_BYTES);
                if (page.lines().isEmpty()) {
                    break;
                }
                for (byte[] bytes : page.lines()) {
                    com.fasterxml.jackson.databind.JsonNode line =
                            org.mipfed.core.audit.ChainLines.parse(bytes).json();
                    if (line != null
                            && line.hasNonNull("manager")
                            && line.path("local_seq").canConvertToLong()) {
                        shipped.merge(
                                line.get("manager").asText(),
                                line.get("local_seq").asLong(),
                                Math::max);
                    }
                }
                offset = page.next();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the audit trail " + file + ": " + e.getMessage(), e);
        }
        var head = stateMachine.auditChain().fileHead();
        CommandReply reply = submit(new StateCommand.ImportAudit(head.seq(), head.hash(), shipped));
        if (reply.applied()) {
            LOG.info("the federation's audit chain starts with the {} lines of {}", head.seq(), file);
        }
    }

    /** Commits journal lines into the federation's chain (lines it holds already are skipped). */
    public void appendAudit(List<StateCommand.AuditEntry> lines) {
        if (!lines.isEmpty()) {
            CommandReply reply = submit(new StateCommand.AppendAudit(lines), true);
            if (!reply.applied()) {
                throw new Problem(
                        ProblemType.MANAGER_UNAVAILABLE,
                        "The federation's audit chain did not take the lines: " + reply.refusal());
            }
        }
    }

    /** How long a manager waits for another one's page of audit chain lines. */
    static final long AUDIT_QUERY_MILLIS = 5_000;

    /**
     * Reads lines of the chain from another manager (for a copy that lacks them): the leader first, then the others.
     * Each question has {@link #AUDIT_QUERY_MILLIS} on a thread of its own, as the digest queries do.
     */
    private byte[] readAuditLines(long fromSeq, Map<String, Long> offsets) {
        List<ManagerStatus> others = new ArrayList<>(managersSeenLocally());
        others.removeIf(m -> m.id().equals(self.toString()));
        others.sort(
                java.util.Comparator.comparing((ManagerStatus m) -> !m.role().equals("leader")));
        for (ManagerStatus m : others) {
            long hint = offsets.getOrDefault(m.id(), 0L);
            CompletableFuture<RaftClientReply> asked = CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return queries.io()
                                    .sendStaleRead(
                                            Message.valueOf(ByteString.copyFromUtf8(
                                                    ManagerStateMachine.AUDIT_QUERY + fromSeq + " " + hint)),
                                            0,
                                            RaftPeerId.valueOf(m.id()));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    },
                    QUERY_THREADS);
            try {
                RaftClientReply reply = asked.get(AUDIT_QUERY_MILLIS, TimeUnit.MILLISECONDS);
                if (!reply.isSuccess()) {
                    continue;
                }
                byte[] answer = reply.getMessage().getContent().toByteArray();
                int newline = 0;
                while (newline < answer.length && answer[newline] != '\n') {
                    newline++;
                }
                offsets.put(m.id(), Long.parseLong(new String(answer, 0, newline, StandardCharsets.US_ASCII)));
                if (newline + 1 < answer.length) {
                    return answer;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                asked.cancel(true);
                LOG.debug("manager {} did not give lines of the audit chain: {}", m.id(), e.getMessage());
            }
        }
        return null;
    }

    // ---- users and API tokens, sessions, experiments: the stores of a running manager write through the log ----

    @Override
    public UserLog.Versioned readUsers() {
        ReplicatedState now = stateMachine.state();
        return new UserLog.Versioned(now.usersVersion(), now.users());
    }

    @Override
    public boolean changeUsers(long basedOn, UserStore.Content next) {
        return submit(new StateCommand.ChangeUsers(basedOn, next)).applied();
    }

    @Override
    public Map<String, Sessions.Session> sessions() {
        return stateMachine.state().sessions();
    }

    @Override
    public void putSession(Sessions.Session session) {
        submit(new StateCommand.PutSession(session));
    }

    @Override
    public void removeSessions(java.util.Collection<String> ids) {
        if (!ids.isEmpty()) {
            submit(new StateCommand.RemoveSessions(List.copyOf(ids)));
        }
    }

    @Override
    public void removeUserSessions(String username, String keep) {
        submit(new StateCommand.RemoveUserSessions(username, keep));
    }

    @Override
    public Map<String, ExperimentLog.Run> experiments() {
        Map<String, ExperimentLog.Run> experiments = stateMachine.state().experiments();
        return experiments == null ? Map.of() : experiments;
    }

    /** The experiments still pending or running, from an index the state machine keeps: O(unfinished), no scan. */
    @Override
    public Map<String, ExperimentLog.Run> unfinishedExperiments() {
        return stateMachine.unfinished();
    }

    @Override
    public void putExperiments(List<Experiment> experiments) {
        putRuns(experiments.stream()
                .map(e -> new ExperimentLog.Run(e, self.toString()))
                .toList());
    }

    @Override
    public void putRuns(List<ExperimentLog.Run> runs) {
        for (List<ExperimentLog.Run> entry : entries(runs, r -> r.experiment())) {
            submit(new StateCommand.PutExperiments(entry));
        }
    }

    @Override
    public void interruptExperiments(List<ExperimentLog.Run> runs) {
        for (List<ExperimentLog.Run> entry : entries(runs, r -> r.experiment())) {
            submit(new StateCommand.InterruptExperiments(entry));
        }
    }

    /** Takes experiments into the log that it does not know yet (an older data directory's, or a restored one's). */
    @Override
    public void importExperiments(List<Experiment> experiments) {
        for (List<Experiment> entry : entries(experiments, e -> e)) {
            submit(new StateCommand.ImportExperiments(entry));
        }
    }

    /** The most a log entry of experiment records holds (a batch or an import is cut into entries of this size). */
    static final int ENTRY_BYTES = 512 * 1024;

    /** {@code items} cut into lists whose experiments' JSON stays within {@link #ENTRY_BYTES} each (at least one). */
    private static <T> List<List<T>> entries(List<T> items, java.util.function.Function<T, Experiment> experiment) {
        List<List<T>> out = new ArrayList<>();
        List<T> current = new ArrayList<>();
        long bytes = 0;
        for (T item : items) {
            long size;
            try {
                size = Json.mapper().writeValueAsBytes(experiment.apply(item)).length;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (!current.isEmpty() && bytes + size > ENTRY_BYTES) {
                out.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(item);
            bytes += size;
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    @Override
    public void removeExperiments(java.util.Collection<String> ids) {
        if (!ids.isEmpty()) {
            submit(new StateCommand.RemoveExperiments(List.copyOf(ids)));
        }
    }

    @Override
    public String self() {
        return self.toString();
    }

    /**
     * The managers whose experiments nobody runs any more, as this manager sees them: those of the group that are
     * {@code down}, and those named by an unfinished experiment that are no longer in the group (only unfinished ones
     * are ended: the index of those, not every experiment ever run).
     */
    public java.util.Set<String> managersGone() {
        java.util.Set<String> gone = new java.util.HashSet<>();
        java.util.Set<String> members = new java.util.HashSet<>();
        for (ManagerStatus m : managersSeenLocally()) {
            members.add(m.id());
            if (m.status().equals("down")) {
                gone.add(m.id());
            }
        }
        for (ExperimentLog.Run run : unfinishedExperiments().values()) {
            if (run.manager() != null && !members.contains(run.manager())) {
                gone.add(run.manager());
            }
        }
        return gone;
    }

    /**
     * Waits until this manager applied every entry its log holds as committed (a restart replays the log after the
     * latest snapshot); returns whether it did within {@code timeoutMillis}.
     */
    public boolean awaitCommittedApplied(long timeoutMillis) {
        try {
            long committed = server.getDivision(groupId).getRaftLog().getLastCommittedIndex();
            return stateMachine.awaitApplied(committed, timeoutMillis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** How long a follower waits for the leader to say how far it applied ({@link #awaitCurrent}). */
    public static final long READ_INDEX_MILLIS = 1_000;

    /**
     * Waits until this manager applied every log entry the managers' leader had applied when asked (a read index),
     * so that a change computed from what this manager reads (the users, the federation state) starts from current
     * state. A manager that restarted, or fell behind, applies the log behind the leader for a while; a change
     * computed on its stale state would be refused by the leader (another version) and computed again on the same
     * stale state. The leader waits for the entries it knows committed; a follower asks the leader (one round trip,
     * at most {@link #READ_INDEX_MILLIS}), or, when the leader does not answer, waits for what it knows committed;
     * while the group has no leader it does not wait (the write that follows answers 503).
     *
     * @throws Problem 503 ({@link ProblemType#MANAGER_UNAVAILABLE}) when this manager has not caught up within
     *     {@code timeoutMillis}: the change was not made
     */
    @Override
    public void awaitCurrent(long timeoutMillis) {
        refuseWhenClosed();
        long started = System.nanoTime();
        long target;
        DivisionInfo info = info();
        if (info.isLeader()) {
            target = committedIndex();
        } else {
            RaftPeerId leader = liveLeader(info);
            if (leader == null) {
                return;
            }
            target = leaderApplied(leader, Math.min(timeoutMillis, READ_INDEX_MILLIS));
            if (target < 0) {
                target = committedIndex();
            }
        }
        if (stateMachine.appliedIndex() >= target) {
            return;
        }
        long left = timeoutMillis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        try {
            if (left > 0 && stateMachine.awaitApplied(target, left)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new Problem(
                ProblemType.MANAGER_UNAVAILABLE,
                "This manager (" + self + ") is catching up with the managers' leader: it has applied log entry "
                        + stateMachine.appliedIndex() + " of " + target + " (it restarted or fell behind). The change "
                        + "was not made; try it again in a few seconds, or through another manager (mipfed manager ls "
                        + "shows which are ready).");
    }

    /**
     * Whether this manager applied, within {@code timeoutMillis}, every entry the leader had applied when asked: as
     * {@link #awaitCurrent}, but false rather than not waiting when the group has no leader or the leader does not
     * answer (what must run on current state or not at all).
     */
    public boolean caughtUp(long timeoutMillis) {
        long started = System.nanoTime();
        DivisionInfo info = info();
        long target;
        if (info.isLeader()) {
            target = committedIndex();
        } else {
            RaftPeerId leader = liveLeader(info);
            if (leader == null) {
                return false;
            }
            target = leaderApplied(leader, Math.min(timeoutMillis, READ_INDEX_MILLIS));
            if (target < 0) {
                return false;
            }
        }
        long left = timeoutMillis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        try {
            return stateMachine.appliedIndex() >= target || (left > 0 && stateMachine.awaitApplied(target, left));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The leader this follower heard from within {@link #LEADER_SILENCE_MILLIS}; null while it has none. */
    private static RaftPeerId liveLeader(DivisionInfo info) {
        RaftPeerId leader = info.getLeaderId();
        if (leader == null || leader.toString().isEmpty()) {
            return null;
        }
        RoleInfoProto role = info.getRoleInfoProto();
        if (role.getRole() == RaftPeerRole.FOLLOWER
                && role.getFollowerInfo().hasLeaderInfo()
                && role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs() > LEADER_SILENCE_MILLIS) {
            return null; // it died or is cut off: asking it would only wait; the write that follows answers 503
        }
        return leader;
    }

    /** A leader not heard from for this long (its heartbeats come every 0.5 s) is not asked for a read index. */
    static final long LEADER_SILENCE_MILLIS = 1_500;

    private void refuseWhenClosed() {
        if (closed) {
            throw new Problem(
                    ProblemType.MANAGER_UNAVAILABLE,
                    "This manager (" + self + ") is stopping: the change was not made. Send it through another "
                            + "manager (mipfed manager ls lists them).");
        }
    }

    /** The last log index this manager knows committed. */
    private long committedIndex() {
        try {
            return server.getDivision(groupId).getRaftLog().getLastCommittedIndex();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The leader's applied index (every write it acknowledged is at or below it), or -1 when it did not say. */
    private long leaderApplied(RaftPeerId leader, long timeoutMillis) {
        CompletableFuture<RaftClientReply> asked;
        try {
            // a blocking read on a thread of its own, as the digest questions (see withDigests)
            asked = CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return queries.io()
                                    .sendReadOnly(Message.valueOf(ManagerStateMachine.APPLIED_QUERY), leader);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    },
                    QUERY_THREADS);
        } catch (RuntimeException e) {
            return -1; // every question thread busy
        }
        try {
            RaftClientReply reply = asked.get(timeoutMillis, TimeUnit.MILLISECONDS);
            return reply.isSuccess()
                    ? Long.parseLong(
                            reply.getMessage().getContent().toStringUtf8().trim())
                    : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            asked.cancel(true);
            LOG.debug("the leader {} did not say how far it applied: {}", leader, e.getMessage());
            return -1;
        }
    }

    private List<ManagerStatus> managersSeenLocally() {
        try {
            RaftServer.Division division = server.getDivision(groupId);
            return statuses(info().getRoleInfoProto(), division.getCommitInfos(), division.getGroup());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<ManagerStatus> statuses(
            RoleInfoProto role, java.util.Collection<CommitInfoProto> commits, RaftGroup group) {
        return view(role, commits, group).managers();
    }

    /**
     * The managers as one of them sees them, and the leader's commit index as it knows it (-1: no leader known): a
     * manager is {@code ready} once it applied up to it.
     */
    private record View(List<ManagerStatus> managers, long leaderCommit) {}

    private View view(RoleInfoProto role, java.util.Collection<CommitInfoProto> commits, RaftGroup group) {
        RaftPeerId answering = RaftPeerId.valueOf(role.getSelf().getId());
        Map<RaftPeerId, Long> committed = commits.stream()
                .collect(Collectors.toMap(
                        c -> RaftPeerId.valueOf(c.getServer().getId()), CommitInfoProto::getCommitIndex, Math::max));
        long top = committed.values().stream().mapToLong(Long::longValue).max().orElse(0);
        RaftPeerId leader = null;
        Map<RaftPeerId, Long> silence = new java.util.HashMap<>();
        if (role.getRole() == RaftPeerRole.LEADER) {
            leader = answering;
            for (ServerRpcProto follower : role.getLeaderInfo().getFollowerInfoList()) {
                silence.put(RaftPeerId.valueOf(follower.getId().getId()), follower.getLastRpcElapsedTimeMs());
            }
        } else if (role.getRole() == RaftPeerRole.FOLLOWER
                && role.getFollowerInfo().hasLeaderInfo()
                // a follower that lost its leader reports one with an empty id
                && !role.getFollowerInfo().getLeaderInfo().getId().getId().isEmpty()) {
            ServerRpcProto leaderRpc = role.getFollowerInfo().getLeaderInfo();
            leader = RaftPeerId.valueOf(leaderRpc.getId().getId());
            silence.put(leader, leaderRpc.getLastRpcElapsedTimeMs());
        }
        List<ManagerStatus> out = new ArrayList<>();
        for (RaftPeer peer : group.getPeers()) {
            RaftPeerId id = peer.getId();
            boolean ready;
            if (id.equals(answering)) {
                ready = true;
            } else if (silence.containsKey(id)) {
                ready = silence.get(id) < DOWN_AFTER_MILLIS;
            } else {
                ready = false;
            }
            long lag = Math.max(0, top - committed.getOrDefault(id, 0L));
            out.add(new ManagerStatus(
                    id.toString(),
                    id.equals(self) && advertised != null ? advertised : peer.getAddress(),
                    peer.getAddress(),
                    id.equals(leader) ? "leader" : "follower",
                    ready ? "ready" : "down",
                    lag,
                    id.equals(self)));
        }
        out.sort(java.util.Comparator.comparing(ManagerStatus::id));
        return new View(out, leader == null ? -1 : committed.getOrDefault(leader, -1L));
    }

    private DivisionInfo info() {
        try {
            return server.getDivision(groupId).getInfo();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code host:port} other managers reach this manager's Raft at: its Raft host and the port it listens on. */
    public String reachableRaftAddress() {
        return member.raftHost() + ":" + raftAddress().getPort();
    }

    /** This manager's Raft host and port as listened on now (what {@code member.json} should keep once others dial it). */
    public ManagerMember listening() {
        return new ManagerMember(
                member.id(), member.address(), member.raftHost(), raftAddress().getPort());
    }

    /**
     * Adds a manager to the group (on the leader): a configuration change committed by a majority of the new group,
     * after Ratis brought the new member up to date. The new member must be running ({@link #startJoining}).
     * Adding a member that is one already changes nothing.
     *
     * @param timeoutMillis how long the new member may take to catch up and the change to commit
     * @throws Problem 409 when this manager is not the leader (it says which one is), 503 when no majority commits
     */
    public void addMember(String id, String raftAddress, long timeoutMillis) {
        requireNonNull(id, "id is null");
        requireNonNull(raftAddress, "raftAddress is null");
        new ManagerMember(id, "-", "-", 0); // checks the id's shape
        RaftGroup group = group();
        if (group.getPeers().stream().anyMatch(p -> p.getId().toString().equals(id))) {
            return;
        }
        List<RaftPeer> peers = new ArrayList<>(reachablePeers(group));
        peers.add(RaftPeer.newBuilder()
                .setId(id)
                .setAddress(raftAddress)
                .setAdminAddress(raftAddress)
                .setClientAddress(raftAddress)
                .build());
        changeConfiguration(peers, timeoutMillis, "add manager " + id);
        LOG.info("manager {} (Raft {}) joined the managers' group, now {} managers", id, raftAddress, peers.size());
    }

    /**
     * Removes a manager from the group's voting members (on the leader). Removing one that is no member changes
     * nothing; the last member cannot be removed.
     *
     * @throws Problem 409 when this manager is not the leader or {@code id} is the only member
     */
    public void removeMember(String id, long timeoutMillis) {
        requireNonNull(id, "id is null");
        RaftGroup group = group();
        if (group.getPeers().stream().noneMatch(p -> p.getId().toString().equals(id))) {
            return;
        }
        List<RaftPeer> peers = reachablePeers(group).stream()
                .filter(p -> !p.getId().toString().equals(id))
                .toList();
        if (peers.isEmpty()) {
            throw new Problem(
                    ProblemType.CONFLICT,
                    "Manager " + id + " is the only manager of the federation; a federation needs one. Add another "
                            + "manager first (mipfed join-token manager, then mipfed manager join on the new machine).");
        }
        if (!info().isLeader()) {
            changeConfiguration(peers, timeoutMillis, "remove manager " + id); // refused, naming the leader
        }
        // out of the managers' list nodes follow first: the leaving manager, still a member, sees that it left
        for (int attempt = 0; attempt < 10; attempt++) {
            StateLog.Versioned now = read();
            if (now.state() == null
                    || now.state().managers().stream().noneMatch(m -> m.id().equals(id))
                    || change(
                            now.version(),
                            now.state()
                                    .withManagers(now.state().managers().stream()
                                            .filter(m -> !m.id().equals(id))
                                            .toList()))) {
                break;
            }
        }
        changeConfiguration(peers, timeoutMillis, "remove manager " + id);
        LOG.info("manager {} left the managers' group, now {} managers", id, peers.size());
    }

    private RaftGroup group() {
        try {
            return server.getDivision(groupId).getGroup();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The group's peers, this manager at the address others reach it (a group of one may have named no port). */
    private List<RaftPeer> reachablePeers(RaftGroup group) {
        String here = reachableRaftAddress();
        return group.getPeers().stream()
                .map(p -> p.getId().equals(self)
                        ? RaftPeer.newBuilder(p)
                                .setAddress(here)
                                .setAdminAddress(here)
                                .setClientAddress(here)
                                .build()
                        : p)
                .toList();
    }

    private void changeConfiguration(List<RaftPeer> peers, long timeoutMillis, String what) {
        DivisionInfo info = info();
        if (!info.isLeader()) {
            RaftPeerId leader = info.getLeaderId();
            throw new Problem(
                    ProblemType.CONFLICT,
                    "Only the managers' leader changes who the managers are, and this manager is not it"
                            + (leader == null ? " (the group has no leader now)" : " (the leader is " + leader + ")")
                            + "; send the request to the leader (mipfed manager ls shows it).");
        }
        RaftClientReply reply;
        try {
            reply = server.setConfigurationAsync(
                            new SetConfigurationRequest(localClient, self, groupId, calls.incrementAndGet(), peers))
                    .get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (IOException | ExecutionException e) {
            throw noQuorum("cannot " + what + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
        } catch (TimeoutException e) {
            throw noQuorum("cannot " + what + " within " + timeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw noQuorum("interrupted");
        }
        if (!reply.isSuccess()) {
            throw noQuorum("cannot " + what + ": "
                    + (reply.getException() != null ? reply.getException().getMessage() : "refused"));
        }
    }

    /** Waits until this manager holds the federation state and the CA (a joining one received them); returns whether. */
    public boolean awaitState(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            ReplicatedState now = state();
            if (now.federation() != null && now.ca() != null) {
                return true;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** Takes a snapshot now (tests, backups): returns its log index. */
    public long snapshot() {
        try {
            return client.getSnapshotManagementApi(self)
                    .create(WRITE_TIMEOUT_MILLIS)
                    .getLogIndex();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot take a snapshot of the managers' state: " + e.getMessage(), e);
        }
    }

    /**
     * Takes a snapshot now however few entries came since the last one (Ratis otherwise takes none within its creation
     * gap): returns its log index, or 0 when the request timed out (the snapshot may still be written).
     */
    long snapshotNow(long timeoutMillis) {
        try {
            return client.getSnapshotManagementApi(self)
                    .create(true, timeoutMillis)
                    .getLogIndex();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot take a snapshot of the managers' state: " + e.getMessage(), e);
        }
    }

    /** The last log index this manager applied (-1: none). */
    long appliedIndex() {
        return stateMachine.appliedIndex();
    }

    /** The log index of this manager's latest snapshot, or -1. */
    public long latestSnapshotIndex() {
        var latest = stateMachine.getLatestSnapshot();
        return latest == null ? -1 : latest.getIndex();
    }

    /** The first index still in this manager's log (grows as snapshots compact it). */
    public long logStartIndex() {
        try {
            return server.getDivision(groupId).getRaftLog().getStartIndex();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        // what is still in flight here ends now, as it would with the process: no write, no wait for the log
        closed = true;
        stateMachine.stop();
        try {
            queries.close();
        } catch (IOException e) {
            LOG.warn("closing the Raft query client: {}", e.getMessage());
        }
        try {
            client.close();
        } catch (IOException e) {
            LOG.warn("closing the Raft client: {}", e.getMessage());
        }
        closeQuietly(server);
        // closed here, not when Ratis closes the state machine: the chain file outlives a snapshot's installation
        stateMachine.auditChain().close();
    }

    private static void closeQuietly(RaftServer server) {
        try {
            server.close();
        } catch (IOException e) {
            LOG.warn("closing the Raft server: {}", e.getMessage());
        }
    }
}
