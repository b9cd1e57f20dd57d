package org.mipfed.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mipfed.algorithms.Algorithms;
import org.mipfed.algorithms.RequestValidator;
import org.mipfed.algorithms.spi.Algorithm;
import org.mipfed.cli.client.AdminClient;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.json.Json;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.request.AnalysisRequest;
import org.mipfed.core.request.Filters;
import org.mipfed.node.NodePaths;
import org.mipfed.node.audit.AuditLog;
import org.mipfed.node.join.NodeJoiner;
import org.mipfed.node.primitive.PrimitiveExecutor;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.node.store.DataStore;
import org.mipfed.node.store.DataStores;
import org.mipfed.node.store.DuckDbStore;

/**
 * {@code mipfed bench --simulated-nodes N}: a real manager process and N real node agents, each with its own store,
 * certificate (from a real join) and mutual-TLS session, packed {@code --agents-per-jvm} to a JVM
 * ({@link SimulatedNodeHost}). The federation grows in stages (3, 30, 100, 500, as far as N) and at each stage this
 * measures a small linear regression over every node's dataset (p50/p99, and its answer against the same rows pooled)
 * and the manager's memory (heap after a full GC, and RSS); at N, {@code GET /admin/nodes} (the portal's node page
 * reads it) and a manager restart: the time until every node is back and ready, and when each came back.
 */
final class ScaleBench {
    /** The targets (issue 21). */
    static final double LATENCY_100_FACTOR = 3;

    static final double LATENCY_500_FACTOR = 10;
    static final double MB_PER_SESSION = 2;
    static final double RESTART_SECONDS = 30;

    /** How long the manager's CPU is read with every node connected and no analysis: its heartbeats' share. */
    static final Duration IDLE = Duration.ofSeconds(8);

    /** The manager's heap (the demo's 512 MB does not hold the warm-ups' experiments at 500 nodes). */
    static final String MANAGER_HEAP = "2g";

    static final int WARM_UP_WINDOW_SECONDS = 10;
    static final int WARM_UP_CLIENTS = 4;

    private static final Pattern HEAP_USED = Pattern.compile("^\\s*(\\S.*?)\\s+total \\d+K, used (\\d+)K");

    private final Path dir;
    private final List<Integer> stages;
    private final int rowsPerNode;
    private final int agentsPerJvm;
    private final int runs;
    /** Each stage's warm-up: windows of load until the JIT compilers are quiet, at most this long. */
    private final Duration warmUpMax;

    private final List<ObjectNode> table = new ArrayList<>();
    private final List<Process> hosts = new ArrayList<>();
    private final Map<Integer, String> nodeIds = new HashMap<>();

    ScaleBench(Path dir, int nodes, int rowsPerNode, int agentsPerJvm, int runs, Duration warmUpMax) {
        this.warmUpMax = requireNonNull(warmUpMax, "warmUpMax is null");
        this.dir = requireNonNull(dir, "dir is null");
        if (nodes < 1) {
            throw new IllegalArgumentException("--simulated-nodes must be at least 1, got " + nodes);
        }
        List<Integer> s = new ArrayList<>();
        for (int n : List.of(3, 30, 100, 500)) {
            if (n < nodes) {
                s.add(n);
            }
        }
        s.add(nodes);
        this.stages = List.copyOf(s);
        this.rowsPerNode = rowsPerNode;
        this.agentsPerJvm = agentsPerJvm;
        this.runs = runs;
    }

