package org.mipfed.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.mipfed.cli.client.AdminClient;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.AnalysisRequest;
import org.mipfed.node.privacy.PrivacyPolicy;

/**
 * The managers' part of {@code mipfed bench --only managers}, with real processes on loopback, as an operator runs
 * them: a federation of three nodes (the dementia data, as the {@code small} part) and one manager, then the same
 * federation with two more managers joined with the manager token ({@code mipfed manager join}). With each it
 * measures
 *
 * <ul>
 *   <li>the latency of a small analysis (the linear regression of the {@code small} part), one after the other,
 *       spread over the managers in turn, after a warm-up of each manager's JVM; and the CPU the managers and the
 *       nodes spent per analysis (from {@code /proc}), which a shared machine disturbs less than wall time;
 *   <li>the latency of a write (a node's label, {@code POST /admin/nodes/{id}/labels}), through each manager in
 *       turn: through a follower it is forwarded to the leader and committed by a majority;
 *   <li>with three managers, the failover: eight clients run analyses on the two other managers while the leader's
 *       process is killed ({@code kill -9}); the time until a write is accepted again on a survivor (on the first,
 *       and on both), the analyses that failed on the survivors meanwhile and the slowest one; then the killed
 *       manager is started again and the time until it holds the same state (applied index and state digest) as
 *       the others once it answers. With one manager there is no survivor: the figure is its restart, from the
 *       kill until a write is accepted (every analysis fails meanwhile).
 * </ul>
 */
final class ManagerGroupBench implements AutoCloseable {
    static final String[] NODES = {"site0", "site1", "site2"};
    private static final Duration PATIENCE = Duration.ofMinutes(3);
    /** Clients running analyses on the survivors while the leader is killed, as the failover test. */
    private static final int CLIENTS = 8;
    /** The target: writes accepted again on a survivor within 5 s of the leader's loss. */
    static final double FAILOVER_TARGET_MS = 5_000;

    private static final double JIT_QUIET = 0.05;
    private static final int WARM_UP_MAX_SECONDS = 180;
    private static final int IDLE_SECONDS = 10;
    /** The target: a restarted manager caught up within 10 s. */
    static final double CATCH_UP_TARGET_MS = 10_000;

    private final LocalFederation federation;
    private final int runs;
    private final JsonNode analysis;
    private final String labelledNode;
    private final AtomicLong writes = new AtomicLong();

    private ManagerGroupBench(Path dir, int runs) {
        this.runs = runs;
        Path dementia = LocalFederation.extractDementiaData(dir.resolve("dementia"));
        federation = LocalFederation.create(dir.resolve("fed"), 0, 0);
        try {
            for (int n = 0; n < NODES.length; n++) {
                List<Path> share = new ArrayList<>();
                for (String cohort : List.of("edsd", "ppmi", "desd-synthdata")) {
                    for (int k = n; k < 10; k += NODES.length) {
                        share.add(dementia.resolve(cohort + k + ".csv"));
                    }
                }
                System.err.printf("managers: node %s joins ...%n", NODES[n]);
                federation.addNode(
                        NODES[n],
                        null,
                        PrivacyPolicy.DEFAULT.withMinRows(10),
                        List.of(new LocalFederation.DataImport(dementia.resolve("CDEsMetadata.json"), share)));
            }
            federation.start("all");
            federation.awaitReady(PATIENCE, NODES);
        } catch (RuntimeException e) {
            federation.close();
            throw e;
        }
        labelledNode = federation.node(NODES[0]).nodeId();
        analysis = smallAnalysis();
    }

    /** The datasets of the small analyses (here and in the {@code small} part): two of each cohort. */
    static final List<String> SMALL_DATASETS =
            List.of("edsd0", "edsd1", "ppmi0", "ppmi1", "desd-synthdata0", "desd-synthdata1");

    /** The small linear regression (here and in the {@code small} part): lefthippocampus on righthippocampus, gender. */
    static JsonNode smallAnalysis() {
        return new AnalysisRequest(
                        "dementia:0.1",
                        SMALL_DATASETS,
                        List.of("righthippocampus", "gender"),
                        List.of("lefthippocampus"),
                        null,
                        null,
                        null)
                .toJson();
    }

    /**
     * The rows of both group sizes: with one manager, then with three (two joined): analysis latency, write latency,
     * and the restart (one) or failover (three, {@code failovers} times).
     */
    static List<ObjectNode> run(Path dir, int runs, int failovers) {
        try (ManagerGroupBench bench = new ManagerGroupBench(dir, runs)) {
            return bench.measure(failovers);
        }
    }

