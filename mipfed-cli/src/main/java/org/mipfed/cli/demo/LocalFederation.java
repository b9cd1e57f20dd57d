package org.mipfed.cli.demo;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.mipfed.cli.client.AdminClient;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.state.FederationConfig;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.node.NodeConfig;
import org.mipfed.node.NodeImports;
import org.mipfed.node.NodePaths;
import org.mipfed.node.join.NodeJoiner;
import org.mipfed.node.primitive.PrimitiveExecutor;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.node.privacy.PrivacyRefusals;
import org.mipfed.node.store.DataStore;
import org.mipfed.node.store.DataStores;

/**
 * A whole federation on this machine: a manager and hospital nodes as separate {@code mipfed}
 * processes talking gRPC over mutual TLS on loopback. Used by {@code mipfed demo} and by the
 * federation tests; every step is the one an operator would take.
 */
public final class LocalFederation implements AutoCloseable {
    private final Path workDir;
    private ManagerPaths managerPaths;
    private final int grpcPort;
    private final int httpPort;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final List<String> managerOptions = new ArrayList<>();
    private boolean nodeMetrics;
    private Process manager;
    /** The Raft port of the first manager (fixed, so that the managers that join reach it across its restarts). */
    private final int raftPort = freePort();
    /** The managers added with {@link #addManager()}: index 1, 2, … (the first manager, index 0, is the fields above). */
    private final List<JoinedManager> joined = new ArrayList<>();

    /** A manager added to the federation with {@code mipfed manager join}, in its own process. */
    private static final class JoinedManager {
        final ManagerPaths paths;
        final int grpcPort;
        final int httpPort;
        final int raftPort;
        final Path log;
        Process process;

        JoinedManager(ManagerPaths paths, int grpcPort, int httpPort, int raftPort, Path log) {
            this.paths = paths;
            this.grpcPort = grpcPort;
            this.httpPort = httpPort;
            this.raftPort = raftPort;
            this.log = log;
        }
    }

    /** A node of the federation. */
    public static final class Node {
        private final String alias;
        private final NodePaths paths;
        private final String nodeId;
        private Process process;
        private int metricsPort = -1;

        Node(String alias, NodePaths paths, String nodeId) {
            this.alias = alias;
            this.paths = paths;
            this.nodeId = nodeId;
        }

        public String alias() {
            return alias;
        }

        public String nodeId() {
            return nodeId;
        }

        public NodePaths paths() {
            return paths;
        }

        /** The port of the node's {@code /metrics} on 127.0.0.1, or -1 ({@link #serveNodeMetrics()}). */
        public int metricsPort() {
            return metricsPort;
        }

        public Process process() {
            return process;
        }
    }

    private LocalFederation(Path workDir, int grpcPort, int httpPort) {
        this.workDir = requireNonNull(workDir, "workDir is null");
        this.managerPaths = new ManagerPaths(workDir.resolve("manager"));
        this.grpcPort = grpcPort;
        this.httpPort = httpPort;
    }

    /** Creates the federation (manager init) and starts the manager process. Ports 0 = pick free ones. */
    public static LocalFederation create(Path workDir, int grpcPort, int httpPort) {
        return create(workDir, grpcPort, httpPort, FederationConfig.DEFAULT_NODE_CERTIFICATE_VALIDITY);
    }

    /** As above, with node certificates of the given lifetime (tests of renewal use seconds). */
    public static LocalFederation create(Path workDir, int grpcPort, int httpPort, Duration nodeCertificateValidity) {
        LocalFederation f = new LocalFederation(
                workDir, grpcPort == 0 ? freePort() : grpcPort, httpPort == 0 ? freePort() : httpPort);
        FederationInit.init(f.managerPaths, "127.0.0.1", f.grpcPort, f.httpPort, "127.0.0.1", nodeCertificateValidity);
        f.startManager();
        return f;
    }

    /**
     * As {@link #create(Path, int, int)}, the manager started with more {@code manager start} options (e.g.
     * {@code --exareme2-api 127.0.0.1:PORT}), at this start and every restart.
     */
    public static LocalFederation create(Path workDir, int grpcPort, int httpPort, List<String> managerOptions) {
        LocalFederation f = new LocalFederation(
                workDir, grpcPort == 0 ? freePort() : grpcPort, httpPort == 0 ? freePort() : httpPort);
        f.managerOptions.addAll(managerOptions);
        FederationInit.init(
                f.managerPaths,
                "127.0.0.1",
                f.grpcPort,
                f.httpPort,
                "127.0.0.1",
                FederationConfig.DEFAULT_NODE_CERTIFICATE_VALIDITY);
        f.startManager();
        return f;
    }