    /** Runs every stage, then the restart; returns the table's rows. */
    List<ObjectNode> run() throws Exception {
        int max = stages.get(stages.size() - 1);
        Path modelFile = SyntheticData.writeDataModel(dir.resolve("data"), max);
        DataModel model = DataModel.parse(Files.readString(modelFile));
        // The warm-ups leave tens of thousands of experiments in the manager (31,514 at 500 nodes, 8 KB of heap each
        // for the small ones), which filled the 512 MB the demo gives it: at 500 nodes the garbage collector's full
        // collections were in every figure. An operator sizes a manager's heap for its experiments the same way.
        System.setProperty(LocalFederation.LAUNCH_HEAP, MANAGER_HEAP);
        System.err.println("starting the manager (heap " + MANAGER_HEAP + ") ...");
        try (LocalFederation federation = LocalFederation.create(dir.resolve("fed"), 0, 0);
                DuckDbStore pooled = DuckDbStore.open(dir.resolve("pooled.duckdb"));
                AuditLog audit = new AuditLog(dir.resolve("pooled-audit.log"))) {
            AdminClient admin = federation.admin();
            // stopped with Ctrl-C, the benchmark leaves no node host nor manager behind
            Thread cleanUp = new Thread(() -> {
                hosts.forEach(Process::destroy);
                federation.stopManager(false);
            });
            Runtime.getRuntime().addShutdownHook(cleanUp);
            long managerPid = federation.managerProcess().pid();
            double[] before = managerMemory(managerPid);
            add(row("manager memory, no node", "memory")
                    .put("nodes", 0)
                    .put("heap_mb", before[0])
                    .put("rss_mb", before[1]));
            PrimitiveExecutor executor = new PrimitiveExecutor(pooled, PrivacyPolicy.minRowsOnly(10), audit);
            int joined = 0;
            double baseP50 = Double.NaN;
            double baseManagerCpu = Double.NaN;
            double baseManagerCpuWithJit = Double.NaN;
            double baseManagerCpuWithoutJit = Double.NaN;
            double[] firstStage = null;
            // heap and RSS the manager grew by across the opening of sessions since the first stage (MB)
            double[] sessionsGrowth = new double[2];
            int firstNodes = 0;
            try {
                for (int n : stages) {
                    long t0 = System.nanoTime();
                    prepare(federation, model, joined, n);
                    for (int i = joined; i < n; i++) {
                        SyntheticData.load(pooled, model, i, rowsPerNode);
                    }
                    double prepared = (System.nanoTime() - t0) / 1e9;
                    // the manager's memory just before and just after the new sessions open: what they add, apart
                    // from the analyses' experiments, which the manager keeps and each stage's warm-up adds by the
                    // thousand (measured from one stage's end to the next one's, they came to 1.8 MB per session)
                    double[] beforeConnect = firstStage == null ? null : managerMemory(managerPid);
                    long t1 = System.nanoTime();
                    for (int from = joined; from < n; from += agentsPerJvm) {
                        hosts.add(launchHost(from, Math.min(n, from + agentsPerJvm)));
                    }
                    admin.post(
                            "/admin/start",
                            Json.mapper()
                                    .createObjectNode()
                                    .set(
                                            "nodes",
                                            Json.mapper().createArrayNode().add("all")));
                    awaitReady(admin, n, Duration.ofMinutes(10), null);
                    double connected = (System.nanoTime() - t1) / 1e9;
                    if (beforeConnect != null) {
                        double[] afterConnect = managerMemory(managerPid);
                        sessionsGrowth[0] += afterConnect[0] - beforeConnect[0];
                        sessionsGrowth[1] += afterConnect[1] - beforeConnect[1];
                    }
                    System.err.printf(
                            "%d nodes: prepared in %.0f s, all ready %.1f s after their hosts started%n",
                            n, prepared, connected);
                    joined = n;
                    ObjectNode latency = latency(admin, executor, model, managerPid, n, n == stages.get(0));
                    if (Double.isNaN(baseP50)) {
                        baseP50 = latency.get("p50_ms").asDouble();
                    }
                    double factor = latency.get("p50_ms").asDouble() / baseP50;
                    latency.put("vs_first_stage", factor);
                    if (n >= 500) {
                        latency.put("target", "<= " + (int) LATENCY_500_FACTOR + "x the " + stages.get(0) + "-node p50")
                                .put("met", factor <= LATENCY_500_FACTOR);
                    } else if (n >= 100) {
                        latency.put("target", "<= " + (int) LATENCY_100_FACTOR + "x the " + stages.get(0) + "-node p50")
                                .put("met", factor <= LATENCY_100_FACTOR);
                    }
                    latency.put("connect_s", connected);
                    add(latency);
                    if (Double.isNaN(baseManagerCpu)) {
                        baseManagerCpu = latency.get("manager_path_cpu_ms").asDouble();
                        baseManagerCpuWithoutJit =
                                latency.get("manager_cpu_ms_without_jit").asDouble();
                        baseManagerCpuWithJit = latency.get("manager_cpu_ms").asDouble();
                    } else if (n >= 100) {
                        // The nodes of this machine answer one after another on its 2 cores; across hospitals they
                        // answer in parallel, each on its own machine, and what grows with N is the manager's work.
                        // So: the first stage's p50 plus the manager's extra CPU per analysis at N nodes (an estimate,
                        // printed beside the measured latency, not instead of it), warmed up, counting the threads
                        // the analysis waits for (onAnalysisPath): the work after it or beside it (the record's
                        // replication, the audit's checkpoint, the JIT compilers) takes a core, not its time. The
                        // same over all the manager's threads, with and without its JIT compilers, beside it.
                        double extra =
                                Math.max(0, latency.get("manager_path_cpu_ms").asDouble() - baseManagerCpu);
                        double estimate = (baseP50 + extra) / baseP50;
                        double extraWithoutJit = Math.max(
                                0, latency.get("manager_cpu_ms_without_jit").asDouble() - baseManagerCpuWithoutJit);
                        double extraWithJit =
                                Math.max(0, latency.get("manager_cpu_ms").asDouble() - baseManagerCpuWithJit);
                        double limit = n >= 500 ? LATENCY_500_FACTOR : LATENCY_100_FACTOR;
                        add(row("manager's share over " + n + " nodes (estimate)", "latency")
                                .put("nodes", n)
                                .put("first_stage_p50_ms", baseP50)
                                .put("manager_extra_path_cpu_ms", extra)
                                .put(
                                        "manager_path_cpu_ms_per_node",
                                        latency.get("manager_path_cpu_ms_per_node")
                                                .asDouble())
                                .put("estimated_factor", estimate)
                                .put("manager_extra_cpu_ms_all_threads", extraWithoutJit)
                                .put("estimated_factor_all_threads", (baseP50 + extraWithoutJit) / baseP50)
                                .put("manager_extra_cpu_ms_with_jit", extraWithJit)
                                .put("estimated_factor_with_jit", (baseP50 + extraWithJit) / baseP50)
                                .put(
                                        "target",
                                        "<= " + (int) limit + "x the " + stages.get(0)
                                                + "-node p50, nodes answering in parallel")
                                .put("met", estimate <= limit));
                    }
                    double[] after = managerMemory(managerPid);
                    ObjectNode memory = row("manager memory, " + n + " nodes", "memory")
                            .put("nodes", n)
                            .put("heap_mb", after[0])
                            .put("rss_mb", after[1]);
                    if (firstStage == null) {
                        // a few sessions say little: the manager's first analyses load classes and fill its caches
                        firstStage = after;
                        firstNodes = n;
                    } else {
                        // per session: what the manager grew by while the sessions added since the first stage opened
                        double perSession = sessionsGrowth[0] / (n - firstNodes);
                        double rssPerSession = sessionsGrowth[1] / (n - firstNodes);
                        memory.put("heap_mb_since_first_stage", after[0] - firstStage[0])
                                .put("heap_mb_per_session", perSession)
                                .put("rss_mb_per_session", rssPerSession)
                                .put(
                                        "target",
                                        "<= " + MB_PER_SESSION + " MB per session (since " + firstNodes + " nodes)")
                                .put("met", perSession <= MB_PER_SESSION && rssPerSession <= MB_PER_SESSION);
                    }
                    add(memory);
                }
                nodeList(federation, max);
                add(PortalTiming.nodePage(federation, max, dir.resolve("browser")));
                restart(federation, max);
            } finally {
                Runtime.getRuntime().removeShutdownHook(cleanUp);
                for (Process h : hosts) {
                    h.destroy();
                }
                for (Process h : hosts) {
                    h.waitFor();
                }
            }
        }
        return table;
    }