    private List<ObjectNode> measure(int failovers) {
        List<ObjectNode> rows = new ArrayList<>();
        System.err.println("managers: 1 manager, warming up ...");
        warmUp();
        rows.add(analysisLatency());
        rows.add(writeLatency());
        rows.add(restartAlone());
        print(rows);
        for (int m = 1; m < 3; m++) {
            System.err.printf("managers: manager %d joins with the manager token ...%n", m + 1);
            federation.addManager();
        }
        federation.awaitManagersReady(PATIENCE, NODES);
        System.err.println("managers: 3 managers, warming up ...");
        warmUp();
        rows.add(analysisLatency());
        rows.add(writeLatency());
        print(rows.subList(3, rows.size()));
        List<Failover> runsOfFailover = new ArrayList<>();
        for (int t = 0; t < failovers; t++) {
            Failover f;
            try {
                f = failover();
            } catch (RuntimeException e) {
                // the figures measured so far are kept: the table says which failover could not be measured and why
                System.err.println("managers: failover " + (t + 1) + " of " + failovers + " failed: " + e.getMessage());
                rows.add(row("failover, 3 managers (kill -9 of the leader)", 3)
                        .put("runs", t)
                        .put("failed", "failover " + (t + 1) + ": " + e.getMessage()));
                return rows;
            }
            runsOfFailover.add(f);
            System.err.printf(
                    "managers: failover %d of %d: %s killed; first write on a survivor after %.0f ms, on both after"
                            + " %.0f ms; %d of %d analyses failed on the survivors (slowest %.0f ms); caught up %.0f ms"
                            + " after its restart answered%n",
                    t + 1,
                    failovers,
                    f.killed,
                    f.firstWriteMs,
                    f.bothWriteMs,
                    f.failed,
                    f.failed + f.answered,
                    f.slowestMs,
                    f.catchUpMs);
        }
        if (!runsOfFailover.isEmpty()) {
            rows.add(failoverRow(runsOfFailover));
            print(rows.subList(rows.size() - 1, rows.size()));
        }
        return rows;
    }

    private static void print(List<ObjectNode> rows) {
        rows.forEach(r -> System.err.println("managers: " + r));
    }

    /**
     * A new JVM compiles its hot paths after thousands of calls: analyses through each manager in turn, unmeasured, in
     * rounds of 50 per manager, at least two rounds, until the JIT compilers of the managers and the nodes used less
     * than {@value #JIT_QUIET} of a core over a round, or for at most {@value #WARM_UP_MAX_SECONDS} s.
     */
    private void warmUp() {
        JitActivity jit = new JitActivity(servingPids());
        long started = System.nanoTime();
        for (int round = 0; ; round++) {
            double compiled = jit.cpuSeconds();
            long roundStarted = System.nanoTime();
            for (int i = 0; i < 50 * federation.managerCount(); i++) {
                admin(i).post("/algorithms/linear_regression", analysis);
            }
            double share = (jit.cpuSeconds() - compiled) / ((System.nanoTime() - roundStarted) / 1e9);
            double elapsed = (System.nanoTime() - started) / 1e9;
            if (round >= 1 && (share < JIT_QUIET || Double.isNaN(share)) || elapsed > WARM_UP_MAX_SECONDS) {
                System.err.printf(
                        "managers: warmed up in %.0f s (JIT compilers at %.0f%% of a core in the last round)%n",
                        elapsed, 100 * share);
                return;
            }
        }
    }

    /**
     * The CPU the managers spend per second while no request comes (Raft heartbeats, the nodes' sessions): what
     * {@code cpu_ms_manager} holds besides the analyses, measured over {@value #IDLE_SECONDS} s.
     */
    private double idleManagersCpuPerSecond() {
        List<Long> pids = servingPids().subList(0, federation.managerCount());
        double[] before = ProcessCpu.each(pids);
        long started = System.nanoTime();
        sleep(IDLE_SECONDS * 1_000L);
        double[] after = ProcessCpu.each(pids);
        double used = 0;
        for (int p = 0; p < pids.size(); p++) {
            used += after[p] - before[p];
        }
        return used / ((System.nanoTime() - started) / 1e9);
    }

