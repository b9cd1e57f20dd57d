package org.mipfed.node;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.mipfed.core.json.Json;
import org.mipfed.node.audit.AuditLog;
import org.mipfed.node.control.ControlServer;
import org.mipfed.node.importer.ImportMode;
import org.mipfed.node.metrics.MonitoringServer;
import org.mipfed.node.metrics.NodeMetrics;
import org.mipfed.node.primitive.PrimitiveExecutor;
import org.mipfed.node.privacy.PrivacyGuard;
import org.mipfed.node.session.CertificateRenewal;
import org.mipfed.node.session.ManagerLinks;
import org.mipfed.node.session.SessionClient;
import org.mipfed.node.smpc.SecureAggregationNode;
import org.mipfed.node.store.DataStore;
import org.mipfed.node.store.DataStores;
import org.mipfed.node.store.StoredDataModel;
import org.mipfed.node.tls.NodeCredentials;
import org.mipfed.proto.v1.CancelAnalysis;
import org.mipfed.proto.v1.NodeHello;
import org.mipfed.proto.v1.NodeMessage;
import org.mipfed.proto.v1.PrimitiveRequest;
import org.mipfed.proto.v1.PrimitiveResponse;
import org.mipfed.proto.v1.PrivacyAlert;
import org.mipfed.proto.v1.Refusal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code mipfed node run}: a hospital node. It opens its store, keeps a session to every manager of the
 * federation, answers primitives through its privacy guard and audit log (one guard, one refusal budget
 * and one audit log, whatever manager relays a request), and imports data handed to it on its local
 * control socket.
 */
