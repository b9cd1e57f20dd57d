package org.mipfed.manager;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
        requireNonNull(paths, "paths is null");
        if (exareme2 != null) {
            // before anything listens: a refused address starts nothing
            exareme2.checkPrivate();
        }
        requireNonNull(web, "web is null");
        FederationConfig config = FederationInit.config(paths);
        FederationCa ca = FederationCa.load(paths, config.advertiseAddr());
        // read strictly first: a hand edit with an error stops the start before anything listens
        FederationState files = StateStore.load(paths.state()).get();
        int grpcPort = grpcPortOverride != null ? grpcPortOverride : config.grpcPort();
        int httpPort = httpPortOverride != null ? httpPortOverride : config.httpPort();
        ManagerReplication replication = startReplication(paths, config, ca, files, grpcPort);
        StateStore store;
        try {
            store = StateStore.replicated(replication);
            shareCa(replication, ca);
        } catch (RuntimeException e) {
            replication.close();
            throw e;
        }
        UserStore users;
        try {
            importOlderFiles(paths, replication);
            users = UserStore.replicated(replication);
        } catch (RuntimeException e) {
            replication.close();
            throw e;
        }
        AuditTrail audit = AuditTrail.replicated(paths, config.federationId(), replication);
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
        ManagerDirectories directories = new ManagerDirectories(
                store,
                () -> new ManagerRecord(
                        replication.id(),
                        ManagerDirectories.hostPort(config.advertiseAddr(), boundGrpc.get()),
                        ManagerDirectories.hostPort(config.advertiseAddr(), boundHttp.get())));
        Server grpc = NettyServerBuilder.forAddress(new InetSocketAddress(grpcPort))
                .sslContext(ManagerTls.serverContext(ca))
                .addService(new JoinService(
                        ca::joinCa, tokens, registry, config.federationId(), config.nodeCertificateValidity()))
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
        tokens.joinAddress(config.advertiseAddr() + ":" + grpc.getPort());
        ExperimentStore experiments = ExperimentStore.replicated(paths.experiments(), replication);
        try {
            int interrupted = experiments.interruptUnfinished(
                    "The manager stopped (crash or restart) while this experiment was running; run it again.");
            if (interrupted > 0) {
                LOG.warn("{} experiment(s) were interrupted by the previous manager's stop", interrupted);
            }
        } catch (RuntimeException e) {
            // no majority yet: the leader ends them once it sees this manager's experiments orphaned, or next start
            LOG.warn("cannot interrupt this manager's unfinished experiments now: {}", e.getMessage());
        }
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
        directories.followChanges(registry);
        replication.advertise(config.advertiseAddr() + ":" + grpc.getPort());
        ManagerServer server =
                new ManagerServer(paths, config, grpc, api, registry, analyses, audit, metrics, replication);
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
        return server;
    }

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
            ManagerPaths paths, FederationConfig config, FederationCa ca, FederationState files, int grpcPort) {
        // a group of one: no other manager dials it, so Raft listens on any free loopback port (joining managers
        // will give it a fixed one)
        MemberFile member = MemberFile.readOrCreate(paths.raftDir(), config.advertiseAddr(), 0);
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

    @Override
    public void close() {
        timer.shutdownNow();
        if (exareme2 != null) {
            exareme2.close();
        }
        api.stop();
        try {
            Files.deleteIfExists(paths.httpServingCertificate());
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", paths.httpServingCertificate(), e.getMessage());
        }
        analyses.close();
        analyses.experiments().close();
        grpc.shutdownNow();
        try {
            grpc.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        audit.close();
        replication.close();
    }
}
