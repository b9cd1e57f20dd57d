package org.mipfed.manager;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.mipfed.algorithms.Algorithms;
import org.mipfed.core.json.Json;
import org.mipfed.core.security.Pem;
import org.mipfed.core.session.SessionProtocol;
import org.mipfed.manager.analysis.AnalysisService;
import org.mipfed.manager.analysis.DataCatalogue;
import org.mipfed.manager.api.ApiServices;
import org.mipfed.manager.api.CaAdministration;
import org.mipfed.manager.api.HttpTls;
import org.mipfed.manager.api.HttpTransport;
import org.mipfed.manager.api.RestApi;
import org.mipfed.manager.api.WebOptions;
import org.mipfed.manager.audit.AuditTrail;
import org.mipfed.manager.audit.PrivacyAlerts;
import org.mipfed.manager.ca.CaKeys;
import org.mipfed.manager.ca.FederationCa;
import org.mipfed.manager.exareme2.Exareme2Address;
import org.mipfed.manager.exareme2.Exareme2Listener;
import org.mipfed.manager.experiments.Experiment;
import org.mipfed.manager.experiments.ExperimentStore;
import org.mipfed.manager.join.JoinService;
import org.mipfed.manager.join.JoinTokens;
import org.mipfed.manager.join.ManagerJoinService;
import org.mipfed.manager.metrics.ManagerMetrics;
import org.mipfed.manager.registry.NodeRegistry;
import org.mipfed.manager.replication.ManagerReplication;
import org.mipfed.manager.replication.MemberFile;
import org.mipfed.manager.replication.RaftTls;
import org.mipfed.manager.replication.ReplicationSettings;
import org.mipfed.manager.replication.StateCommand;
import org.mipfed.manager.session.CaRotation;
import org.mipfed.manager.session.CertificateRenewals;
import org.mipfed.manager.session.ManagerDirectories;
import org.mipfed.manager.session.NodeSessionService;
import org.mipfed.manager.state.FederationConfig;
import org.mipfed.manager.state.FederationState;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.manager.state.ManagerRecord;
import org.mipfed.manager.state.StateStore;
import org.mipfed.manager.tls.ManagerTls;
import org.mipfed.manager.tls.PeerCertificateInterceptor;
import org.mipfed.manager.users.UserStore;
import org.mipfed.proto.v1.NodeSessionGrpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code mipfed manager start}: the node-facing gRPC server and the REST API, in one process. */
public final class ManagerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManagerServer.class);

    private final ManagerPaths paths;
    private final FederationConfig config;
    private final Server grpc;
    private final AuditTrail audit;
    private final RestApi api;
    private final NodeRegistry registry;
    private final AnalysisService analyses;
    private final ManagerMetrics metrics;
    private final ManagerReplication replication;
    private CaRotation rotation;
    private Exareme2Listener exareme2;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mipfed-liveness");
        t.setDaemon(true);
        return t;
    });

    private ManagerServer(
            ManagerPaths paths,
            FederationConfig config,
            Server grpc,
            RestApi api,
            NodeRegistry registry,
            AnalysisService analyses,
            AuditTrail audit,
            ManagerMetrics metrics,
            ManagerReplication replication) {
        this.replication = replication;
        this.analyses = analyses;
        this.metrics = metrics;
        this.audit = audit;
        this.paths = paths;
        this.config = config;
        this.grpc = grpc;
        this.api = api;
        this.registry = registry;
    }

    /** Starts a manager from its data directory; ports of 0 in the overrides pick free ones (tests). */
    public static ManagerServer start(ManagerPaths paths, Integer grpcPortOverride, Integer httpPortOverride) {
        return start(paths, grpcPortOverride, httpPortOverride, WebOptions.DEFAULT);
    }

    /**
     * Starts a manager whose HTTP port is served as {@code web} says (HTTPS, OpenID Connect sign-in). HTTPS unless
     * the HTTP address is loopback or {@code web} says {@code --insecure-http}, which is then warned about.
     */
    public static ManagerServer start(
            ManagerPaths paths, Integer grpcPortOverride, Integer httpPortOverride, WebOptions web) {
        return start(paths, grpcPortOverride, httpPortOverride, web, null);
    }

    /** As above, and with {@code exareme2} (null: none) Exareme2's controller API for the MIP portal-backend too. */
    public static ManagerServer start(
            ManagerPaths paths,
            Integer grpcPortOverride,
            Integer httpPortOverride,
            WebOptions web,
            Exareme2Address exareme2) {
        return start(paths, grpcPortOverride, httpPortOverride, web, exareme2, null);
    }

    /**
     * As above, its Raft server listening on {@code raftPortOverride} (null: the port of {@code D/raft/member.json};
     * a given port is kept there for the next starts).
     */
    public static ManagerServer start(
            ManagerPaths paths,
            Integer grpcPortOverride,
            Integer httpPortOverride,
            WebOptions web,
            Exareme2Address exareme2,
            Integer raftPortOverride) {
        return start(paths, grpcPortOverride, httpPortOverride, web, exareme2, raftPortOverride, null);
    }

    /**
     * How a joining manager is added to the managers' group once its Raft server listens: asks the leader, and
     * returns once the leader added it.
     */
    @FunctionalInterface
    public interface Admission {
        /**
         * @param memberId the joining manager's id in the group
         * @param raftAddress the {@code host:port} its Raft server listens on
         * @throws RuntimeException (a {@link org.mipfed.core.problem.Problem}) saying why it was not added
         */
        void add(String memberId, String raftAddress);
    }

    /**
     * Runs a manager that joins the managers' group ({@code mipfed manager join}), its data directory written by the
     * join (configuration, its key and manager certificate, the CA's certificate, {@code raft/member.json}): its Raft
     * server starts empty, {@code admission} has the leader add it, it receives the replicated state (the CA's key
     * among it) and then serves nodes and the REST API as every manager does. Later starts are plain
     * {@link #start}s.
     */
    public static ManagerServer join(ManagerPaths paths, WebOptions web, Admission admission) {
        requireNonNull(admission, "admission is null");
        return start(paths, null, null, web, null, null, admission);
    }

    private static ManagerServer start(
            ManagerPaths paths,
            Integer grpcPortOverride,
            Integer httpPortOverride,
            WebOptions web,
            Exareme2Address exareme2,
            Integer raftPortOverride,
            Admission joining) {
        requireNonNull(paths, "paths is null");
        Phases phases = new Phases();
        if (exareme2 != null) {
            // before anything listens: a refused address starts nothing
            exareme2.checkPrivate();
        }
        requireNonNull(web, "web is null");
        FederationConfig config = FederationInit.config(paths);
        int grpcPort = grpcPortOverride != null ? grpcPortOverride : config.grpcPort();
        int httpPort = httpPortOverride != null ? httpPortOverride : config.httpPort();
        FederationCa ca;
        ManagerReplication replication;
        CompletableFuture<SslContext> nodeTls;
        if (joining != null) {
            JoinedMember joined = joinReplication(paths, config, grpcPort, joining);
            ca = joined.ca();
            replication = joined.replication();
            nodeTls = CompletableFuture.completedFuture(ManagerTls.serverContext(ca));
        } else {
            ca = FederationCa.load(paths, config.advertiseAddr());
            // Raft's start (the log and the snapshot) runs on this thread; meanwhile another core builds the node
            // listener's TLS context (BoringSSL's native library is loaded then) and loads the REST API's classes
            nodeTls = warmUp(ca);
            // read strictly first: a hand edit with an error stops the start before anything listens
            FederationState files = StateStore.load(paths.state()).get();
            replication = startReplication(paths, config, ca, files, grpcPort, raftPortOverride);
        }
        phases.mark(joining != null ? "join and Raft start" : "CA, state file and Raft start with log replay");
        StateStore store;
        try {
            store = StateStore.replicated(replication);
            shareCa(replication, ca);
        } catch (RuntimeException e) {
            replication.close();
            throw e;
        }
        phases.mark("state and CA from the log");
        UserStore users;
        try {
            importOlderFiles(paths, replication);
            phases.mark("log applied, older files checked");
            users = UserStore.replicated(replication);
        } catch (RuntimeException e) {
            replication.close();
            throw e;
        }
        phases.mark("users");
        AuditTrail audit = AuditTrail.replicated(paths, config.federationId(), replication);
        phases.mark("audit trail");
        ManagerMetrics metrics = new ManagerMetrics();
        audit.observeAppends(metrics::auditAppend);
        NodeRegistry registry = new NodeRegistry(store, (node, dataModel, dataset, owner) -> {
            audit.record(
                    "node:" + node,
                    AuditTrail.DATASET_CONFLICT,
                    AuditTrail.REFUSED,
                    Json.mapper()
                            .createObjectNode()
                            .put("data_model", dataModel)
                            .put("dataset", dataset)
                            .put("owner", owner)
                            .put(
                                    "reason",
                                    "the dataset belongs to node " + owner
                                            + "; this node's copy is not used (an admin may move it)"));
            metrics.alerts("dataset_conflict").increment();
        });
        PrivacyAlerts alerts = new PrivacyAlerts(audit, metrics, registry::displayName);
        JoinTokens tokens = new JoinTokens(store, ca::digest);
        CertificateRenewals renewals = new CertificateRenewals(ca, registry, config.nodeCertificateValidity());
        CaRotation rotation = new CaRotation(ca, registry, renewals, tokens);
        // the HTTPS key and certificate are read first: a wrong file stops the start before anything listens
        boolean loopbackOnly = HttpTransport.loopbackOnly(config.httpHost());
        HttpTls tls = web.certificate() != null
                ? HttpTls.fromFiles(web.certificate(), web.key())
                : web.issuesCertificate(loopbackOnly)
                        ? HttpTls.issued(paths, ca.joinCa(), config.advertiseAddr())
                        : null;
        HttpTransport transport = new HttpTransport(config.httpHost(), loopbackOnly, tls != null, web.behindProxy());
        // this manager as nodes reach it, read when a session opens (the ports are bound by then)
        AtomicInteger boundGrpc = new AtomicInteger(grpcPort);
        AtomicInteger boundHttp = new AtomicInteger(httpPort);
        java.util.function.Supplier<ManagerRecord> selfRecord = () -> new ManagerRecord(
                replication.id(),
                ManagerDirectories.hostPort(config.advertiseAddr(), boundGrpc.get()),
                ManagerDirectories.hostPort(config.advertiseAddr(), boundHttp.get()));
        ManagerDirectories directories = new ManagerDirectories(store, selfRecord);
        SslContext nodeContext = join(nodeTls);
        phases.mark("registry, HTTPS identity, node TLS context (built while Raft started)");
        Server grpc = NettyServerBuilder.forAddress(new InetSocketAddress(grpcPort))
                .sslContext(nodeContext)
                .addService(new JoinService(
                        ca::joinCa, tokens, registry, config.federationId(), config.nodeCertificateValidity()))
                .addService(new ManagerJoinService(
                        ca::joinCa,
                        tokens,
                        config.federationId(),
                        config.nodeCertificateValidity(),
                        replication,
                        store,
                        selfRecord,
                        () -> keepRaftPort(paths, replication)))
                .addService(ServerInterceptors.intercept(
                        new NodeSessionService(
                                registry, config.federationId(), renewals, alerts::raised, directories::current),
                        new PeerCertificateInterceptor()))
                // the session contract the nodes' SessionClient keeps too
                .permitKeepAliveTime(SessionProtocol.PERMIT_KEEPALIVE_TIME.toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveWithoutCalls(true)
                .keepAliveTime(SessionProtocol.KEEPALIVE_TIME.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(SessionProtocol.KEEPALIVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .maxInboundMessageSize(SessionProtocol.MAX_MESSAGE_BYTES)
                // a node session's messages are handled on the connection's own transport thread (SessionEvents
                // hands the slower ones on): an answer or a heartbeat is not worth a thread's wake-up each
                .callExecutor(new ServerCallExecutorSupplier() {
                    @Override
                    public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata metadata) {
                        return call.getMethodDescriptor()
                                        .getFullMethodName()
                                        .equals(NodeSessionGrpc.getOpenMethod().getFullMethodName())
                                ? Runnable::run
                                : null;
                    }
                })
                .build();
        try {
            grpc.start();
            boundGrpc.set(grpc.getPort());
        } catch (IOException e) {
            audit.close();
            replication.close();
            throw new UncheckedIOException(
                    "Cannot listen for nodes on port " + grpcPort + ": " + e.getMessage()
                            + ". Is another manager running? Choose another port with --grpc-port.",
                    e);
        }
        phases.mark("node listener");
        tokens.joinAddress(config.advertiseAddr() + ":" + grpc.getPort());
        ExperimentStore experiments = ExperimentStore.replicated(paths.experiments(), replication);
        // what its previous process left running ends before the REST API answers (a group of one at once, a member
        // of a group once it has caught up with the leader); otherwise the check every second ends it
        try {
            if (replication.caughtUp(ManagerReplication.READ_INDEX_MILLIS)) {
                interruptAbandoned(experiments);
            }
        } catch (RuntimeException e) {
            LOG.info(
                    "this manager's experiments left unfinished by its previous process end later: {}", e.getMessage());
        }
        phases.mark("experiments");
        AnalysisService analyses =
                new AnalysisService(registry, new DataCatalogue(registry), experiments, Algorithms.standard(), metrics);
        observe(metrics, registry, experiments, ca, tls);
        CaAdministration caAdministration = new CaAdministration() {
            @Override
            public JsonNode status() {
                return rotation.status();
            }

            @Override
            public JsonNode rotate() {
                JsonNode status = rotation.start();
                publishCa(replication, ca);
                return status;
            }

            @Override
            public JsonNode finish() {
                JsonNode status = rotation.finish();
                publishCa(replication, ca);
                return status;
            }
        };
        RestApi api = new RestApi(
                new ApiServices(
                        analyses,
                        registry,
                        tokens,
                        role -> tokens.rotate(role, ca.joinCa().certificate()),
                        caAdministration,
                        users,
                        FederationInit.adminToken(paths),
                        web.oidc(),
                        audit,
                        alerts,
                        metrics,
                        replication),
                transport,
                tls);
        phases.mark("REST API's services");
        try {
            Files.deleteIfExists(paths.httpServingCertificate());
            api.start(httpPort);
            boundHttp.set(api.port());
            if (tls != null) {
                Pem.writeCertificate(paths.httpServingCertificate(), tls.chain().get(0));
            }
        } catch (IOException e) {
            grpc.shutdownNow();
            replication.close();
            throw new UncheckedIOException("Cannot write " + paths.httpServingCertificate() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            grpc.shutdownNow();
            audit.close();
            replication.close();
            throw new IllegalStateException(
                    "Cannot serve the REST API on port " + httpPort + ": " + e.getMessage()
                            + ". Is another manager running? Choose another port with --http-port.",
                    e);
        }
        phases.mark("REST API");
        directories.followChanges(registry);
        replication.advertise(config.advertiseAddr() + ":" + grpc.getPort());
        ManagerServer server =
                new ManagerServer(paths, config, grpc, api, registry, analyses, audit, metrics, replication);
        try {
            listSelf(replication, store, selfRecord.get());
        } catch (RuntimeException e) {
            // no majority yet: the check below tries again every second
            LOG.warn("cannot put this manager into the managers' list nodes follow now: {}", e.getMessage());
        }
        server.timer.scheduleWithFixedDelay(
                () -> {
                    try {
                        server.followMembership(store, selfRecord.get(), directories);
                    } catch (RuntimeException e) {
                        LOG.warn("checking this manager's place among the managers failed: {}", e.getMessage());
                    }
                },
                1,
                1,
                TimeUnit.SECONDS);
        server.rotation = rotation;
        if (exareme2 != null) {
            try {
                server.exareme2 = Exareme2Listener.start(exareme2, analyses, registry, audit);
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
        }
        long check = SessionProtocol.SILENCE_CHECK.toMillis();
        server.timer.scheduleWithFixedDelay(
                () -> registry.reapSilent(SessionProtocol.SILENCE), check, check, TimeUnit.MILLISECONDS);
        server.timer.scheduleWithFixedDelay(
                () -> {
                    try {
                        interruptOrphans(replication, experiments);
                    } catch (RuntimeException e) {
                        LOG.warn("ending the experiments of managers that are down failed: {}", e.getMessage());
                    }
                    try {
                        interruptAbandoned(experiments);
                    } catch (RuntimeException e) {
                        LOG.warn("ending this manager's abandoned experiments failed: {}", e.getMessage());
                    }
                },
                1,
                1,
                TimeUnit.SECONDS);
        server.timer.scheduleWithFixedDelay(
                () -> {
                    try {
                        registry.reapExpired();
                        // the leader finishes a rotation for the group; the others follow it through the log
                        if (replication.isLeader()) {
                            rotation.finishIfAllMoved();
                            publishCa(replication, ca);
                        }
                    } catch (RuntimeException e) {
                        LOG.error("checking certificates and the CA rotation failed", e);
                    }
                },
                1,
                1,
                TimeUnit.SECONDS);
        LOG.info(
                "manager of federation {} listening: nodes on {} (mutual TLS), REST API on {}://{}:{}",
                config.federationId(),
                grpc.getPort(),
                tls != null ? "https" : "http",
                config.httpHost(),
                api.port());
        if (transport.insecure()) {
            LOG.warn(transport.warning());
        }
        phases.mark("timers");
        LOG.info(
                "manager started in {} ms ({}); its JVM had run {} ms before",
                phases.totalMillis(),
                phases,
                java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() - phases.totalMillis());
        return server;
    }

    private record JoinedMember(ManagerReplication replication, FederationCa ca) {}

    /**
     * Starts, on a thread of its own, what the start needs after Raft's and does not depend on it: the node
     * listener's TLS context (its key and trust managers read the CA at each handshake, so it may be built this early)
     * and the REST API's classes. Returns the TLS context to come.
     */
    private static CompletableFuture<SslContext> warmUp(FederationCa ca) {
        CompletableFuture<SslContext> nodeTls = new CompletableFuture<>();
        Thread t = new Thread(
                () -> {
                    try {
                        nodeTls.complete(ManagerTls.serverContext(ca));
                    } catch (RuntimeException | Error e) {
                        nodeTls.completeExceptionally(e);
                    }
                    RestApi.loadClasses();
                },
                "mipfed-start-warm-up");
        t.setDaemon(true);
        t.start();
        return nodeTls;
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** How long a joining manager waits for the replicated state once the leader added it. */
    private static final long JOIN_STATE_TIMEOUT_MILLIS = 120_000;

    /**
     * The Raft member of a joining manager: started empty with the identity its join wrote, added by the leader
     * ({@code admission}), then holding the replicated state, from which the CA's key goes into {@code D/ca/}.
     */
    private static JoinedMember joinReplication(
            ManagerPaths paths, FederationConfig config, int grpcPort, Admission admission) {
        MemberFile member = MemberFile.read(paths.raftDir());
        X509Certificate caCertificate =
                Pem.readCertificate(paths.caDir().resolve(org.mipfed.manager.ca.CertificateAuthority.CERTIFICATE_FILE));
        FederationCa.Identity written = new FederationCa.Identity(
                Pem.readPrivateKey(paths.tlsKey()),
                List.of(Pem.readCertificate(paths.tlsCertificate()), caCertificate));
        AtomicReference<FederationCa> loaded = new AtomicReference<>();
        ManagerReplication replication = ManagerReplication.startJoining(
                paths.raftDir().resolve("log"),
                paths.state(),
                config.federationId(),
                ManagerReplication.groupToJoin(paths.raftDir(), config.federationId()),
                member.member(ManagerDirectories.hostPort(config.advertiseAddr(), grpcPort)),
                RaftTls.config(
                        () -> loaded.get() == null ? written : loaded.get().identity(),
                        () -> loaded.get() == null
                                ? List.of(caCertificate)
                                : loaded.get().trusted(),
                        config.federationId()),
                ReplicationSettings.DEFAULT);
        try {
            // a port of 0 was any free one: keep the one it got, where the group will dial it from now on
            int port = replication.raftAddress().getPort();
            if (member.raftPort() != port) {
                new MemberFile(member.id(), member.raftHost(), port).write(paths.raftDir());
            }
            admission.add(replication.id(), replication.reachableRaftAddress());
            if (!replication.awaitState(JOIN_STATE_TIMEOUT_MILLIS)) {
                throw new IllegalStateException("The managers' group added this manager but it did not receive the "
                        + "federation's state within " + JOIN_STATE_TIMEOUT_MILLIS / 1000
                        + " s; see the leader's log.");
            }
            replication.awaitCommittedApplied(ReplicationSettings.START_TIMEOUT_MILLIS_DEFAULT);
            if (!Files.exists(paths.state())) {
                StateStore.create(paths.state(), replication.state().federation());
            }
            FederationCa ca = FederationCa.joined(
                    paths, config.advertiseAddr(), replication.state().ca());
            loaded.set(ca);
            LOG.info("joined the managers' group as {}: {} managers", replication.id(), replication.groupSize());
            return new JoinedMember(replication, ca);
        } catch (RuntimeException e) {
            replication.close();
            throw e;
        }
    }

    /** A group of one that listened on any free port keeps that port once other managers dial it. */
    private static void keepRaftPort(ManagerPaths paths, ManagerReplication replication) {
        MemberFile member = MemberFile.read(paths.raftDir());
        int port = replication.raftAddress().getPort();
        if (member.raftPort() != port) {
            new MemberFile(member.id(), member.raftHost(), port).write(paths.raftDir());
            LOG.info("the managers' Raft port {} is kept in {} for the next starts", port, paths.raftDir());
        }
    }

    /**
     * Puts this manager into the managers' list nodes follow (or its current addresses) when it is one of several
     * managers of the group; a group of one keeps its list as it is (empty: nodes know the manager they joined).
     */
    private static void listSelf(ManagerReplication replication, StateStore store, ManagerRecord self) {
        FederationState now = store.get();
        if (replication.groupSize() == 1
                || !replication.isMember()
                || now.managers().contains(self)) {
            return;
        }
        store.update(
                s -> s.managers().contains(self) ? s : s.withManagers(ManagerJoinService.replaced(s.managers(), self)));
    }

    private volatile boolean listedOnce;
    private final java.util.concurrent.atomic.AtomicBoolean left = new java.util.concurrent.atomic.AtomicBoolean();
    private final List<java.util.function.Consumer<String>> leftListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Calls {@code listener} once, with the reason, when this manager leaves the managers' group (an admin demoted or
     * removed it): it serves nothing from then on and the command that runs it stops.
     */
    public void onLeft(java.util.function.Consumer<String> listener) {
        leftListeners.add(requireNonNull(listener, "listener is null"));
    }

    /** Every second: this manager's entry in the managers' list, the list sent to nodes, and whether it left. */
    private void followMembership(StateStore store, ManagerRecord self, ManagerDirectories directories) {
        directories.resendIfChanged(registry);
        FederationState now = store.get();
        boolean listed = now.managers().stream().anyMatch(m -> m.id().equals(self.id()));
        listedOnce |= listed;
        boolean member = replication.isMember();
        boolean unlisted = listedOnce && !listed && !now.managers().isEmpty();
        if (unlisted && leavingSince == 0) {
            leavingSince = System.nanoTime();
        }
        // out of the list first, out of the group's configuration next: wait for that (the change may need this
        // manager's vote, a group of two), or at most LEAVE_GRACE
        if (!member || unlisted && System.nanoTime() - leavingSince > LEAVE_GRACE.toNanos()) {
            String why = "this manager (" + replication.id() + ") is no longer one of the federation's managers: an "
                    + "admin demoted or removed it (mipfed manager demote/rm). It stops serving nodes and the REST "
                    + "API; its data directory stays. To make this machine a manager again, join it with a new data "
                    + "directory (mipfed join-token manager, then mipfed manager join).";
            if (left.compareAndSet(false, true)) {
                LOG.warn(why);
                for (java.util.function.Consumer<String> listener : leftListeners) {
                    listener.accept(why);
                }
            }
            return;
        }
        if (!unlisted) {
            listSelf(replication, store, self);
        }
    }

    /** How long a manager taken out of the managers' list waits to be out of the group's configuration too. */
    private static final java.time.Duration LEAVE_GRACE = java.time.Duration.ofSeconds(15);

    private volatile long leavingSince;

    /** The gauges read at each scrape: nodes by state, experiments by status, certificates' time left. */
    private static void observe(
            ManagerMetrics metrics, NodeRegistry registry, ExperimentStore experiments, FederationCa ca, HttpTls tls) {
        metrics.nodes(() -> registry.views().stream()
                .map(v -> new ManagerMetrics.NodeState(
                        v.alias() == null || v.alias().isEmpty() ? v.id() : v.alias(), v.status(), v.availability()))
                .toList());
        metrics.experiments(() -> experiments.list().stream()
                .collect(Collectors.groupingBy(Experiment::status, TreeMap::new, Collectors.counting())));
        metrics.certificateExpiry(
                "manager", () -> ca.identity().chain().get(0).getNotAfter().toInstant());
        metrics.certificateExpiry(
                "ca", () -> ca.joinCa().certificate().getNotAfter().toInstant());
        if (tls != null) {
            metrics.certificateExpiry(
                    "https", () -> tls.chain().get(0).getNotAfter().toInstant());
        }
    }

    /**
     * Starts this manager's member of the managers' Raft group. A data directory that has no Raft log yet (made by
     * an older version, or restored from a backup) becomes a group of one holding its files; a group of one whose
     * state file was changed while it was stopped takes the file's state into the log, once.
     */
    private static ManagerReplication startReplication(
            ManagerPaths paths,
            FederationConfig config,
            FederationCa ca,
            FederationState files,
            int grpcPort,
            Integer raftPortOverride) {
        // without --raft-port (init writes one into member.json) a group of one listens on any free loopback port,
        // and keeps the port it got once another manager joins
        MemberFile member = MemberFile.readOrCreate(
                paths.raftDir(), config.advertiseAddr(), raftPortOverride == null ? 0 : raftPortOverride);
        if (raftPortOverride != null && member.raftPort() != raftPortOverride) {
            member = new MemberFile(member.id(), member.raftHost(), raftPortOverride);
            member.write(paths.raftDir());
        }
        ManagerReplication replication = ManagerReplication.start(
                paths.raftDir().resolve("log"),
                paths.state(),
                config.federationId(),
                member.member(config.advertiseAddr() + ":" + grpcPort),
                RaftTls.config(ca, config.federationId()),
                ReplicationSettings.DEFAULT);
        try {
            FederationState replicated = replication.state().federation();
            if (replication.groupSize() == 1 && !files.equals(replicated)) {
                if (replicated != null) {
                    LOG.warn(
                            "{} was changed while the manager was stopped: its state goes into the log", paths.state());
                }
                replication.submit(new StateCommand.ImportFiles(files));
            }
            return replication;
        } catch (RuntimeException e) {
            replication.close();
            throw e;
        }
    }

    /**
     * The CA goes through the log: a group of one puts its files' CA (at its first start, or after its files changed
     * while it was stopped); a member of a larger group takes the group's. From then on this manager follows every
     * CA the log sets (a rotation started or finished on another manager).
     */
    private static void shareCa(ManagerReplication replication, FederationCa ca) {
        replication.onCa(ca::adopt);
        CaKeys replicated = replication.state().ca();
        if (replicated == null || replication.groupSize() == 1 && !replicated.sameCas(ca.keys())) {
            replication.submit(new StateCommand.PutCa(ca.keys()));
        } else {
            ca.adopt(replicated);
        }
    }

    /** Puts this manager's CAs into the log when they changed here (a rotation started or finished on it). */
    private static void publishCa(ManagerReplication replication, FederationCa ca) {
        CaKeys mine = ca.keys();
        if (!mine.sameCas(replication.state().ca())) {
            replication.submit(new StateCommand.PutCa(mine));
        }
    }

    /**
     * Takes what a data directory kept in files before its users and experiments were replicated into the log: the
     * users ({@code users.json}, created with an admin when missing) when the log has none, or, for a group of one,
     * when the file was changed while the manager was stopped; and every experiment file the log does not know.
     */
    public static void importOlderFiles(ManagerPaths paths, ManagerReplication replication) {
        // a restart replays the log after its snapshot first: the files are then what the log says
        replication.awaitCommittedApplied(ReplicationSettings.START_TIMEOUT_MILLIS_DEFAULT);
        UserStore.openOrCreate(paths.users(), paths.adminPassword());
        UserStore.Content files = UserStore.readContent(paths.users());
        UserStore.Content replicated = replication.readUsers().content();
        if (replicated == null || (replication.groupSize() == 1 && !files.equals(replicated))) {
            if (replicated != null) {
                LOG.warn("{} was changed while the manager was stopped: its users go into the log", paths.users());
            }
            replication.submit(new StateCommand.ImportUsers(files));
        }
        if (replication.groupSize() == 1) {
            List<Experiment> unknown = ExperimentStore.readFiles(
                    paths.experiments(), replication.experiments().keySet());
            if (!unknown.isEmpty()) {
                LOG.info("{} experiment record(s) of {} go into the log", unknown.size(), paths.experiments());
                replication.importExperiments(unknown);
            }
        }
        // the chain starts (once) with this manager's audit.log: an older data directory's trail, or a restored one
        replication.importAudit();
    }

    /**
     * The leader sets the running experiments of managers that are down (not heard from for a few seconds) or gone
     * from the group to interrupted: analyses only read, so the researcher runs them again; none stays running.
     */
    public static void interruptOrphans(ManagerReplication replication, ExperimentStore experiments) {
        if (!replication.isLeader()) {
            return;
        }
        java.util.Set<String> gone = replication.managersGone();
        gone.remove(replication.id());
        if (gone.isEmpty()) {
            return;
        }
        int interrupted = experiments.interruptRunBy(
                gone,
                "The manager running this experiment (" + String.join(", ", new java.util.TreeSet<>(gone))
                        + ") stopped answering; run it again through any manager.");
        if (interrupted > 0) {
            LOG.warn("{} experiment(s) of manager(s) {} that are down were interrupted", interrupted, gone);
        }
    }

    /**
     * Every manager ends, once at its start (when caught up) and every second after, its own experiments that the log holds as pending or running
     * but that its process does not run: those its previous process left (a crash, kill -9, a restart; tried again
     * while there is no majority) and a submission answered with a 503 whose record was committed after all. Nobody
     * else would: the leader ends only the experiments of managers that are down. A restarted manager may send them
     * before it caught up with the leader: the state machine interrupts only what is still unfinished when the
     * command applies, so an end its previous process committed stays.
     */
    public static void interruptAbandoned(ExperimentStore experiments) {
        int interrupted = experiments.interruptAbandoned(ExperimentStore.STOPPED);
        if (interrupted > 0) {
            LOG.warn("{} experiment(s) of this manager that it does not run were interrupted", interrupted);
        }
    }

    public int grpcPort() {
        return grpc.getPort();
    }

    public int httpPort() {
        return api.port();
    }

    public FederationConfig config() {
        return config;
    }

    public RestApi api() {
        return api;
    }

    public NodeRegistry registry() {
        return registry;
    }

    /** The CA rotation ({@code mipfed manager ca}). */
    public CaRotation caRotation() {
        return rotation;
    }

    public ManagerMetrics metrics() {
        return metrics;
    }

    /** This manager's member of the managers' Raft group. */
    public ManagerReplication replication() {
        return replication;
    }

    public ManagerPaths paths() {
        return paths;
    }

    public void awaitTermination() throws InterruptedException {
        grpc.awaitTermination();
    }

    /** The port of Exareme2's API, or -1 without {@code --exareme2-api}. */
    public int exareme2Port() {
        return exareme2 == null ? -1 : exareme2.port();
    }

    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Phases phases = new Phases();
        timer.shutdownNow();
        if (exareme2 != null) {
            exareme2.close();
        }
        api.stop();
        phases.mark("REST API");
        try {
            Files.deleteIfExists(paths.httpServingCertificate());
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", paths.httpServingCertificate(), e.getMessage());
        }
        analyses.close();
        analyses.experiments().close();
        phases.mark("analyses");
        // first no new connection nor session (a node told to dial again would otherwise open its next session on
        // the connection it still has, here, before the listener closes); then every session ended in one pass,
        // none waited on, and the transports close on their event loops
        grpc.shutdown();
        int sessions = registry.closeAllForStop();
        grpc.shutdownNow();
        try {
            // nothing below needs the connections gone: the sessions are ended and forgotten, and what a node still
            // sends is dropped with its closed call. The 500-node restart measured 2.0-4.1 s here at a load of 60-77
            // (gRPC's transports closing on starved event loops); they finish closing on their own.
            grpc.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        phases.mark(sessions + " node session(s)");
        audit.close();
        phases.mark("audit trail");
        replication.close();
        phases.mark("Raft");
        LOG.info("manager stopped in {} ms ({})", phases.totalMillis(), phases);
    }

    /**
     * How long each step of a start or a stop took, logged at its end: a restart with hundreds of nodes is measured
     * by these lines ({@code mipfed bench --simulated-nodes}).
     */
    private static final class Phases {
        private final long start = System.nanoTime();
        private long last = start;
        private final StringBuilder text = new StringBuilder();

        void mark(String what) {
            long now = System.nanoTime();
            if (text.length() > 0) {
                text.append(", ");
            }
            text.append(what).append(' ').append((now - last) / 1_000_000).append(" ms");
            last = now;
        }

        long totalMillis() {
            return (System.nanoTime() - start) / 1_000_000;
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