    /** Joins nodes {@code from..to-1} (a real join each: token, CSR, certificate) and fills their stores. */
    private void prepare(LocalFederation federation, DataModel model, int from, int to) throws Exception {
        AdminClient admin = federation.admin();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = from; i < to; i++) {
                int node = i;
                done.add(pool.submit(() -> {
                    String token =
                            admin.get("/admin/join-tokens/worker").path("token").asText();
                    NodePaths paths = nodePaths(node);
                    String id = NodeJoiner.join(
                                    paths,
                                    token,
                                    "127.0.0.1:" + federation.grpcPort(),
                                    null,
                                    PrivacyPolicy.DEFAULT.withMinRows(10))
                            .nodeId();
                    try (DataStore store = DataStores.open(null, paths.dataDir())) {
                        SyntheticData.load(store, model, node, rowsPerNode);
                    } catch (Exception e) {
                        throw new IllegalStateException("filling node " + node + "'s store: " + e.getMessage(), e);
                    }
                    ObjectNode labels = Json.mapper().createObjectNode();
                    labels.putObject("add").put("name", alias(node));
                    admin.post("/admin/nodes/" + id + "/labels", labels);
                    synchronized (nodeIds) {
                        nodeIds.put(node, id);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private NodePaths nodePaths(int node) {
        return new NodePaths(dir.resolve("nodes").resolve("n" + node));
    }

    static String alias(int node) {
        return "site" + node;
    }

    /** A JVM running nodes {@code from..to-1}, its output in {@code hosts/<from>-<to>.log}. */
    private Process launchHost(int from, int to) throws IOException {
        Path hostsDir = Files.createDirectories(dir.resolve("hosts"));
        List<Path> dirs = new ArrayList<>();
        for (int i = from; i < to; i++) {
            dirs.add(nodePaths(i).dataDir());
        }
        Path list = SimulatedNodeHost.writeList(hostsDir.resolve(from + "-" + to + ".txt"), dirs);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // a few MB per agent (its guard's history, gRPC buffers), the rest DuckDB's, off the heap
                "-Xmx" + (256 + 8 * (to - from)) + "m",
                "-XX:+UseSerialGC"));
        // the archive the launcher found for the benchmark's class path (./mipfed bench cds builds it), if any
        command.addAll(LocalFederation.classDataSharingOptions());
        command.addAll(List.of(
                "-cp", System.getProperty("java.class.path"), SimulatedNodeHost.class.getName(), list.toString()));
        Path log = hostsDir.resolve(from + "-" + to + ".log");
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /**
     * Waits until the first {@code n} nodes are ready with their dataset as {@code GET /admin/nodes} shows them;
     * with {@code firstReady}, records when (ms since {@code since}) each was first seen ready.
     */
    private void awaitReady(AdminClient admin, int n, Duration timeout, long[] firstReady) throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        while (true) {
            int ready = 0;
            try {
                JsonNode views = admin.get("/admin/nodes");
                for (JsonNode v : views) {
                    String alias = v.path("alias").asText();
                    if (!alias.startsWith("site")
                            || !v.path("status").asText().equals("ready")
                            || v.path("datasets").isEmpty()) {
                        continue;
                    }
                    int i = Integer.parseInt(alias.substring(4));
                    if (i < n) {
                        ready++;
                        if (firstReady != null && firstReady[i] < 0) {
                            firstReady[i] = System.nanoTime();
                        }
                    }
                }
            } catch (RuntimeException e) {
                // the manager is not answering yet (a restart)
            }
            if (ready == n) {
                return;
            }
            for (Process h : hosts) {
                if (!h.isAlive()) {
                    throw new IllegalStateException(
                            "a node host exited (code " + h.exitValue() + "); see " + dir.resolve("hosts"));
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s: " + ready + " of " + n
                        + " nodes ready; see the logs under " + dir);
            }
            Thread.sleep(firstReady != null ? 50 : 250);
        }
    }

    private static AnalysisRequest smallRequest(int n) {
        List<String> datasets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            datasets.add(alias(i));
        }
        return new AnalysisRequest(SyntheticData.MODEL, datasets, List.of("x1", "x2"), List.of("y"), null, null, null);
    }

    /**
     * A linear regression of y on x1 and x2 over every node's dataset: warmed up, then {@code runs} times one after
     * another; its answer against the same rows pooled.
     */
    private ObjectNode latency(
            AdminClient admin, PrimitiveExecutor executor, DataModel model, long managerPid, int n, boolean first) {
        AnalysisRequest request = smallRequest(n);
        JsonNode body = request.toJson();
        // Every stage warms the federation up as the small-analysis benchmark does (load until the JIT compilers of
        // the manager, the node hosts and this process are quiet): with a fixed count of runs the first stage's p50
        // was 2.8x that benchmark's (22.5 against 8 ms), and a later stage warmed up with 10 runs only measured the
        // manager compiling its fan-out's loops at the new size (its compilers took 20-40% of its CPU per analysis).
        double warmUpSeconds = !warmUpMax.isZero() ? warmUp(admin, body, managerPid) : 0;
        int warmUp = first ? 50 : Math.max(10, runs / 2);
        System.err.printf("%d nodes: linear regression, %d warm-up runs, %d measured ...%n", n, warmUp, runs);
        JsonNode federated = null;
        for (int i = 0; i < warmUp; i++) {
            federated = admin.post("/algorithms/linear_regression", body);
        }
        // what the manager and the nodes spend with every session open and no analysis (heartbeats, timers), so that
        // the CPU per analysis can be told with and without it
        List<Long> hostPids = hosts.stream().map(Process::pid).toList();
        double idleManager = cpuSeconds(List.of(managerPid));
        double idleManagerJit = JitActivity.milliseconds(managerPid);
        double idleNodes = cpuSeconds(hostPids);
        long idleStart = System.nanoTime();
        try {
            Thread.sleep(IDLE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        double idleSeconds = (System.nanoTime() - idleStart) / 1e9;
        double managerIdlePerSecond = (cpuSeconds(List.of(managerPid)) - idleManager) / idleSeconds;
        double managerIdleJitPerSecond = (JitActivity.milliseconds(managerPid) - idleManagerJit) / 1000 / idleSeconds;
        double nodesIdlePerSecond = (cpuSeconds(hostPids) - idleNodes) / idleSeconds;
        List<Long> times = new ArrayList<>();
        double managerCpu = cpuSeconds(List.of(managerPid));
        double managerJit = JitActivity.milliseconds(managerPid);
        double managerPath = ThreadCpu.milliseconds(managerPid, ScaleBench::onAnalysisPath);
        double nodesCpu = cpuSeconds(hostPids);
        long measuredStart = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            federated = admin.post("/algorithms/linear_regression", body);
            times.add(System.nanoTime() - start);
        }
        double measuredSeconds = (System.nanoTime() - measuredStart) / 1e9;
        managerCpu = cpuSeconds(List.of(managerPid)) - managerCpu;
        managerJit = (JitActivity.milliseconds(managerPid) - managerJit) / 1000;
        managerPath = (ThreadCpu.milliseconds(managerPid, ScaleBench::onAnalysisPath) - managerPath) / 1000;
        nodesCpu = cpuSeconds(hostPids) - nodesCpu;
        // the idle share: what the idle rate would have cost over the measured runs' wall time
        double managerIdleShare = managerIdlePerSecond * measuredSeconds;
        Collections.sort(times);
        Algorithm algorithm = Algorithms.standard().find("linear_regression").orElseThrow();
        JsonNode pooledResult = algorithm
                .run(
                        RequestValidator.validate(algorithm, request, model),
                        new PooledFederation(model, executor, request.datasets(), Filters.parse(null, model)))
                .toJson();
        return row("linear_regression over " + n + " nodes", "latency")
                .put("nodes", n)
                .put("rows", (long) n * rowsPerNode)
                .put("p50_ms", times.get(times.size() / 2) / 1e6)
                .put("p99_ms", times.get(Math.min(times.size() - 1, times.size() * 99 / 100)) / 1e6)
                .put("max_rel_diff", BenchCommand.maxRelativeDifference(pooledResult, federated))
                // where the time goes: CPU of the manager and of all the nodes' JVMs (with their heartbeats) per
                // analysis
                .put("manager_cpu_ms", 1000 * managerCpu / runs)
                .put("manager_cpu_ms_per_node", 1000 * managerCpu / runs / n)
                // idle: every session open, no analysis; "without idle": the CPU per analysis less the idle rate over
                // the measured runs' wall time (heartbeats and timers), i.e. what the analyses themselves cost
                .put("manager_idle_cpu_ms_per_s", 1000 * managerIdlePerSecond)
                // the manager's JIT compiler threads over the measured runs (start-up, not service: a federation in
                // service has compiled its code long since) and the rest, which the all-threads estimate is built on
                .put("manager_jit_cpu_ms", 1000 * managerJit / runs)
                .put("manager_cpu_ms_without_jit", 1000 * Math.max(0, managerCpu - managerJit) / runs)
                .put("manager_idle_jit_cpu_ms_per_s", 1000 * managerIdleJitPerSecond)
                // the threads an analysis waits for (see onAnalysisPath), on which the estimate is built
                .put("manager_path_cpu_ms", 1000 * managerPath / runs)
                .put("manager_path_cpu_ms_per_node", 1000 * managerPath / runs / n)
                .put("manager_cpu_ms_without_idle", 1000 * Math.max(0, managerCpu - managerIdleShare) / runs)
                .put(
                        "manager_cpu_ms_per_node_without_idle",
                        1000 * Math.max(0, managerCpu - managerIdleShare) / runs / n)
                .put("nodes_cpu_ms", 1000 * nodesCpu / runs)
                .put("nodes_idle_cpu_ms_per_s", 1000 * nodesIdlePerSecond)
                .put("warm_up_s", warmUpSeconds)
                .put("n_obs", federated.path("n_obs").asLong(-1));
    }

    /**
     * Whether a manager thread (by its name, Linux's 15 characters) serves an analysis while it runs: the HTTP
     * threads that run it, gRPC's that carry its requests and answers, the garbage collector; not the JIT compilers,
     * Ratis's threads (named after the manager's Raft id) that replicate its record once answered, nor mipfed's own
     * background threads (audit checkpoint and shipping, the experiment writer, liveness, a session's hellos).
     */
    static boolean onAnalysisPath(String thread) {
        return !(thread.contains("CompilerThre")
                || thread.startsWith("Sweeper")
                || thread.startsWith("manager-")
                || thread.startsWith("mipfed-")
                || thread.startsWith("dataset-claims"));
    }

    /**
     * Posts {@code body} from {@value #WARM_UP_CLIENTS} clients in windows of {@value #WARM_UP_WINDOW_SECONDS} s until
     * the JIT compiler threads of the manager, the node hosts and this process used less than
     * {@link BenchCommand#JIT_QUIET} of a core over a window (as the small-analysis benchmark warms up), or for at most
     * {@code --simulated-warm-up-max}; returns the seconds spent.
     */
    private double warmUp(AdminClient admin, JsonNode body, long managerPid) {
        List<Long> pids = new ArrayList<>();
        pids.add(ProcessHandle.current().pid());
        pids.add(managerPid);
        hosts.forEach(h -> pids.add(h.pid()));
        JitActivity jit = new JitActivity(pids);
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(WARM_UP_CLIENTS);
        try {
            while (true) {
                double before = jit.cpuSeconds();
                long end = System.nanoTime()
                        + Duration.ofSeconds(WARM_UP_WINDOW_SECONDS).toNanos();
                List<Future<?>> clients = new ArrayList<>();
                for (int c = 0; c < WARM_UP_CLIENTS; c++) {
                    clients.add(pool.submit(() -> {
                        while (System.nanoTime() < end) {
                            admin.post("/algorithms/linear_regression", body);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : clients) {
                    f.get();
                }
                double share = (jit.cpuSeconds() - before) / WARM_UP_WINDOW_SECONDS;
                double elapsed = (System.nanoTime() - started) / 1e9;
                System.err.printf("warming up, %.0f s, JIT compilers at %.0f%% of a core%n", elapsed, 100 * share);
                if (share < BenchCommand.JIT_QUIET || Double.isNaN(share) || elapsed >= warmUpMax.toSeconds()) {
                    return elapsed;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while warming up", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(
                    "an analysis failed while warming up: " + e.getCause().getMessage(), e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@code GET /admin/nodes} at N nodes (what the portal's node page reads): latency and payload. */
    private void nodeList(LocalFederation federation, int n) throws Exception {
        nodeList(federation, n, "/admin/nodes", "GET /admin/nodes at " + n + " nodes");
        nodeList(federation, n, "/admin/nodes?limit=50", "GET /admin/nodes?limit=50 (a page)");
        nodeList(
                federation,
                n,
                "/admin/nodes?limit=50&q=" + alias(n - 1),
                "GET /admin/nodes?limit=50&q=" + alias(n - 1));
    }

    private void nodeList(LocalFederation federation, int n, String path, String what) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + federation.httpPort() + path))
                .header("Authorization", "Bearer " + federation.adminToken())
                .GET()
                .build();
        List<Long> times = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < 20 + runs; i++) {
            long start = System.nanoTime();
            HttpResponse<byte[]> response = http.send(get, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": "
                        + new String(response.body(), StandardCharsets.UTF_8));
            }
            bytes = response.body().length;
            if (i >= 20) {
                times.add(System.nanoTime() - start);
            }
        }
        Collections.sort(times);
        add(row(what, "api")
                .put("nodes", n)
                .put("p50_ms", times.get(times.size() / 2) / 1e6)
                .put("p99_ms", times.get(Math.min(times.size() - 1, times.size() * 99 / 100)) / 1e6)
                .put("payload_kb", bytes / 1024.0));
    }

    /**
     * Stops the manager (SIGTERM), starts it again and waits until all {@code n} nodes are ready; records when each
     * came back, from the moment the new manager answers its health check.
     */
    private void restart(LocalFederation federation, int n) throws InterruptedException {
        System.err.printf("restarting the manager with %d nodes ...%n", n);
        long[] firstReady = new long[n];
        java.util.Arrays.fill(firstReady, -1);
        // what the restarted manager reads back: every analysis run so far is an experiment in its replicated state
        long experiments;
        try (java.util.stream.Stream<Path> files =
                Files.list(federation.managerPaths().experiments())) {
            experiments = files.count();
        } catch (IOException e) {
            experiments = -1;
        }
        double raftMb = directoryBytes(federation.managerPaths().raftDir()) / 1e6;
        long stopped = System.nanoTime();
        federation.stopManager(false);
        long exited = System.nanoTime();
        federation.startManager();
        long answering = System.nanoTime();
        awaitReady(federation.admin(), n, Duration.ofMinutes(5), firstReady);
        long allReady = System.nanoTime();
        List<Double> back = new ArrayList<>();
        for (long t : firstReady) {
            back.add(Math.max(0, t - answering) / 1e9);
        }
        Collections.sort(back);
        double total = (allReady - stopped) / 1e9;
        double fromAnswer = (allReady - answering) / 1e9;
        // the steps of the stop and of the start, as the manager logged them
        List<String> steps = managerLogLines(federation, "manager stopped in ", "manager started in ");
        ObjectNode restart = row("manager restart with " + n + " nodes", "restart");
        steps.forEach(restart.putArray("manager_log")::add);
        add(restart.put("nodes", n)
                .put("manager_up_s", (answering - stopped) / 1e9)
                // the split: SIGTERM until the old process exited, then its start until it answered /healthcheck
                .put("stop_s", (exited - stopped) / 1e9)
                .put("start_s", (answering - exited) / 1e9)
                .put("experiments", experiments)
                .put("raft_mb", raftMb)
                .put("all_ready_s", total)
                .put("all_ready_after_up_s", fromAnswer)
                .put("first_back_s", back.get(0))
                .put("median_back_s", back.get(n / 2))
                .put("last_back_s", back.get(n - 1))
                .put("target", "<= " + (int) RESTART_SECONDS + " s until all ready")
                .put("met", total <= RESTART_SECONDS));
        // the nodes are back for real: an analysis over all of them
        federation.admin().post("/algorithms/linear_regression", smallRequest(n).toJson());
    }

    /** The bytes of the files under {@code dir}; -1 if it cannot be read. */
    private static long directoryBytes(Path dir) {
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(f -> {
                        try {
                            return Files.size(f);
                        } catch (IOException e) {
                            return 0;
                        }
                    })
                    .sum();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    /** The last line of the manager's log holding each of {@code needles} (its phases' timestamps). */
    private static List<String> managerLogLines(LocalFederation federation, String... needles) {
        List<String> found = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(federation.workDir().resolve("manager.log"));
            for (String needle : needles) {
                for (int i = lines.size() - 1; i >= 0; i--) {
                    if (lines.get(i).contains(needle)) {
                        found.add(lines.get(i));
                        break;
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            found.add("(cannot read the manager's log: " + e.getMessage() + ")");
        }
        return found;
    }

    /**
     * The manager's heap after a full GC (jcmd {@code GC.run}, then the generations' used sizes from
     * {@code GC.heap_info}) and its resident set (VmRSS), in MB.
     */
    static double[] managerMemory(long pid) {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        jcmdOutput(jcmd, pid, "GC.run");
        double heapKb = 0;
        for (String line : jcmdOutput(jcmd, pid, "GC.heap_info").split("\n")) {
            Matcher m = HEAP_USED.matcher(line);
            if (m.find() && !m.group(1).toLowerCase(java.util.Locale.ROOT).contains("metaspace")) {
                heapKb += Long.parseLong(m.group(2));
            }
        }
        double rssKb = Double.NaN;
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rssKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the manager's memory from /proc: " + e.getMessage(), e);
        }
        return new double[] {heapKb / 1024, rssKb / 1024};
    }

    private static String jcmdOutput(String jcmd, long pid, String command) {
        try {
            Process p = new ProcessBuilder(jcmd, Long.toString(pid), command)
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("jcmd " + pid + " " + command + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + jcmd + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running jcmd", e);
        }
    }

    /** Prints the table (each figure against its target) and writes it as {@code scale.txt} and {@code scale.json}. */
    static void print(List<ObjectNode> rows, Path out, Path dir) throws IOException {
        StringBuilder text = new StringBuilder();
        text.append(String.format(
                "mipfed bench --simulated-nodes, %s, %d cores, Java %s%n%n",
                java.time.LocalDate.now(),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version")));
        text.append(String.format("| %-38s | %5s | %s | %s | %s |%n", "what", "nodes", "figures", "target", "met"));
        text.append("|---|---:|---|---|---|\n");
        com.fasterxml.jackson.databind.node.ArrayNode json = Json.mapper().createArrayNode();
        for (ObjectNode r : rows) {
            json.add(r);
            StringBuilder figures = new StringBuilder();
            r.properties().forEach(e -> {
                if (e.getValue().isNumber() && !e.getKey().equals("nodes")) {
                    figures.append(e.getKey())
                            .append('=')
                            .append(String.format("%.4g", e.getValue().asDouble()))
                            .append(' ');
                }
            });
            text.append(String.format(
                    "| %-38s | %5s | %s | %s | %s |%n",
                    r.path("what").asText(),
                    r.path("nodes").asText(""),
                    figures.toString().trim(),
                    r.path("target").asText(""),
                    r.has("met") ? (r.get("met").asBoolean() ? "yes" : "NO") : ""));
        }
        System.out.println(text);
        Files.createDirectories(out);
        Files.writeString(out.resolve("scale.txt"), text);
        Files.write(out.resolve("scale.json"), Json.pretty().writeValueAsBytes(json));
        System.err.println("written to " + out.toAbsolutePath() + " (data and logs in " + dir + ")");
    }

    /** User and system CPU seconds of these processes so far ({@link ProcessCpu}); NaN where /proc cannot tell. */
    static double cpuSeconds(List<Long> pids) {
        double ms = 0;
        for (double each : ProcessCpu.each(pids)) {
            ms += each;
        }
        return ms / 1000;
    }

    /** Adds a row to the table and prints it at once: a run of hundreds of nodes takes a while. */
    private void add(ObjectNode row) {
        table.add(row);
        System.err.println("  " + row);
    }

    private static ObjectNode row(String what, String kind) {
        return Json.mapper().createObjectNode().put("what", what).put("kind", kind);
    }
}
