package org.mipfed.node;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.mipfed.core.json.Json;
import org.mipfed.node.audit.AuditLog;
import org.mipfed.node.control.ControlServer;
import org.mipfed.node.importer.ImportMode;
import org.mipfed.node.primitive.PrimitiveExecutor;
import org.mipfed.node.privacy.PrivacyGuard;
import org.mipfed.node.session.CertificateRenewal;
import org.mipfed.node.session.SessionClient;
import org.mipfed.node.smpc.SecureAggregationNode;
import org.mipfed.node.store.DataStore;
import org.mipfed.node.store.DataStores;
import org.mipfed.node.store.StoredDataModel;
import org.mipfed.node.tls.NodeCredentials;
import org.mipfed.proto.v1.NodeHello;
import org.mipfed.proto.v1.NodeMessage;
import org.mipfed.proto.v1.PrimitiveRequest;
import org.mipfed.proto.v1.PrimitiveResponse;
import org.mipfed.proto.v1.PrivacyAlert;
import org.mipfed.proto.v1.Refusal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code mipfed node run}: a hospital node. It opens its store, keeps its session to the manager,
 * answers primitives through its privacy guard and audit log, and imports data handed to it on its
 * local control socket.
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
    private final SessionClient session;
    private final ControlServer control;
    private final SecureAggregationNode smpc;
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
        CertificateRenewal renewal = new CertificateRenewal(credentials, config.nodeId());
        this.session = new SessionClient(
                config.manager(),
                () -> credentials.current().channelCredentials(),
                this::hello,
                this::answer,
                workers,
                renewal);
        this.executor.onAlert(alert -> session.send(NodeMessage.newBuilder()
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
        // A change of an attached source's datasets or availability reaches the manager at once.
        executor.sources().onChange(session::sendHello);
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
        try {
            NodeAgent agent = new NodeAgent(paths);
            agent.session.start();
            LOG.info(
                    "node {} running: store {}, minimum rows {}, manager {}",
                    agent.config.nodeId(),
                    agent.config.store() == null
                            ? "DuckDB in " + paths.dataDir()
                            : agent.config.store().replaceAll("password=[^&]*", "password=***"),
                    agent.config.minRows(),
                    agent.config.manager());
            return agent;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the node in " + paths.dataDir() + ": " + e.getMessage(), e);
        }
    }

    public NodeConfig config() {
        return config;
    }

    private NodeHello hello() {
        return NodeHello.newBuilder()
                .setHostname(hostname())
                .setVersion(VERSION)
                .addAllDataModels(store.describe())
                .setPrivacy(config.privacy().toProto())
                .build();
    }

    private PrimitiveResponse answer(PrimitiveRequest request) {
        try {
            String manager = session.managerIdentity();
            if (request.hasSmpc()) {
                return smpc.answer(request, plain -> executor.answer(plain, manager));
            }
            return executor.answer(request, manager);
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
            session.sendHello();
        }
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
        control.close();
        checks.shutdownNow();
        session.close();
        workers.shutdownNow();
        try {
            store.close();
        } catch (Exception e) {
            LOG.warn("closing the store: {}", e.getMessage());
        }
    }
}