public final class NodeAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
    public static final String VERSION = "0.1.0";

    private final NodePaths paths;
    private final NodeConfig config;
    private final DataStore store;
    private final PrimitiveExecutor executor;
    private final AuditLog audit;
    private final ExecutorService workers;
    private final ManagerLinks managers;
    private final ControlServer control;
    private final SecureAggregationNode smpc;
    private final NodeMetrics metrics = new NodeMetrics();
    private volatile boolean auditFailing;
    private MonitoringServer monitoring;
    private final ScheduledExecutorService checks;

    /**
     * How often attached sources are checked for a change when no analysis asks (system property
     * {@code mipfed.node.sourceCheckSeconds}, default 60): analyses check them anyway before they read.
     */
    static final Duration SOURCE_CHECK = Duration.ofSeconds(Long.getLong("mipfed.node.sourceCheckSeconds", 60));

    private NodeAgent(NodePaths paths) throws IOException {
        this.paths = requireNonNull(paths, "paths is null");
        this.config = NodeConfig.load(paths);
        this.store = DataStores.open(config.store(), paths.dataDir());
        this.audit = new AuditLog(paths.auditLog(), config.nodeId());
        audit.observeAppends((nanos, failed) -> {
            auditFailing = failed;
            metrics.auditAppend(nanos, failed);
        });
        this.executor = new PrimitiveExecutor(
                store, new PrivacyGuard(config.privacy(), paths.privacyHistory(), paths.privacyBudget()), audit);
        // More workers than cores: a request spends much of its time waiting for its audit line's fsync, and those
        // that wait together share one (group commit); the store's own pool bounds how many query at once.
        int threads = 4 * Math.max(2, Runtime.getRuntime().availableProcessors());
        this.workers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "mipfed-primitive");
            t.setDaemon(true);
            return t;
        });
        NodeCredentials credentials = NodeCredentials.load(paths.credentials());
        this.smpc = new SecureAggregationNode(
                config.nodeId(),
                credentials::current,
                id -> store.dataModel(id).map(StoredDataModel::model).orElse(null));
        // one renewal for every session: whichever manager answers first renews the node's certificate
        CertificateRenewal renewal = new CertificateRenewal(credentials, config.nodeId());
        this.managers = new ManagerLinks(
                config.managerList(),
                config.managersVersion(),
                (target, events) -> new SessionClient(
                        target,
                        // one object, its TLS context built once, until a renewal: each reconnection builds none
                        credentials::sessionCredentials,
                        this::hello,
                        new SessionClient.Answerer() {
                            @Override
                            public PrimitiveResponse answer(PrimitiveRequest request, String manager) {
                                return NodeAgent.this.answer(request, manager);
                            }

                            @Override
                            public int cancel(CancelAnalysis cancel, String manager) {
                                return executor.cancel(cancel.getAnalysisId(), cancel.getRequester(), manager);
                            }
                        },
                        workers,
                        renewal,
                        events),
                (list, version) -> NodeConfig.saveManagers(paths, list, version));
        this.executor.onAlert(alert -> managers.send(NodeMessage.newBuilder()
                .setAlert(PrivacyAlert.newBuilder()
                        .setRequester(alert.requester())
                        .setDataModel(alert.dataModel())
                        .setDataset(alert.dataset())
                        .putAllRefusalsByRule(alert.refusalsByRule())
                        .setWindowHours(alert.windowHours())
                        .setLockedUntilUnixMillis(alert.lockedUntil().toEpochMilli())
                        .setUnixMillis(alert.at().toEpochMilli()))
                .build()));
        this.control = ControlServer.start(paths.controlSocket(), this::control);
        metrics.sessionConnected(managers::anyConnected);
        metrics.certificateExpiry(
                "node", () -> credentials.current().certificate().getNotAfter().toInstant());
        // A change of an attached source's datasets or availability reaches the manager at once.
        executor.sources().onChange(managers::sendHello);
        this.checks = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mipfed-source-check");
            t.setDaemon(true);
            return t;
        });
        long every = SOURCE_CHECK.toMillis();
        checks.scheduleWithFixedDelay(this::checkSources, every, every, TimeUnit.MILLISECONDS);
    }

    private void checkSources() {
        try {
            executor.sources().refreshAll();
        } catch (RuntimeException e) {
            LOG.warn("checking the attached sources failed: {}", e.getMessage());
        }
    }

    public static NodeAgent start(NodePaths paths) {
        return start(paths, null);
    }

    /**
     * Starts the node; with {@code metricsAddress} (not null) it also serves {@code /metrics}, {@code /healthz} and
     * {@code /readyz} there ({@code --metrics-addr}).
     */
    public static NodeAgent start(NodePaths paths, InetSocketAddress metricsAddress) {
        try {
            NodeAgent agent = new NodeAgent(paths);
            if (metricsAddress != null) {
                try {
                    agent.monitoring = MonitoringServer.start(metricsAddress, agent.metrics::scrape, agent::ready);
                } catch (RuntimeException e) {
                    agent.close();
                    throw e;
                }
                LOG.info(
                        "metrics on http://{}:{}/metrics (and /healthz, /readyz)",
                        metricsAddress.getHostString(),
                        agent.monitoring.port());
            }
            agent.managers.start();
            LOG.info(
                    "node {} running: store {}, minimum rows {}, managers {}",
                    agent.config.nodeId(),
                    agent.config.store() == null
                            ? "DuckDB in " + paths.dataDir()
                            : agent.config.store().replaceAll("password=[^&]*", "password=***"),
                    agent.config.minRows(),
                    agent.managers.managers().stream().map(m -> m.address()).toList());
            return agent;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the node in " + paths.dataDir() + ": " + e.getMessage(), e);
        }
    }

    public NodeConfig config() {
        return config;
    }

    public NodeMetrics metrics() {
        return metrics;
    }

    /** The port of {@code /metrics}, or -1 when the node serves none. */
    public int metricsPort() {
        return monitoring == null ? -1 : monitoring.port();
    }

    /**
     * Whether the node can serve ({@code /readyz}): its store answers and its audit log takes lines (the log was
     * verified against its checkpoint when the node started, or it would not have started).
     */
    private boolean ready() {
        if (auditFailing) {
            return false;
        }
        return store.withConnection(c -> {
            try (Statement s = c.createStatement()) {
                return s.execute("SELECT 1");
            }
        });
    }

    /** Answers {@code request} with {@code compute}, counting its time, outcome and refusal rule in the metrics. */
    private PrimitiveResponse observed(
            PrimitiveRequest request, Function<PrimitiveRequest, PrimitiveResponse> compute) {
        long started = System.nanoTime();
        PrimitiveResponse response = compute.apply(request);
        String primitive = request.hasQuery() ? PrimitiveExecutor.primitive(request.getQuery()) : "smpc";
        boolean refused = response.hasRefusal();
        metrics.primitive(
                primitive,
                refused ? NodeMetrics.REFUSED : NodeMetrics.ANSWERED,
                Duration.ofNanos(System.nanoTime() - started));
        if (refused) {
            metrics.refusal(response.getRefusal().getRule());
        }
        return response;
    }

    private NodeHello hello() {
        return NodeHello.newBuilder()
                .setHostname(hostname())
                .setVersion(VERSION)
                .addAllDataModels(store.describe())
                .setPrivacy(config.privacy().toProto())
                .build();
    }

    /** Answers a request from the manager {@code manager} (its certificate's subject, for the audit log). */
    private PrimitiveResponse answer(PrimitiveRequest request, String manager) {
        try {
            if (request.hasSmpc()) {
                // the plain primitive inside a mask step is counted on its own; so is a refused step
                PrimitiveResponse response =
                        smpc.answer(request, plain -> observed(plain, p -> executor.answer(p, manager)));
                if (response.hasRefusal() && response.getRefusal().getRule().equals(SecureAggregationNode.RULE)) {
                    metrics.refusal(response.getRefusal().getRule());
                }
                return response;
            }
            return observed(request, r -> executor.answer(r, manager));
        } catch (RuntimeException e) {
            // The executor turns its own faults into refusals; this is the last guard for the session.
            LOG.error("primitive {} failed", request.getRequestId(), e);
            return PrimitiveResponse.newBuilder()
                    .setRequestId(request.getRequestId())
                    .setRefusal(Refusal.newBuilder()
                            .setRule("internal_error")
                            .setMessage("internal error on the node: "
                                    + e.getClass().getSimpleName() + " (details in the node's log)")
                            .setCallerError(false))
                    .build();
        }
    }

    private void control(JsonNode request, BiConsumer<String, ObjectNode> sink) {
        if ("status".equals(request.path("op").asText())) {
            sink.accept("status", status());
            return;
        }
        if ("unlock".equals(request.path("op").asText())) {
            // The operator lifts a requester's lockouts (and forgets their refusals): their decision, in the audit log.
            String requester = request.path("requester").asText();
            executor.unlock(requester);
            sink.accept("unlocked", Json.mapper().createObjectNode().put("requester", requester));
            return;
        }
        String op = request.path("op").asText();
        if (op.equals("attach") || op.equals("detach") || op.equals("ls")) {
            attachments(op, request, sink);
            return;
        }
        if (!"import".equals(op)) {
            sink.accept(
                    "error",
                    Json.mapper().createObjectNode().put("message", "unknown control operation " + request.path("op")));
            return;
        }
        ImportMode mode;
        try {
            mode = ImportMode.fromWire(request.path("mode").asText(null));
        } catch (IllegalArgumentException e) {
            sink.accept("error", Json.mapper().createObjectNode().put("message", e.getMessage()));
            return;
        }
        List<Path> files = new ArrayList<>();
        request.path("files").forEach(f -> files.add(Path.of(f.asText())));
        boolean ok = NodeImports.run(store, Path.of(request.path("data_model").asText()), files, mode, sink);
        if (ok) {
            executor.dataChanged();
            managers.sendHello();
        }
    }

    /**
     * The node's state, for {@code mipfed node status} and for what {@code mipfed doctor} asks a running node (its
     * store is locked by it): the sessions to its managers, the clock difference with them, and the store's data
     * models and datasets (names only).
     */
    public ObjectNode status() {
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("node_id", config.nodeId());
        out.put("federation_id", config.federationId());
        out.put("managers_version", managers.version());
        out.put("session_connected", managers.anyConnected());
        managers.clockOffsetMillis().ifPresent(offset -> out.put("clock_offset_ms", offset));
        var list = out.putArray("managers");
        for (ManagerLinks.Link link : managers.links()) {
            SessionClient.LinkStatus s = link.status();
            ObjectNode m = list.addObject();
            m.put("id", link.manager().id());
            m.put("address", link.manager().address());
            m.put("state", s.state().name().toLowerCase(java.util.Locale.ROOT));
            m.put("since", s.since().toString());
            m.put("failures", s.failures());
            m.put("last_error", s.lastError());
            m.put("certificate", s.manager());
        }
        try {
            ObjectNode models = out.putObject("data_models");
            for (StoredDataModel m : store.dataModels()) {
                var datasets = models.putArray(m.id());
                m.datasets().forEach(d -> datasets.add(d.code()));
            }
            out.put("store_ok", ready());
        } catch (RuntimeException e) {
            out.put("store_ok", false).put("store_error", String.valueOf(e.getMessage()));
        }
        out.put("audit_failing", auditFailing);
        return out;
    }

    /** The node's sessions to its managers. */
    public List<ManagerLinks.Link> links() {
        return managers.links();
    }

    private void attachments(String op, JsonNode request, BiConsumer<String, ObjectNode> sink) {
        try {
            switch (op) {
                case "attach" ->
                    sink.accept(
                            "attached",
                            NodeAttachments.attach(
                                    store, executor.sources(), NodeAttachments.Request.fromJson(request)));
                case "detach" -> {
                    String model = request.path("data_model").asText();
                    sink.accept(
                            "detached",
                            Json.mapper()
                                    .createObjectNode()
                                    .put("data_model", model)
                                    .put("detached", executor.sources().detach(model)));
                }
                default -> {
                    executor.sources().refreshAll();
                    ObjectNode list = Json.mapper().createObjectNode();
                    list.set("data_models", NodeAttachments.list(store));
                    sink.accept("list", list);
                }
            }
        } catch (RuntimeException e) {
            sink.accept("error", Json.mapper().createObjectNode().put("message", e.getMessage()));
        }
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public void close() {
        if (monitoring != null) {
            monitoring.close();
        }
        control.close();
        managers.close();
        checks.shutdownNow();
        workers.shutdownNow();
        try {
            store.close();
        } catch (Exception e) {
            LOG.warn("closing the store: {}", e.getMessage());
        }
    }
}