    /** The load average over the last minute ({@code /proc/loadavg}), NaN where it cannot be read. */
    static double loadAverage() {
        try {
            return Double.parseDouble(
                    java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (java.io.IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private AdminClient admin(int i) {
        return federation.admin(i % federation.managerCount());
    }

    private String managers() {
        int n = federation.managerCount();
        return n + " manager" + (n > 1 ? "s" : "");
    }

    private ObjectNode analysisLatency() {
        double idle = idleManagersCpuPerSecond();
        List<Long> pids = servingPids();
        long began = System.nanoTime();
        List<Long> latencies = new ArrayList<>();
        double[] before = ProcessCpu.each(pids);
        for (int i = 0; i < runs; i++) {
            AdminClient through = admin(i);
            long started = System.nanoTime();
            through.post("/algorithms/linear_regression", analysis);
            latencies.add(System.nanoTime() - started);
        }
        double[] after = ProcessCpu.each(pids);
        double seconds = (System.nanoTime() - began) / 1e9;
        int managers = federation.managerCount();
        double managersMs = 0;
        double nodesMs = 0;
        for (int p = 0; p < pids.size(); p++) {
            double used = after[p] - before[p];
            if (p < managers) {
                managersMs += used;
            } else {
                nodesMs += used;
            }
        }
        return row("analysis (small linear regression), " + managers(), latencies)
                .put("analyses", runs)
                .put("cpu_ms_manager", managersMs / runs)
                .put("cpu_ms_nodes", nodesMs / runs)
                .put("idle_cpu_ms_manager_per_s", idle)
                .put("cpu_ms_manager_above_idle", (managersMs - idle * seconds) / runs);
    }

    /** The managers' processes first, then the nodes'. */
    private List<Long> servingPids() {
        List<Long> pids = new ArrayList<>();
        for (int i = 0; i < federation.managerCount(); i++) {
            pids.add(federation.managerProcess(i).pid());
        }
        for (String node : NODES) {
            pids.add(federation.node(node).process().pid());
        }
        return pids;
    }

    private ObjectNode writeLatency() {
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < 2 * runs; i++) {
            long started = System.nanoTime();
            write(admin(i));
            if (i >= runs) {
                latencies.add(System.nanoTime() - started);
            }
        }
        return row("write (a node's label), " + managers(), latencies);
    }

    /** A write: a new value of the node's label {@code bench}, so that each one changes the federation state. */
    private void write(AdminClient through) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.putObject("add").put("bench", Long.toString(writes.incrementAndGet()));
        through.post("/admin/nodes/" + labelledNode + "/labels", body);
    }

    private ObjectNode row(String what, List<Long> latencies) {
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return row(what, federation.managerCount())
                .put("p50_ms", sorted.get(sorted.size() / 2) / 1e6)
                .put("p99_ms", sorted.get(sorted.size() * 99 / 100) / 1e6);
    }

    /** One manager: kill -9, start it again from its data directory, and time until a write is accepted. */
    private ObjectNode restartAlone() {
        System.err.println("managers: 1 manager, kill -9 and restart ...");
        long killed = System.nanoTime();
        federation.killManager(0);
        federation.restartManager(0);
        double answeredMs = (System.nanoTime() - killed) / 1e6;
        awaitWrite(0);
        double writableMs = (System.nanoTime() - killed) / 1e6;
        federation.awaitReady(PATIENCE, NODES);
        double readyMs = (System.nanoTime() - killed) / 1e6;
        return row("restart, 1 manager (kill -9; no survivor)", 1)
                .put("runs", 1)
                .put("answered_ms", answeredMs)
                .put("failover_ms", writableMs)
                .put("failover_max_ms", writableMs)
                .put("nodes_ready_ms", readyMs);
    }

    /** Writes through manager {@code i} until one is accepted (each refused one answers 503 within 2 s). */
    private void awaitWrite(int i) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            try {
                write(federation.admin(i));
                return;
            } catch (Problem p) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "no write accepted through manager " + i + " within " + PATIENCE.toSeconds() + " s: "
                                    + p.getMessage(),
                            p);
                }
                sleep(10);
            }
        }
    }

    /** The index of the manager the others follow, as manager {@code asked} lists them. */
    private int leader(int asked) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode m : federation.admin(asked).get("/admin/managers")) {
                if (m.path("role").asText().equals("leader")) {
                    for (int i = 0; i < federation.managerCount(); i++) {
                        if (federation.managerId(i).equals(m.path("id").asText())) {
                            return i;
                        }
                    }
                }
            }
            sleep(100);
        }
        throw new IllegalStateException("the managers elected no leader within " + PATIENCE.toSeconds() + " s");
    }

    private record Failover(
            String killed,
            double firstWriteMs,
            double bothWriteMs,
            long answered,
            long failed,
            double slowestMs,
            double catchUpMs) {}

    private Failover failover() {
        federation.awaitManagersReady(PATIENCE, NODES);
        int leader = leader(0);
        List<Integer> survivors = new ArrayList<>();
        for (int i = 0; i < federation.managerCount(); i++) {
            if (i != leader) {
                survivors.add(i);
            }
        }
        String killedId = federation.managerId(leader);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong answered = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong slowest = new AtomicLong();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS + survivors.size());
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                AdminClient through = federation.admin(survivors.get(c % survivors.size()));
                work.add(clients.submit(() -> {
                    while (running.get()) {
                        long started = System.nanoTime();
                        try {
                            through.post("/algorithms/linear_regression", analysis);
                            answered.incrementAndGet();
                        } catch (RuntimeException e) {
                            failed.incrementAndGet();
                            if (failures.size() < 5) {
                                failures.add(e.getMessage());
                            }
                        }
                        slowest.accumulateAndGet(System.nanoTime() - started, Math::max);
                    }
                }));
            }
            sleep(1_000);
            long killed = System.nanoTime();
            federation.killManager(leader);
            AtomicLongArray writable = new AtomicLongArray(survivors.size());
            List<Future<?>> writers = new ArrayList<>();
            for (int s = 0; s < survivors.size(); s++) {
                int n = s;
                writers.add(clients.submit(() -> {
                    awaitWrite(survivors.get(n));
                    writable.set(n, System.nanoTime() - killed);
                }));
            }
            for (Future<?> w : writers) {
                w.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            }
            // the analyses go on a little longer on the new leader's group
            sleep(2_000);
            running.set(false);
            for (Future<?> w : work) {
                w.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            }
            long first = Long.MAX_VALUE;
            long both = 0;
            for (int s = 0; s < survivors.size(); s++) {
                first = Math.min(first, writable.get(s));
                both = Math.max(both, writable.get(s));
            }
            if (!failures.isEmpty()) {
                System.err.println("managers: analyses failed on a survivor: " + failures);
            }
            federation.restartManager(leader);
            long answeredAt = System.nanoTime();
            awaitSameState();
            double catchUp = (System.nanoTime() - answeredAt) / 1e6;
            return new Failover(
                    killedId, first / 1e6, both / 1e6, answered.get(), failed.get(), slowest.get() / 1e6, catchUp);
        } catch (Exception e) {
            throw new IllegalStateException("the failover could not be measured: " + e.getMessage(), e);
        } finally {
            running.set(false);
            clients.shutdownNow();
        }
    }

    /** Waits until every manager lists every manager at the same applied index with the same state digest. */
    private void awaitSameState() {
        LocalFederation.await(PATIENCE, "the managers to hold the same state (applied index and digest)", () -> {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < federation.managerCount(); i++) {
                JsonNode listed;
                try {
                    listed = federation.admin(i).get("/admin/managers");
                } catch (Problem p) {
                    return false;
                }
                if (listed.size() != federation.managerCount()) {
                    return false;
                }
                for (JsonNode m : listed) {
                    if (m.path("digest").isNull() || m.path("applied_index").asLong(-1) < 0) {
                        return false;
                    }
                    seen.add(m.path("applied_index").asLong() + "/"
                            + m.path("digest").asText());
                }
            }
            return seen.size() == 1;
        });
    }

    private static ObjectNode failoverRow(List<Failover> runs) {
        List<Double> first = new ArrayList<>();
        List<Double> both = new ArrayList<>();
        List<Double> catchUp = new ArrayList<>();
        long answered = 0;
        long failed = 0;
        double slowest = 0;
        for (Failover f : runs) {
            first.add(f.firstWriteMs);
            both.add(f.bothWriteMs);
            catchUp.add(f.catchUpMs);
            answered += f.answered;
            failed += f.failed;
            slowest = Math.max(slowest, f.slowestMs);
        }
        Collections.sort(first);
        Collections.sort(both);
        Collections.sort(catchUp);
        return row("failover, 3 managers (kill -9 of the leader)", 3)
                .put("runs", runs.size())
                .put("failover_ms", first.get(first.size() / 2))
                .put("failover_max_ms", first.get(first.size() - 1))
                .put("failover_both_ms", both.get(both.size() / 2))
                .put("failover_both_max_ms", both.get(both.size() - 1))
                .put("analyses", answered + failed)
                .put("analyses_failed", failed)
                .put("slowest_ms", slowest)
                .put("catch_up_ms", catchUp.get(catchUp.size() / 2))
                .put("catch_up_max_ms", catchUp.get(catchUp.size() - 1));
    }

    /** A row of this part: what, with how many managers, over the three nodes. */
    private static ObjectNode row(String what, int managers) {
        return Json.mapper()
                .createObjectNode()
                .put("what", what)
                .put("kind", "managers")
                .put("managers", managers)
                .put("nodes", NODES.length)
                .put("load_average", loadAverage());
    }

    @Override
    public void close() {
        requireNonNull(federation, "federation").close();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
