package org.mipfed.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.mipfed.algorithms.Algorithms;
import org.mipfed.algorithms.RequestValidator;
import org.mipfed.algorithms.spi.Algorithm;
import org.mipfed.cli.client.AdminClient;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.io.Directories;
import org.mipfed.core.json.Json;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.AnalysisRequest;
import org.mipfed.core.request.Filters;
import org.mipfed.node.audit.AuditLog;
import org.mipfed.node.importer.DataImporter;
import org.mipfed.node.importer.ImportResult;
import org.mipfed.node.importer.ProgressListener;
import org.mipfed.node.primitive.PrimitiveExecutor;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.node.store.DuckDbStore;
import org.mipfed.node.store.StoreCatalog;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mipfed bench}: federated against pooled, on MIP-shaped synthetic data spread over real node
 * processes on loopback (mutual TLS); small-request latency and throughput on the dementia data;
 * import speed; peak memory. Prints one table and writes it as JSON and CSV.
 *
 * <p>It lives in its own module so that the product's CLI jar does not carry it; {@code ./mipfed bench} runs
 * {@link #main} on this module's class path, which holds the CLI too (the node processes it starts are
 * {@code mipfed} itself).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        version = "mipfed bench 0.1.0",
        description =
                "Benchmark: federated vs pooled analyses, latency and throughput of small requests, import speed, memory.")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "3", description = "Hospital nodes (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--rows", defaultValue = "200000", description = "Rows per node (default: ${DEFAULT-VALUE}).")
    long rows;

    @Option(
            names = "--runs",
            defaultValue = "5",
            description = "Measured runs per figure, after two warm-up runs (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(
            names = "--clients",
            defaultValue = "16",
            description = "Concurrent clients for the throughput figure (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(
            names = "--seconds",
            defaultValue = "10",
            description = "Length of the throughput run (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(
            names = "--warm-up-max",
            defaultValue = "300",
            description =
                    "Longest unmeasured load before the small-request figures, in seconds; it stops earlier once the JIT compilers are quiet (default: ${DEFAULT-VALUE}).")
    int warmUpMax;

    private static final int WARM_UP_WINDOW = 10;
    static final double JIT_QUIET = 0.05;

    @Option(
            names = "--import-rows",
            defaultValue = "1000000",
            description =
                    "Rows of the CSV file whose validated import is timed (default: ${DEFAULT-VALUE}, about 105 MB).")
    long importRows;

    @Option(
            names = "--r",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Time R (lm, glm, t.test, cor, prcomp, kmeans) on the pooled rows when Rscript is on the PATH (default: ${DEFAULT-VALUE}).")
    boolean withR;

    @Option(names = "--work-dir", description = "Where data and federation go (default: a new temporary directory).")
    Path workDir;

    @Option(
            names = "--out",
            defaultValue = "bench-results",
            description = "Where the table goes as JSON and CSV (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--only",
            split = ",",
            paramLabel = "PART",
            description =
                    "Measure only these parts: import, an algorithm name (descriptive_stats, linear_regression, logistic_regression, "
                            + "pearson_correlation, pca, ttest_independent, kmeans), reference, r, small (latency and throughput), memory, managers (3 nodes with 1 then 3 manager processes: analysis and write latency, failover, catch-up). Default: all.")
    java.util.Set<String> only;

    private static final java.util.Set<String> PARTS = new java.util.TreeSet<>(List.of(
            "import",
            "descriptive_stats",
            "linear_regression",
            "logistic_regression",
            "pearson_correlation",
            "pca",
            "ttest_independent",
            "kmeans",
            "reference",
            "r",
            "small",
            "memory",
            "managers"));

    @Option(
            names = "--manager-runs",
            defaultValue = "300",
            description =
                    "managers part: measured analyses and writes per figure, spread over the managers (default: ${DEFAULT-VALUE}).")
    int managerRuns;

    @Option(
            names = "--manager-failovers",
            defaultValue = "3",
            description =
                    "managers part: how many times the leader of three managers is killed (kill -9) and started again (default: ${DEFAULT-VALUE}).")
    int managerFailovers;

    @CommandLine.Mixin
    ScaleOptions scale = new ScaleOptions();

    private final List<ObjectNode> table = new ArrayList<>();
    private DataModel benchModel;

    /** {@code mipfed bench ...}, with the CLI's logging and error handling. */
    public static void main(String[] args) {
        System.exit(
                org.mipfed.cli.Main.execute(new CommandLine(new BenchCommand()).setCommandName("mipfed bench"), args));
    }

    @Override
    public Integer call() throws Exception {
        if (only != null && !PARTS.containsAll(only)) {
            List<String> unknown =
                    only.stream().filter(p -> !PARTS.contains(p)).sorted().toList();
            System.err.println("mipfed bench: unknown --only part(s) " + unknown + "; choose from " + PARTS);
            return 2;
        }
        if (managerRuns < 1 || managerFailovers < 0) {
            System.err.println("mipfed bench: --manager-runs must be at least 1 (not " + managerRuns
                    + ") and --manager-failovers at least 0 (not " + managerFailovers + ")");
            return 2;
        }
        Path dir = workDir != null ? workDir : Files.createTempDirectory("mipfed-bench-");
        if (scale.nodes != null) {
            ScaleBench.print(
                    new ScaleBench(
                                    dir,
                                    scale.nodes,
                                    scale.rows,
                                    scale.agentsPerJvm,
                                    scale.runs,
                                    Duration.ofSeconds(scale.warmUpMax))
                            .run(),
                    out,
                    dir);
            return 0;
        }
        if (wanted("managers")) {
            managers(dir.resolve("managers"));
            if (only != null && only.equals(java.util.Set.of("managers"))) {
                print(dir);
                return 0;
            }
        }
        System.err.printf("mipfed bench: %d nodes x %,d rows, %d runs, in %s%n", nodes, rows, runs, dir);
        Path data = dir.resolve("data");
        Path modelFile = SyntheticData.writeDataModel(data, nodes);
        DataModel model = DataModel.parse(Files.readString(modelFile));
        benchModel = model;
        Path dementia = LocalFederation.extractDementiaData(dir.resolve("dementia"));

        if (wanted("import")) {
            measureImport(model, SyntheticData.writeCsv(data, 0, importRows), dir.resolve("import-check"));
        }

        System.err.println("starting the federation ...");
        try (LocalFederation federation = LocalFederation.create(dir.resolve("fed"), 0, 0);
                DuckDbStore pooled = DuckDbStore.open(dir.resolve("pooled.duckdb"));
                AuditLog audit = new AuditLog(dir.resolve("pooled-audit.log"))) {
            String[] aliases = new String[nodes];
            for (int n = 0; n < nodes; n++) {
                aliases[n] = "site" + n;
                List<Path> share = new ArrayList<>();
                for (String cohort : List.of("edsd", "ppmi", "desd-synthdata")) {
                    for (int k = n; k < 10; k += nodes) {
                        share.add(dementia.resolve(cohort + k + ".csv"));
                    }
                }
                int node = n;
                System.err.printf("node %s: generating %,d rows into its store ...%n", aliases[n], rows);
                // Straight into the node's store, streamed: no CSV of the whole table, nothing of it on the heap.
                federation.addNode(
                        aliases[n],
                        null,
                        PrivacyPolicy.DEFAULT.withMinRows(10),
                        List.of(new LocalFederation.DataImport(dementia.resolve("CDEsMetadata.json"), share)),
                        store -> SyntheticData.load(store, model, node, rows));
            }
            federation.start("all");
            federation.awaitReady(Duration.ofMinutes(2), aliases);
            for (int n = 0; n < nodes; n++) {
                SyntheticData.load(pooled, model, n, rows);
            }
            PrimitiveExecutor executor = new PrimitiveExecutor(pooled, PrivacyPolicy.minRowsOnly(10), audit);
            List<String> datasets = new ArrayList<>();
            for (int n = 0; n < nodes; n++) {
                datasets.add("site" + n);
            }
            List<String> xs = new ArrayList<>(SyntheticData.covariates());
            compare(
                    federation.admin(),
                    executor,
                    model,
                    "descriptive_stats",
                    request(datasets, List.of(), withY(xs, "y")));
            List<String> lrX = new ArrayList<>(xs);
            lrX.addAll(List.of("gender", "agegroup"));
            compare(federation.admin(), executor, model, "linear_regression", request(datasets, lrX, List.of("y")));
            compare(
                    federation.admin(),
                    executor,
                    model,
                    "logistic_regression",
                    withParameter(request(datasets, xs, List.of("event")), "positive_class", "yes"));
            compare(
                    federation.admin(),
                    executor,
                    model,
                    "pearson_correlation",
                    request(datasets, List.of(), withY(xs.subList(0, 5), "y")));
            compare(federation.admin(), executor, model, "pca", request(datasets, List.of(), xs));
            AnalysisRequest ttest = request(datasets, List.of("gender"), List.of("y"));
            ObjectNode groups =
                    Json.mapper().createObjectNode().put("groupA", "F").put("groupB", "M");
            compare(
                    federation.admin(),
                    executor,
                    model,
                    "ttest_independent",
                    new AnalysisRequest(ttest.dataModel(), ttest.datasets(), ttest.x(), ttest.y(), null, groups, null));
            ObjectNode kmeans = Json.mapper()
                    .createObjectNode()
                    .put("k", 4)
                    .put("maxiter", 20)
                    .put("tol", 1e-6);
            compare(
                    federation.admin(),
                    executor,
                    model,
                    "kmeans",
                    new AnalysisRequest(
                            SyntheticData.MODEL, datasets, List.of(), xs.subList(0, 5), null, kmeans, null));
            if (wanted("reference")) {
                reference(federation.admin(), pooled, datasets, xs);
            }
            if (withR && wanted("r")) {
                timeR(dir, pooled);
            }
            if (wanted("small")) {
                small(federation);
            }
            if (wanted("memory")) {
                memory(federation, aliases);
            }
        }
        print(dir);
        return 0;
    }

    /**
     * Linear regression of y on the ten covariates, federated, against an independent pooled fit in
     * double-double sums and 40-digit decimals ({@link HighPrecisionReference}).
     */
    private void reference(AdminClient admin, DuckDbStore pooled, List<String> datasets, List<String> xs) {
        System.err.println("high-precision reference ...");
        JsonNode federated = admin.post(
                "/algorithms/linear_regression",
                request(datasets, xs, List.of("y")).toJson());
        double[] exact = HighPrecisionReference.ols(pooled, StoreCatalog.dataTable(benchModel), xs, "y");
        double worst = 0;
        for (int i = 0; i < exact.length; i++) {
            double f = federated.path("coefficients").path(i).asDouble(Double.NaN);
            worst = Math.max(
                    worst, f == exact[i] ? 0 : Math.abs(f - exact[i]) / Math.max(Math.abs(f), Math.abs(exact[i])));
        }
        ObjectNode row = row("linear_regression vs high-precision reference", "precision");
        row.put("rows", rows * nodes).put("nodes", nodes).put("max_rel_diff", worst);
        table.add(row);
    }

    /**
     * R on the pooled rows: the table is written once as CSV (not timed), read with data.table, and
     * each model call alone is timed, as the median of the runs after one warm-up.
     */
    private void timeR(Path dir, DuckDbStore pooled) throws IOException, InterruptedException {
        Path rscript = RTimings.rscript().orElse(null);
        if (rscript == null) {
            System.err.println("Rscript not found: R timings skipped");
            return;
        }
        Path csv = dir.resolve("pooled.csv").toAbsolutePath();
        System.err.println("R: writing the pooled rows to " + csv + " ...");
        String dataTable = StoreCatalog.dataTable(benchModel);
        pooled.withConnection(connection -> {
            try (var statement = connection.createStatement()) {
                statement.execute("COPY (SELECT " + String.join(", ", SyntheticData.columns()) + " FROM \"" + dataTable
                        + "\") TO '" + csv.toString().replace("'", "''") + "' (HEADER)");
            }
            return null;
        });
        System.err.println("R: timing the same analyses (lm, glm, cor, prcomp, t.test, kmeans) ...");
        // Only the analyses measured here: R's time goes into their rows, and on millions of rows each call takes
        // seconds.
        Map<String, Double> times;
        try {
            times = RTimings.time(
                    rscript,
                    dir,
                    csv,
                    runs,
                    RTimings.ANALYSES.stream().filter(this::wanted).toList());
        } catch (IOException e) {
            System.err.println(e.getMessage());
            return;
        }
        times.forEach((name, ms) -> table.stream()
                .filter(t -> t.path("what").asText().equals(name)
                        && t.path("kind").asText().equals("analysis"))
                .findFirst()
                .ifPresent(t ->
                        t.put("r_ms", ms).put("ratio_r", t.path("federated_ms").asDouble() / ms)));
    }

    private static List<String> withY(List<String> xs, String y) {
        List<String> out = new ArrayList<>(xs);
        out.add(y);
        return out;
    }

    private static AnalysisRequest request(List<String> datasets, List<String> x, List<String> y) {
        return new AnalysisRequest(SyntheticData.MODEL, datasets, x, y, null, null, null);
    }

    private static AnalysisRequest withParameter(AnalysisRequest r, String key, String value) {
        ObjectNode p = Json.mapper().createObjectNode().put(key, value);
        return new AnalysisRequest(r.dataModel(), r.datasets(), r.x(), r.y(), r.filters(), p, r.flags());
    }

    /**
     * Validated import of one CSV file into a new DuckDB store, as {@code mipfed data import} does it: one warm-up,
     * then the median of {@code --runs} imports, each into a store of its own.
     */
    private void measureImport(DataModel model, Path csv, Path dir) throws Exception {
        List<Long> times = new ArrayList<>();
        ImportResult result = null;
        for (int run = -1; run < runs; run++) {
            Path runDir = dir.resolve("run" + (run + 1));
            Files.createDirectories(runDir);
            try (DuckDbStore store = DuckDbStore.open(runDir.resolve("store.duckdb"))) {
                result = new DataImporter(store).importCsv(model, csv, ProgressListener.NONE);
            }
            double seconds = result.elapsed().toNanos() / 1e9;
            System.err.printf(
                    "import%s: %,d rows, %.1f MB in %.2f s = %.1f MB/s%n",
                    run < 0 ? " (warm-up)" : "",
                    result.rows(),
                    result.bytes() / 1e6,
                    seconds,
                    result.bytes() / 1e6 / seconds);
            if (run >= 0) {
                times.add(result.elapsed().toNanos());
            }
            Directories.deleteTree(runDir);
        }
        double ms = median(times) / 1e6;
        ObjectNode row = row("import (validated, DuckDB)", "csv");
        row.put("rows", result.rows())
                .put("nodes", 1)
                .put("federated_ms", ms)
                .put("mb", result.bytes() / 1e6)
                .put("mb_per_s", result.bytes() / 1e6 / (ms / 1e3));
        table.add(row);
    }

    private boolean wanted(String part) {
        return only == null || only.isEmpty() || only.contains(part);
    }

    private void compare(
            AdminClient admin, PrimitiveExecutor executor, DataModel model, String name, AnalysisRequest request) {
        if (!wanted(name)) {
            return;
        }
        Algorithm algorithm = Algorithms.standard().find(name).orElse(null);
        if (algorithm == null) {
            System.err.println(name + ": not available yet, skipped");
            return;
        }
        System.err.println(name + " ...");
        try {
            measure(admin, executor, model, algorithm, request);
        } catch (Problem p) {
            // One algorithm's refusal must not cost the whole run its table.
            System.err.println(name + ": " + p.detail());
            table.add(row(name, "analysis").put("failed", p.detail()));
        }
    }

    private void measure(
            AdminClient admin,
            PrimitiveExecutor executor,
            DataModel model,
            Algorithm algorithm,
            AnalysisRequest request) {
        String name = algorithm.name();
        JsonNode body = request.toJson();
        List<Long> federated = new ArrayList<>();
        JsonNode federatedResult = null;
        for (int i = 0; i < runs + 2; i++) {
            long start = System.nanoTime();
            federatedResult = admin.post("/algorithms/" + name, body);
            if (i >= 2) {
                federated.add(System.nanoTime() - start);
            }
        }
        List<Long> pooledTimes = new ArrayList<>();
        JsonNode pooledResult = null;
        for (int i = 0; i < runs + 2; i++) {
            long start = System.nanoTime();
            pooledResult = algorithm
                    .run(
                            RequestValidator.validate(algorithm, request, model),
                            new PooledFederation(
                                    model, executor, request.datasets(), Filters.parse(request.filters(), model)))
                    .toJson();
            if (i >= 2) {
                pooledTimes.add(System.nanoTime() - start);
            }
        }
        double fed = median(federated) / 1e6;
        double pool = median(pooledTimes) / 1e6;
        ObjectNode row = row(name, "analysis");
        row.put("rows", rows * nodes)
                .put("nodes", nodes)
                .put("federated_ms", fed)
                .put("pooled_ms", pool)
                .put("ratio", fed / pool)
                .put("overhead_ms", fed - pool)
                .put("max_rel_diff", maxRelativeDifference(pooledResult, federatedResult));
        table.add(row);
    }

    /**
     * Latency of a small analysis on the dementia data, then throughput with concurrent clients. Both measure the
     * federation warmed up, as it runs in service: the clients' load runs unmeasured until the JIT compilers of the
     * manager, the nodes and this process have gone quiet ({@link #warmUp}).
     */
    private void small(LocalFederation federation) throws InterruptedException {
        JsonNode body = ManagerGroupBench.smallAnalysis();
        AdminClient admin = federation.admin();
        double warmUp = warmUp(federation, admin, body);
        for (int i = 0; i < 50; i++) {
            admin.post("/algorithms/linear_regression", body);
        }
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            long start = System.nanoTime();
            admin.post("/algorithms/linear_regression", body);
            latencies.add(System.nanoTime() - start);
        }
        Collections.sort(latencies);
        ObjectNode latency = row("linear_regression, demo data", "latency");
        latency.put("nodes", nodes)
                .put("warm_up_s", warmUp)
                .put("p50_ms", latencies.get(latencies.size() / 2) / 1e6)
                .put("p99_ms", latencies.get(latencies.size() * 99 / 100) / 1e6);
        table.add(latency);
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Long> pids = servingPids(federation);
        double[] cpuBefore = ProcessCpu.each(pids);
        double[] jitBefore = JitActivity.each(pids);
        load(admin, body, done, failed);
        table.add(cpuPerAnalysis(pids, cpuBefore, jitBefore, done.get()));
        ObjectNode throughput = row("linear_regression, demo data, " + clients + " clients", "throughput");
        throughput
                .put("nodes", nodes)
                .put("per_second", done.get() / (double) seconds)
                .put("failed", failed.get());
        table.add(throughput);
        table.add(logisticLatency(federation, pids));
    }

    /**
     * The managers with real processes ({@link ManagerGroupBench}): a federation of three nodes with one manager,
     * then three: analysis latency, write latency, failover (the leader killed) and catch-up.
     */
    private void managers(Path dir) {
        System.err.printf(
                "managers: 3 nodes and 1 manager, then 3 managers, as processes in %s (%d analyses and writes per"
                        + " figure, %d failovers) ...%n",
                dir, managerRuns, managerFailovers);
        table.addAll(ManagerGroupBench.run(dir, managerRuns, managerFailovers));
    }

    /** This process (the clients), the manager and the nodes: every process a small analysis costs CPU in. */
    private List<Long> servingPids(LocalFederation federation) {
        List<Long> pids = new ArrayList<>();
        pids.add(ProcessHandle.current().pid());
        pids.add(federation.managerProcess().pid());
        for (int n = 0; n < nodes; n++) {
            pids.add(federation.node("site" + n).process().pid());
        }
        return pids;
    }

    /**
     * The CPU time of the throughput run over all the processes (the clients, the manager, the nodes: the first pid
     * is the clients', the second the manager's), per analysis answered; and how much of it the JIT compiler threads
     * took ({@code cpu_ms_jit}, included in {@code cpu_ms}): a warm-up that stopped at {@code --warm-up-max} with the
     * compilers still busy inflates {@code cpu_ms} by that much, so {@code cpu_ms_without_jit} compares runs of
     * different warm-ups (and the manager's and nodes' own figures without their compilers).
     */
    private ObjectNode cpuPerAnalysis(List<Long> pids, double[] before, double[] jitBefore, long analyses) {
        double[] after = ProcessCpu.each(pids);
        double[] jitAfter = JitActivity.each(pids);
        double clientsMs = after[0] - before[0];
        double managerMs = after[1] - before[1];
        double nodesMs = 0;
        double jitMs = 0;
        double nodesJitMs = 0;
        for (int i = 0; i < pids.size(); i++) {
            jitMs += jitAfter[i] - jitBefore[i];
        }
        for (int i = 2; i < pids.size(); i++) {
            nodesMs += after[i] - before[i];
            nodesJitMs += jitAfter[i] - jitBefore[i];
        }
        double managerJitMs = jitAfter[1] - jitBefore[1];
        return row("CPU per small analysis (all processes)", "cpu")
                .put("nodes", nodes)
                .put("analyses", analyses)
                .put("cpu_ms", (clientsMs + managerMs + nodesMs) / analyses)
                .put("cpu_ms_clients", clientsMs / analyses)
                .put("cpu_ms_manager", managerMs / analyses)
                .put("cpu_ms_nodes", nodesMs / analyses)
                .put("cpu_ms_jit", jitMs / analyses)
                .put("cpu_ms_without_jit", (clientsMs + managerMs + nodesMs - jitMs) / analyses)
                .put("cpu_ms_manager_without_jit", (managerMs - managerJitMs) / analyses)
                .put("cpu_ms_nodes_without_jit", (nodesMs - nodesJitMs) / analyses);
    }

    /**
     * Latency (p50/p99) of a small logistic regression on the dementia data (is the patient a woman, from the volumes
     * of both hippocampi), after as many unmeasured ones, once the linear regressions have warmed the federation up;
     * with what load and JIT disturb far less than its wall time: the rounds per analysis (the manager's
     * {@code mipfed_analysis_rounds}) and the CPU per analysis of the manager and the nodes without their JIT
     * compiler threads.
     */
    private ObjectNode logisticLatency(LocalFederation federation, List<Long> pids) {
        AdminClient admin = federation.admin();
        JsonNode body = withParameter(
                        new AnalysisRequest(
                                "dementia:0.1",
                                ManagerGroupBench.SMALL_DATASETS,
                                List.of("lefthippocampus", "righthippocampus"),
                                List.of("gender"),
                                null,
                                null,
                                null),
                        "positive_class",
                        "F")
                .toJson();
        List<Long> latencies = new ArrayList<>();
        double roundsBefore = Double.NaN;
        double[] cpuBefore = null;
        double[] jitBefore = null;
        for (int i = 0; i < 200; i++) {
            if (i == 100) {
                roundsBefore = managerMetric(federation, "mipfed_analysis_rounds_sum", "logistic_regression");
                cpuBefore = ProcessCpu.each(pids);
                jitBefore = JitActivity.each(pids);
            }
            long start = System.nanoTime();
            admin.post("/algorithms/logistic_regression", body);
            if (i >= 100) {
                latencies.add(System.nanoTime() - start);
            }
        }
        double[] cpuAfter = ProcessCpu.each(pids);
        double[] jitAfter = JitActivity.each(pids);
        double rounds = managerMetric(federation, "mipfed_analysis_rounds_sum", "logistic_regression") - roundsBefore;
        int measured = latencies.size();
        double managerMs = (cpuAfter[1] - cpuBefore[1]) - (jitAfter[1] - jitBefore[1]);
        double nodesMs = 0;
        for (int i = 2; i < pids.size(); i++) {
            nodesMs += (cpuAfter[i] - cpuBefore[i]) - (jitAfter[i] - jitBefore[i]);
        }
        Collections.sort(latencies);
        return row("logistic_regression, demo data", "latency")
                .put("nodes", nodes)
                .put("p50_ms", latencies.get(measured / 2) / 1e6)
                .put("p99_ms", latencies.get(measured * 99 / 100) / 1e6)
                .put("rounds", rounds / measured)
                .put("cpu_ms_manager_without_jit", managerMs / measured)
                .put("cpu_ms_nodes_without_jit", nodesMs / measured);
    }

    /**
     * The sum of a metric of the manager's {@code /metrics} (Prometheus text) over its series tagged with
     * {@code tag} (e.g. {@code mipfed_analysis_rounds_sum} of one algorithm); NaN when the manager does not answer.
     */
    private static double managerMetric(LocalFederation federation, String name, String tag) {
        try {
            HttpResponse<String> answer = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + federation.httpPort() + "/metrics"))
                                    .header("Authorization", "Bearer " + federation.adminToken())
                                    .timeout(Duration.ofSeconds(30))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            double sum = 0;
            boolean found = false;
            for (String line : answer.body().split("\n")) {
                if (line.startsWith(name + "{") && line.contains("\"" + tag + "\"")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    found = true;
                }
            }
            return found ? sum : Double.NaN;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    /**
     * Runs the clients' load, unmeasured, in windows of {@value #WARM_UP_WINDOW} s until the JIT compiler threads of
     * all the processes together used less than {@value #JIT_QUIET} of a core over a window, or for at most
     * {@code --warm-up-max} seconds. A JVM compiles a method only after thousands of calls, so after a start
     * the compilers of the manager and the nodes take a large share of the 2 cores for a minute or two: that is
     * the cost of a fresh start, not of a request. Returns the seconds spent.
     */
    private double warmUp(LocalFederation federation, AdminClient admin, JsonNode body) throws InterruptedException {
        List<Long> pids = new ArrayList<>();
        pids.add(ProcessHandle.current().pid());
        pids.add(federation.managerProcess().pid());
        for (int n = 0; n < nodes; n++) {
            pids.add(federation.node("site" + n).process().pid());
        }
        JitActivity jit = new JitActivity(pids);
        long started = System.nanoTime();
        double elapsed = 0;
        while (true) {
            double before = jit.cpuSeconds();
            load(admin, body, new AtomicLong(), new AtomicLong(), WARM_UP_WINDOW);
            double share = (jit.cpuSeconds() - before) / WARM_UP_WINDOW;
            elapsed = (System.nanoTime() - started) / 1e9;
            System.err.printf(
                    "small analyses: warming up, %.0f s, JIT compilers at %.0f%% of a core%n", elapsed, 100 * share);
            if (elapsed >= seconds && (share < JIT_QUIET || Double.isNaN(share)) || elapsed >= warmUpMax) {
                return elapsed;
            }
        }
    }

    /** {@code --clients} clients posting {@code body} for {@code --seconds}, counting answers and failures. */
    private void load(AdminClient admin, JsonNode body, AtomicLong done, AtomicLong failed)
            throws InterruptedException {
        load(admin, body, done, failed, seconds);
    }

    private void load(AdminClient admin, JsonNode body, AtomicLong done, AtomicLong failed, int seconds)
            throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (int c = 0; c < clients; c++) {
            pool.execute(() -> {
                while (System.nanoTime() < end) {
                    try {
                        admin.post("/algorithms/linear_regression", body);
                        done.incrementAndGet();
                    } catch (RuntimeException e) {
                        failed.incrementAndGet();
                    }
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(seconds + 60L, TimeUnit.SECONDS);
    }

    private void memory(LocalFederation federation, String[] aliases) {
        ObjectNode row = row("peak resident memory", "memory");
        row.put("manager_mb", peakMb(federation.managerProcess()));
        double nodeMax = 0;
        for (String a : aliases) {
            nodeMax = Math.max(nodeMax, peakMb(federation.node(a).process()));
        }
        row.put("node_max_mb", nodeMax);
        table.add(row);
    }

    /** VmHWM of a process, from /proc (Linux). */
    private static double peakMb(Process p) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    private ObjectNode row(String what, String kind) {
        return Json.mapper().createObjectNode().put("what", what).put("kind", kind);
    }

    private static double median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    }

    /** The largest relative difference between two results' numbers (the federated answer must equal the pooled one). */
    static double maxRelativeDifference(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return Double.NaN;
        }
        if (a.isNumber() && b.isNumber()) {
            double x = a.asDouble();
            double y = b.asDouble();
            return x == y ? 0 : Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y));
        }
        double worst = 0;
        if (a.isArray() && b.isArray()) {
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                worst = Math.max(worst, maxRelativeDifference(a.get(i), b.get(i)));
            }
        } else if (a.isObject() && b.isObject()) {
            var names = a.fieldNames();
            while (names.hasNext()) {
                String f = names.next();
                if (b.has(f) && !f.equals("contributing_nodes")) {
                    worst = Math.max(worst, maxRelativeDifference(a.get(f), b.get(f)));
                }
            }
        }
        return worst;
    }

    private void print(Path dir) throws IOException {
        StringBuilder text = new StringBuilder();
        boolean managersOnly =
                table.stream().allMatch(r -> r.path("kind").asText().equals("managers"));
        text.append(String.format(
                "mipfed bench, %s, %d cores, Java %s; %s%n%n",
                LocalDate.now(),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                managersOnly
                        ? String.format(
                                "managers: 3 nodes, %d analyses and writes per figure, %d failovers",
                                managerRuns, managerFailovers)
                        : String.format("%d nodes x %,d rows; medians of %d runs", nodes, rows, runs)));
        text.append(String.format(
                "| %-40s | %12s | %14s | %11s | %9s | %s |%n",
                "what", "rows", "federated (ms)", "pooled (ms)", "fed/pool", "other"));
        text.append("|" + "-".repeat(42) + "|" + "-".repeat(14) + "|" + "-".repeat(16) + "|" + "-".repeat(13) + "|"
                + "-".repeat(11) + "|-------|\n");
        ArrayNode json = Json.mapper().createArrayNode();
        StringBuilder csv = new StringBuilder(
                "what,kind,rows,nodes,federated_ms,pooled_ms,ratio,overhead_ms,r_ms,ratio_r,max_rel_diff,warm_up_s,p50_ms,p99_ms,per_second,mb_per_s,cpu_ms,cpu_ms_clients,cpu_ms_manager,cpu_ms_nodes,manager_mb,node_max_mb,managers,analyses,analyses_failed,slowest_ms,answered_ms,failover_ms,failover_max_ms,failover_both_ms,failover_both_max_ms,nodes_ready_ms,catch_up_ms,catch_up_max_ms,idle_cpu_ms_manager_per_s,cpu_ms_manager_above_idle,load_average,cpu_ms_jit,cpu_ms_without_jit,cpu_ms_manager_without_jit,cpu_ms_nodes_without_jit,rounds\n");
        for (ObjectNode r : table) {
            json.add(r);
            StringBuilder other = new StringBuilder();
            if (r.has("failed") && r.get("failed").isTextual()) {
                other.append("failed: ").append(r.get("failed").asText()).append(' ');
            }
            for (String f : List.of(
                    "overhead_ms",
                    "r_ms",
                    "ratio_r",
                    "max_rel_diff",
                    "warm_up_s",
                    "p50_ms",
                    "p99_ms",
                    "per_second",
                    "mb_per_s",
                    "cpu_ms",
                    "cpu_ms_clients",
                    "cpu_ms_manager",
                    "cpu_ms_nodes",
                    "cpu_ms_jit",
                    "cpu_ms_without_jit",
                    "cpu_ms_manager_without_jit",
                    "cpu_ms_nodes_without_jit",
                    "rounds",
                    "manager_mb",
                    "node_max_mb",
                    "failover_ms",
                    "failover_max_ms",
                    "failover_both_ms",
                    "analyses_failed",
                    "slowest_ms",
                    "catch_up_ms",
                    "load_average",
                    "failed")) {
                if (r.has(f) && r.get(f).isNumber()) {
                    other.append(f)
                            .append('=')
                            .append(String.format("%.4g", r.get(f).asDouble()))
                            .append(' ');
                }
            }
            text.append(String.format(
                    "| %-40s | %12s | %14s | %11s | %9s | %s |%n",
                    r.path("what").asText(),
                    r.has("rows") ? String.format("%,d", r.get("rows").asLong()) : "",
                    num(r, "federated_ms"),
                    num(r, "pooled_ms"),
                    num(r, "ratio"),
                    other.toString().trim()));
            List<String> cells = new ArrayList<>();
            for (String f : csv.toString().lines().findFirst().orElseThrow().split(",")) {
                cells.add(r.has(f) ? r.get(f).asText().replace(',', ';') : "");
            }
            csv.append(String.join(",", cells)).append('\n');
        }
        if (table.stream().anyMatch(r -> !r.path("kind").asText().equals("managers"))) {
            text.append('\n').append(SpeedTargets.text(table, clients));
        }
        if (table.stream().anyMatch(r -> r.path("kind").asText().equals("managers"))) {
            text.append('\n').append(ManagerTable.text(table));
        }
        System.out.println(text);
        Files.createDirectories(out);
        Files.writeString(out.resolve("bench.txt"), text);
        Files.write(out.resolve("bench.json"), Json.pretty().writeValueAsBytes(json));
        Files.writeString(out.resolve("bench.csv"), csv);
        System.err.println("written to " + out.toAbsolutePath() + " (data and logs in " + dir + ")");
    }

    private static String num(ObjectNode r, String field) {
        return r.has(field) ? String.format("%.2f", r.get(field).asDouble()) : "";
    }
}