    public void startManager() {
        List<String> args = new ArrayList<>(List.of(
                "manager",
                "start",
                "--data-dir",
                managerPaths.dataDir().toString(),
                "--raft-port",
                Integer.toString(raftPort)));
        args.addAll(managerOptions);
        manager = launch(workDir.resolve("manager.log"), args.toArray(String[]::new));
        awaitHealthy(manager, this::admin, httpPort, workDir.resolve("manager.log"));
    }

    /**
     * Waits until a manager's process answers {@code /healthcheck}. Generous: on a busy 2-core machine (load 30,
     * several builds at once) a manager has taken over 60 s to start.
     */
    private static void awaitHealthy(
            Process process, java.util.function.Supplier<AdminClient> client, int httpPort, Path log) {
        await(Duration.ofSeconds(180), "the manager to answer on port " + httpPort, () -> {
            try {
                // a joining manager writes its admin token during its join: read it once it is there
                client.get().get("/healthcheck");
                return true;
            } catch (Problem | UncheckedIOException p) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(
                            "the manager process exited (code " + process.exitValue() + "); see " + log);
                }
                return false;
            }
        });
    }

    /**
     * Adds a manager to the federation as an operator would: {@code mipfed manager join} with the manager token, in
     * its own process, on free loopback ports, dialling the first manager that runs. Returns its index (1, 2, …; the
     * first manager is 0) once it answers on its HTTP port.
     */
    public int addManager() {
        int index = joined.size() + 1;
        ManagerPaths paths = new ManagerPaths(workDir.resolve("manager-" + index));
        JoinedManager m = new JoinedManager(
                paths, freePort(), freePort(), freePort(), workDir.resolve("manager-" + index + ".log"));
        int at = firstRunningManager();
        String token = admin(at).get("/admin/join-tokens/manager").path("token").asText();
        m.process = launch(
                m.log,
                "manager",
                "join",
                "--token",
                token,
                "--data-dir",
                paths.dataDir().toString(),
                "--advertise-addr",
                "127.0.0.1",
                "--grpc-port",
                Integer.toString(m.grpcPort),
                "--http-port",
                Integer.toString(m.httpPort),
                "--http-host",
                "127.0.0.1",
                "--raft-port",
                Integer.toString(m.raftPort),
                "127.0.0.1:" + managerGrpcPort(at));
        joined.add(m);
        awaitHealthy(m.process, () -> adminOf(m), m.httpPort, m.log);
        return index;
    }

    /** How many managers the federation has here (the first one included, running or not). */
    public int managerCount() {
        return 1 + joined.size();
    }

    private int firstRunningManager() {
        for (int i = 0; i < managerCount(); i++) {
            Process p = managerProcess(i);
            if (p != null && p.isAlive()) {
                return i;
            }
        }
        throw new IllegalStateException("no manager runs");
    }

    private JoinedManager joined(int index) {
        if (index < 1 || index > joined.size()) {
            throw new IllegalArgumentException("no manager " + index + " (0 to " + joined.size() + ")");
        }
        return joined.get(index - 1);
    }

    /** Kills manager {@code index}'s process at once (kill -9, {@code destroyForcibly}) and waits until it is gone. */
    public void killManager(int index) {
        stop(managerProcess(index), true);
    }

    /** Stops manager {@code index} cleanly (SIGTERM) and waits until its process ended. */
    public void stopManager(int index) {
        stop(managerProcess(index), false);
    }

    /**
     * Starts manager {@code index} again from its data directory ({@code mipfed manager start}, same ports) and waits
     * until it answers on its HTTP port; it must not be running.
     */
    public void restartManager(int index) {
        Process running = managerProcess(index);
        if (running != null && running.isAlive()) {
            throw new IllegalStateException("manager " + index + " runs; stop or kill it first");
        }
        if (index == 0) {
            startManager();
            return;
        }
        JoinedManager m = joined(index);
        m.process = launch(
                m.log, "manager", "start", "--data-dir", m.paths.dataDir().toString());
        awaitHealthy(m.process, () -> adminOf(m), m.httpPort, m.log);
    }

    /** Manager {@code index}'s process (null for the first manager before it started). */
    public Process managerProcess(int index) {
        return index == 0 ? manager : joined(index).process;
    }

    /** Manager {@code index}'s data directory. */
    public ManagerPaths managerPaths(int index) {
        return index == 0 ? managerPaths : joined(index).paths;
    }

    /** Manager {@code index}'s REST API port on 127.0.0.1. */
    public int managerHttpPort(int index) {
        return index == 0 ? httpPort : joined(index).httpPort;
    }

    /** Manager {@code index}'s node-facing (gRPC, mutual TLS) port on 127.0.0.1. */
    public int managerGrpcPort(int index) {
        return index == 0 ? grpcPort : joined(index).grpcPort;
    }

    /** Manager {@code index}'s Raft port on 127.0.0.1. */
    public int managerRaftPort(int index) {
        return index == 0 ? raftPort : joined(index).raftPort;
    }

    /** Manager {@code index}'s id in the managers' group ({@code manager-<8 hex>}, from its {@code raft/member.json}). */
    public String managerId(int index) {
        try {
            return Json.mapper()
                    .readTree(
                            managerPaths(index).raftDir().resolve("member.json").toFile())
                    .path("id")
                    .asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An admin client of manager {@code index}, with that manager's own admin token. */
    public AdminClient admin(int index) {
        return index == 0 ? admin() : adminOf(joined(index));
    }

    /** The log file of manager {@code index}'s process. */
    public Path managerLog(int index) {
        return index == 0 ? workDir.resolve("manager.log") : joined(index).log;
    }

    private static AdminClient adminOf(JoinedManager m) {
        return new AdminClient("http://127.0.0.1:" + m.httpPort, FederationInit.adminToken(m.paths));
    }

    /** Runs the manager from another data directory from now on (e.g. one restored from a backup). */
    public void moveManagerTo(ManagerPaths paths) {
        if (manager != null && manager.isAlive()) {
            throw new IllegalStateException("stop the manager first");
        }
        this.managerPaths = requireNonNull(paths, "paths is null");
    }

    /** Freezes a node's process (SIGSTOP): it stays connected but says nothing. */
    public void pauseNode(String alias) {
        signal(node(alias).process, "STOP");
    }

    /** Resumes a frozen node (SIGCONT). */
    public void resumeNode(String alias) {
        signal(node(alias).process, "CONT");
    }

    private static void signal(Process p, String signal) {
        try {
            int code = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid()))
                    .inheritIO()
                    .start()
                    .waitFor();
            if (code != 0) {
                throw new IllegalStateException("kill -" + signal + " " + p.pid() + " exited with " + code);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the manager process (SIGKILL when {@code force}). */
    public void stopManager(boolean force) {
        stop(manager, force);
    }

    /** CSV files of one data model to load into a node. */
    public record DataImport(Path dataModel, List<Path> csvs) {}

    /** {@link #addNode(String, String, PrivacyPolicy, List)} with the default privacy policy and this minimum of rows. */
    public Node addNode(String alias, String store, int minRows, List<DataImport> imports) {
        return addNode(alias, store, PrivacyPolicy.DEFAULT.withMinRows(minRows), imports, null);
    }

    /** Joins a node with the worker token, imports its CSV files (before it runs) and starts its process. */
    public Node addNode(String alias, String store, PrivacyPolicy privacy, List<DataImport> imports) {
        return addNode(alias, store, privacy, imports, null);
    }

    /**
     * As {@link #addNode(String, String, PrivacyPolicy, List)}, and {@code load} (if not null) fills the
     * node's store after the imports, before the node runs (the benchmark generates its rows this way).
     */
    public Node addNode(
            String alias, String store, PrivacyPolicy privacy, List<DataImport> imports, Consumer<DataStore> load) {
        String token = admin().get("/admin/join-tokens/worker").path("token").asText();
        NodePaths paths = new NodePaths(workDir.resolve("node-" + alias));
        String id = NodeJoiner.join(paths, token, "127.0.0.1:" + grpcPort, store, privacy)
                .nodeId();
        if (load != null || imports.stream().anyMatch(i -> !i.csvs().isEmpty())) {
            try (DataStore ds = DataStores.open(store, paths.dataDir())) {
                List<String> errors = new ArrayList<>();
                for (DataImport i : imports) {
                    NodeImports.run(ds, i.dataModel(), i.csvs(), (kind, body) -> {
                        if (kind.equals("error")) {
                            errors.add(body.path("message").asText());
                        }
                    });
                }
                if (!errors.isEmpty()) {
                    throw new IllegalStateException("import into " + alias + " failed: " + errors);
                }
                if (load != null) {
                    load.accept(ds);
                }
            } catch (Exception e) {
                throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
        }
        Node node = new Node(alias, paths, id);
        nodes.put(alias, node);
        ObjectNode labels = Json.mapper().createObjectNode();
        labels.putObject("add").put("name", alias);
        admin().post("/admin/nodes/" + id + "/labels", labels);
        startNode(alias);
        return node;
    }

    public void startNode(String alias) {
        Node node = node(alias);
        List<String> args = new ArrayList<>(
                List.of("node", "run", "--data-dir", node.paths.dataDir().toString()));
        if (nodeMetrics) {
            if (node.metricsPort < 0) {
                node.metricsPort = freePort();
            }
            args.addAll(List.of("--metrics-addr", "127.0.0.1:" + node.metricsPort));
        }
        node.process = launch(workDir.resolve(alias + ".log"), args.toArray(String[]::new));
    }

    /** Nodes started from now on serve their metrics and probes on a port of 127.0.0.1 ({@link Node#metricsPort()}). */
    public void serveNodeMetrics() {
        nodeMetrics = true;
    }

    /** A free port of 127.0.0.1 now (for a process that must be told its port, as Prometheus). */
    public static int freeLoopbackPort() {
        return freePort();
    }

    public void stopNode(String alias, boolean force) {
        stop(node(alias).process, force);
    }

    public Node node(String alias) {
        Node node = nodes.get(alias);
        if (node == null) {
            throw new IllegalArgumentException("no node " + alias);
        }
        return node;
    }

    /** Admits nodes into analyses ({@code mipfed start}). */
    public void start(String... aliases) {
        ObjectNode body = Json.mapper().createObjectNode();
        for (String a : aliases) {
            body.withArray("nodes").add(a);
        }
        admin().post("/admin/start", body);
    }

    /** Waits until the given nodes are ready (connected) as the manager sees them. */
    public void awaitReady(Duration timeout, String... aliases) {
        awaitReadyOn(0, timeout, aliases);
    }

    /**
     * Waits until the given nodes are ready (connected, with their datasets) as manager {@code manager} sees them:
     * each node holds a session to every manager, so each manager tells its own.
     */
    public void awaitReadyOn(int manager, Duration timeout, String... aliases) {
        await(timeout, "nodes " + String.join(", ", aliases) + " to be ready on manager " + manager, () -> {
            for (String a : aliases) {
                Process p = node(a).process;
                if (p != null && !p.isAlive()) {
                    throw new IllegalStateException(
                            "node " + a + " exited (code " + p.exitValue() + "); see " + workDir.resolve(a + ".log"));
                }
            }
            JsonNode views = admin(manager).get("/admin/nodes");
            for (String a : aliases) {
                boolean ready = false;
                for (JsonNode v : views) {
                    ready |= a.equals(v.path("alias").asText())
                            && v.path("status").asText().equals("ready")
                            && v.path("datasets").size() > 0;
                }
                if (!ready) {
                    return false;
                }
            }
            return true;
        });
    }

    /**
     * Waits until every manager lists every manager as ready and sees each of the given nodes ready (each node holds a
     * session to each manager): then each manager answers the same analyses.
     */
    public void awaitManagersReady(Duration timeout, String... aliases) {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < managerCount(); i++) {
            ids.add(managerId(i));
        }
        for (int i = 0; i < managerCount(); i++) {
            int index = i;
            await(timeout, "manager " + i + " to list " + ids + " as ready", () -> {
                Set<String> ready = new HashSet<>();
                for (JsonNode m : admin(index).get("/admin/managers")) {
                    if (m.path("status").asText().equals("ready")) {
                        ready.add(m.path("id").asText());
                    }
                }
                return ready.equals(ids);
            });
            awaitReadyOn(i, timeout, aliases);
        }
    }

    public AdminClient admin() {
        return new AdminClient("http://127.0.0.1:" + httpPort, FederationInit.adminToken(managerPaths));
    }

    /** The manager's process, or null before it starts. */
    public Process managerProcess() {
        return manager;
    }

    public ManagerPaths managerPaths() {
        return managerPaths;
    }

    public int httpPort() {
        return httpPort;
    }

    public int grpcPort() {
        return grpcPort;
    }

    public Path workDir() {
        return workDir;
    }

    public String adminToken() {
        return FederationInit.adminToken(managerPaths);
    }

    /** The password of user admin, for signing in to the portal. */
    public String adminPassword() {
        return FederationInit.adminPassword(managerPaths);
    }

    /** Copies the bundled dementia data model and CSVs out of the class path into {@code dir}. */
    public static Path extractDementiaData(Path dir) {
        return extractData("dementia_v_0_1", dir);
    }

    /** Copies a bundled data model ({@code dementia_v_0_1}, {@code tbi_v_0_1}, {@code longitudinal_dementia_v_0_1}) and its CSVs out of the class path into {@code dir}. */
    public static Path extractData(String name, Path dir) {
        try {
            Files.createDirectories(dir);
            String base = "/org/mipfed/data/" + name + "/";
            String files;
            try (InputStream in = LocalFederation.class.getResourceAsStream(base + "FILES")) {
                files = new String(
                        requireNonNull(in, "the dementia data is not on the class path")
                                .readAllBytes(),
                        StandardCharsets.UTF_8);
            }
            for (String file : files.trim().split("\\s+")) {
                try (InputStream in = LocalFederation.class.getResourceAsStream(base + file)) {
                    Files.copy(requireNonNull(in, file), dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot extract the demo data into " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The system property that sets the heap of the processes {@link #launch} starts (default 512m). */
    public static final String LAUNCH_HEAP = "mipfed.launch.heap";

    /**
     * Runs {@code mipfed args…} as its own process on this JVM's class path, its output appended to {@code log}:
     * what an operator's shell would start.
     */
    public static Process launch(Path log, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // a benchmark that keeps tens of thousands of experiments sets more (mipfed bench --simulated-nodes)
        command.add("-Xmx" + System.getProperty(LAUNCH_HEAP, "512m"));
        command.add("-XX:+UseSerialGC");
        command.addAll(classDataSharingOptions());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("org.mipfed.cli.Main");
        command.addAll(List.of(args));
        try {
            return new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + String.join(" ", args) + ": " + e.getMessage(), e);
        }
    }

    /**
     * This JVM's class-data sharing options (the archive the {@code mipfed} launcher found for this class path, see
     * {@code mipfed-dist/src/bin/cds.sh}), for a process started on the same class path: the demo's and the
     * benchmark's managers and nodes map the same archive. None when this JVM was started without one.
     */
    public static List<String> classDataSharingOptions() {
        List<String> options = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-XX:SharedArchiveFile=")
                    || a.startsWith("-Xshare:")
                    || a.equals("-XX:+VerifySharedSpaces")
                    || a.startsWith("-Xlog:cds")) {
                options.add(a);
            }
        }
        return options.stream().anyMatch(a -> a.startsWith("-XX:SharedArchiveFile=")) ? options : List.of();
    }

    private static void stop(Process p, boolean force) {
        if (p == null || !p.isAlive()) {
            return;
        }
        if (force) {
            p.destroyForcibly();
        } else {
            p.destroy();
        }
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void await(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what);
            }
        }
        throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        nodes.values().forEach(n -> {
            if (n.process != null && n.process.isAlive()) {
                signal(n.process, "CONT");
            }
            stop(n.process, false);
        });
        for (JoinedManager m : joined) {
            stop(m.process, false);
        }
        stop(manager, false);
        List<String> leaks = refusalsStatingCounts();
        if (!leaks.isEmpty()) {
            throw new IllegalStateException("refusals state a count below their node's min_rows (issue 13): " + leaks);
        }
    }

    /**
     * The refusals, in every node's audit log, whose rule depends on the rows and whose text states a
     * number below the node's {@code min_rows} (other than its policy's values): each would tell the
     * requester something about the few rows behind it. Checked at {@link #close()}.
     */
    public List<String> refusalsStatingCounts() {
        List<String> leaks = new ArrayList<>();
        for (Node node : nodes.values()) {
            PrivacyPolicy policy = NodeConfig.load(node.paths).privacy();
            PrivacyRefusals.auditedCountsBelow(
                            node.paths.auditLog(),
                            policy.minRows(),
                            PrivacyRefusals.policyValues(policy),
                            PrimitiveExecutor.REQUEST_ONLY)
                    .forEach(leak -> leaks.add(node.alias + ": " + leak));
        }
        return leaks;
    }
}
