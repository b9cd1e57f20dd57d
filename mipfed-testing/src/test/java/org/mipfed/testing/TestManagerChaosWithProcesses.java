package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.json.Json;

/**
 * Issue #16's chaos with real processes: three managers ({@code mipfed manager join}) and three nodes (two DuckDB, one
 * PostgreSQL) on loopback, mutual TLS. For {@code -Dmipfed.chaos.seconds} (default 180, the three minutes)
 * a random manager among those running is killed with kill -9 every 15 s and started again from its data directory 5 s
 * later (on a thread of its own: the next kill does not wait for the restart), while six
 * clients send, through random managers that run, linear regressions, new experiments ({@code POST /experiments}),
 * labels of a node, role changes of a user, and listings of the managers and experiments, each with a 30 s deadline.
 *
 * <p>Asserted: no request ran past its deadline (a {@code 503 manager-unavailable} answered while the managers elect
 * a leader, or while a restarted one catches up, is allowed and counted); no request to a running manager failed in
 * another way (those cut off by the kill of their manager are counted apart); every experiment a manager acknowledged
 * (202) ends {@code success}, or {@code interrupted} with the reason, on every manager; and afterwards the three
 * managers list the same applied index and state digest. The figures are printed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestManagerChaosWithProcesses {
    private static final long CHAOS_SECONDS = Long.getLong("mipfed.chaos.seconds", 180);
    private static final long KILL_EVERY_MILLIS = 15_000;
    private static final long DOWN_MILLIS = 5_000;
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final Duration PATIENCE = Duration.ofSeconds(180);
    private static final int CLIENTS = 6;
    private static final String USER = "chaos-user";

    // kept when the test fails: the managers' logs say why an experiment stayed unended
    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    static Path dir;

    private ThreeManagerFederation fixture;
    private LocalFederation federation;

    @BeforeAll
    void threeManagersAndThreeNodes() {
        fixture = ThreeManagerFederation.start(dir, "s16_chaos_uoa");
        federation = fixture.federation();
        fixture.awaitNodesReadyOnEveryManager(Duration.ofSeconds(120));
    }

    @AfterAll
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    /** What one request of a client was. */
    private enum Kind {
        ANALYSIS,
        EXPERIMENT,
        LABEL,
        USER_CHANGE,
        LISTING
    }

    @Test
    void killingARandomManagerEvery15SecondsLosesNoExperimentHangsNoRequestAndTheManagersConverge() throws Exception {
        federation
                .admin(0)
                .post(
                        "/admin/users",
                        Json.mapper()
                                .createObjectNode()
                                .put("username", USER)
                                .put("password", "a long enough password")
                                .put("role", "researcher"));
        String node = federation.node("epfl").nodeId();
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ObjectNode regression = TestNodesWithTwoManagers.regression(DEADLINE.toSeconds() - 5);
        ObjectNode experiment = regression.deepCopy().put("algorithm", "linear_regression");

        // per manager: whether clients send to it (it runs, and its nodes reconnected after a restart), and a
        // generation counted up at each kill, so that a request cut off by the kill of its manager is told apart
        int managers = federation.managerCount();
        AtomicLongArray serving = new AtomicLongArray(managers);
        AtomicLongArray generation = new AtomicLongArray(managers);
        for (int i = 0; i < managers; i++) {
            serving.set(i, 1);
        }
        AtomicBoolean running = new AtomicBoolean(true);
        Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
        Map<String, AtomicLong> answered = new ConcurrentHashMap<>();
        Map<String, AtomicLong> refused = new ConcurrentHashMap<>();
        AtomicLong cutOff = new AtomicLong();
        AtomicLong slowest = new AtomicLong();
        AtomicLong slowestRefusal = new AtomicLong();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<String> hung = Collections.synchronizedList(new ArrayList<>());

        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> work = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            Random random = new Random(1600 + c);
            work.add(clients.submit(() -> {
                int n = 0;
                while (running.get()) {
                    int m = random.nextInt(managers);
                    if (serving.get(m) == 0) {
                        Thread.sleep(20);
                        continue;
                    }
                    long before = generation.get(m);
                    int draw = random.nextInt(20);
                    Kind kind = draw < 9
                            ? Kind.ANALYSIS
                            : draw < 13
                                    ? Kind.EXPERIMENT
                                    : draw < 15 ? Kind.LABEL : draw < 17 ? Kind.USER_CHANGE : Kind.LISTING;
                    HttpRequest request = switch (kind) {
                        case ANALYSIS -> post(m, "/algorithms/linear_regression", regression);
                        case EXPERIMENT -> post(m, "/experiments", experiment);
                        case LABEL -> {
                            ObjectNode label = Json.mapper().createObjectNode();
                            label.putObject("add").put("chaos", "write-" + n++);
                            yield post(m, "/admin/nodes/" + node + "/labels", label);
                        }
                        case USER_CHANGE ->
                            fixture.request(m, "/admin/users/" + USER, DEADLINE)
                                    .method(
                                            "PATCH",
                                            HttpRequest.BodyPublishers.ofString(Json.mapper()
                                                    .createObjectNode()
                                                    .put("role", random.nextBoolean() ? "admin" : "researcher")
                                                    .toString()))
                                    .build();
                        case LISTING ->
                            fixture.request(
                                            m,
                                            random.nextBoolean() ? "/admin/managers" : "/experiments?all=true",
                                            DEADLINE)
                                    .GET()
                                    .build();
                    };
                    long started = System.nanoTime();
                    String outcome;
                    try {
                        HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
                        if (answer.statusCode() / 100 == 2) {
                            outcome = "answered";
                            if (kind == Kind.EXPERIMENT) {
                                acknowledged.put(
                                        Json.mapper()
                                                .readTree(answer.body())
                                                .path("id")
                                                .asText(),
                                        m);
                            }
                        } else if ((answer.statusCode() == 503 && answer.body().contains("manager_unavailable"))
                                || (answer.statusCode() == 409 && answer.body().contains("conflict"))) {
                            // refused at once, said so: during an election, or a change raced by other managers'
                            // changes of the same users ten times over
                            outcome = "refused";
                        } else if (generation.get(m) != before) {
                            outcome = "cut off";
                        } else {
                            outcome = "failed";
                            failures.add(
                                    "manager " + m + ", " + kind + ": " + answer.statusCode() + " " + answer.body());
                        }
                    } catch (HttpTimeoutException e) {
                        outcome = "hung";
                        hung.add("manager " + m + ", " + kind + ": no answer within " + DEADLINE.toSeconds() + " s");
                    } catch (IOException e) {
                        if (generation.get(m) != before || serving.get(m) == 0) {
                            outcome = "cut off";
                        } else {
                            outcome = "failed";
                            failures.add("manager " + m + ", " + kind + ": " + e);
                        }
                    }
                    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                    switch (outcome) {
                        case "answered" -> {
                            answered.computeIfAbsent(kind.name(), k -> new AtomicLong())
                                    .incrementAndGet();
                            slowest.accumulateAndGet(took, Math::max);
                        }
                        case "refused" -> {
                            refused.computeIfAbsent(kind.name(), k -> new AtomicLong())
                                    .incrementAndGet();
                            slowestRefusal.accumulateAndGet(took, Math::max);
                        }
                        case "cut off" -> cutOff.incrementAndGet();
                        default -> {
                            // counted in failures or hung
                        }
                    }
                    if (took > DEADLINE.toMillis()) {
                        hung.add("manager " + m + ", " + kind + ": took " + took + " ms");
                    }
                }
                return null;
            }));
        }

        // the cadence: every 15 s kill -9 a random manager among those running (answering since their last
        // start), and start it again 5 s later on a thread of its own, without waiting for it: the next kill comes 15 s
        // after this one whatever the restart takes. Two managers may be down at once (a restart still starting when
        // the next kill comes): writes then answer 503 at once, which is allowed and counted.
        AtomicLongArray up = new AtomicLongArray(managers);
        for (int i = 0; i < managers; i++) {
            up.set(i, 1);
        }
        ExecutorService restarts = Executors.newCachedThreadPool();
        List<Future<?>> restarting = new ArrayList<>();
        List<String> kills = Collections.synchronizedList(new ArrayList<>());
        List<Long> restartMillis = Collections.synchronizedList(new ArrayList<>());
        List<Long> nodesBackMillis = Collections.synchronizedList(new ArrayList<>());
        List<String> restartFailures = Collections.synchronizedList(new ArrayList<>());
        int skipped = 0;
        Random chaos = new Random(16);
        long chaosStarted = System.nanoTime();
        long end = chaosStarted + TimeUnit.SECONDS.toNanos(CHAOS_SECONDS);
        long nextKill = chaosStarted + TimeUnit.MILLISECONDS.toNanos(KILL_EVERY_MILLIS - DOWN_MILLIS);
        while (nextKill < end) {
            sleepUntil(nextKill);
            List<Integer> candidates = new ArrayList<>();
            for (int i = 0; i < managers; i++) {
                if (up.get(i) == 1) {
                    candidates.add(i);
                }
            }
            long planned = nextKill;
            nextKill += TimeUnit.MILLISECONDS.toNanos(KILL_EVERY_MILLIS);
            if (candidates.isEmpty()) {
                skipped++; // every manager is still starting: nothing runs to be killed
                continue;
            }
            int victim = candidates.get(chaos.nextInt(candidates.size()));
            up.set(victim, 0);
            serving.set(victim, 0);
            long killedGeneration = generation.incrementAndGet(victim);
            long killedAt = System.nanoTime();
            federation.killManager(victim);
            int alsoDown = managers - candidates.size();
            kills.add("manager " + victim + " at " + millisSince(chaosStarted, killedAt) / 1000 + " s"
                    + (alsoDown > 0 ? " (" + alsoDown + " other still starting)" : ""));
            if (millisSince(planned, killedAt) > 1_000) {
                restartFailures.add("the kill planned at " + millisSince(chaosStarted, planned) + " ms came "
                        + millisSince(planned, killedAt) + " ms late");
            }
            restarting.add(restarts.submit(() -> {
                sleepUntil(killedAt + TimeUnit.MILLISECONDS.toNanos(DOWN_MILLIS));
                long launched = System.nanoTime();
                try {
                    federation.restartManager(victim);
                } catch (RuntimeException e) {
                    restartFailures.add("manager " + victim + " did not start again: " + e.getMessage());
                    return null;
                }
                long answering = System.nanoTime();
                restartMillis.add(millisSince(launched, answering));
                up.set(victim, 1);
                // clients send to it again once its nodes are back (a node reconnects with a backoff), unless it was
                // killed again meanwhile
                long deadline = answering + TimeUnit.SECONDS.toNanos(90);
                while (generation.get(victim) == killedGeneration) {
                    if (nodesReady(federation, victim)) {
                        nodesBackMillis.add(millisSince(answering, System.nanoTime()));
                        serving.set(victim, 1);
                        return null;
                    }
                    if (System.nanoTime() > deadline) {
                        restartFailures.add(
                                "the nodes of manager " + victim + " were not back on it 90 s after it" + " answered");
                        return null;
                    }
                    Thread.sleep(100);
                }
                return null;
            }));
        }
        sleepUntil(end);
        running.set(false);
        for (Future<?> f : work) {
            f.get(2, TimeUnit.MINUTES);
        }
        clients.shutdownNow();
        long chaosMillis = millisSince(chaosStarted, System.nanoTime());
        // every manager runs again before the checks
        for (Future<?> f : restarting) {
            f.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }
        restarts.shutdownNow();
        assertThat(restartFailures).as("restarts and the kills' cadence").isEmpty();

        // every acknowledged experiment ends, success or interrupted with its reason, on every manager
        Map<String, String> statuses = new TreeMap<>();
        long awaitStarted = System.nanoTime();
        Map<String, String> stuck = new TreeMap<>();
        try {
            LocalFederation.await(PATIENCE, "every acknowledged experiment ended on every manager", () -> {
                stuck.clear();
                for (int i = 0; i < managers; i++) {
                    Map<String, JsonNode> listed = new java.util.HashMap<>();
                    for (JsonNode e : federation.admin(i).get("/experiments?all=true")) {
                        listed.put(e.path("id").asText(), e);
                    }
                    for (String id : acknowledged.keySet()) {
                        JsonNode e = listed.get(id);
                        String status = e == null ? "missing" : e.path("status").asText();
                        if (!status.equals("success") && !status.equals("interrupted")) {
                            stuck.put(id, "manager " + i + ": " + (e == null ? "missing" : e.toString()));
                            continue;
                        }
                        if (status.equals("interrupted")) {
                            assertThat(e.path("error").toString())
                                    .as("the reason of interrupted experiment " + id)
                                    .contains("run it again");
                        }
                        statuses.put(id, status);
                    }
                }
                return stuck.isEmpty();
            });
        } catch (IllegalStateException timedOut) {
            throw new AssertionError(
                    timedOut.getMessage() + "; still unended: " + stuck + "; kills: " + kills, timedOut);
        }
        long endedAfter = millisSince(awaitStarted, System.nanoTime());
        Map<String, Long> byStatus = new TreeMap<>();
        statuses.values().forEach(s -> byStatus.merge(s, 1L, Long::sum));

        long convergeStarted = System.nanoTime();
        LocalFederation.await(
                PATIENCE, "the three managers to show the same applied index and digest", fixture::sameDigest);
        Set<String> digest = fixture.digests();
        System.out.println("[s16-chaos] " + chaosMillis + " ms of chaos, " + kills.size() + " kill -9 (" + skipped
                + " skipped: no manager answering), every " + KILL_EVERY_MILLIS / 1000 + " s, each restarted "
                + DOWN_MILLIS / 1000 + " s later: " + kills);
        System.out.println("[s16-chaos] restarts answered after " + summary(restartMillis)
                + " ms (from the start of the process); their nodes back on them " + summary(nodesBackMillis)
                + " ms after that");
        System.out.println("[s16-chaos] requests answered " + answered + ", refused with 503 " + refused
                + ", cut off by the kill of their manager " + cutOff.get() + ", failed otherwise " + failures.size()
                + ", over the " + DEADLINE.toSeconds() + " s deadline " + hung.size() + "; slowest answer "
                + slowest.get() + " ms, slowest 503 " + slowestRefusal.get() + " ms");
        System.out.println("[s16-chaos] " + acknowledged.size() + " experiments acknowledged, on every manager "
                + byStatus + " (all ended " + endedAfter
                + " ms after the chaos); every manager at applied_index/digest "
                + digest + " (" + millisSince(convergeStarted, System.nanoTime()) + " ms after)");
        assertThat(hung).as("requests past their deadline").isEmpty();
        assertThat(failures)
                .as("requests to a running manager that failed otherwise than with a 503")
                .isEmpty();
        assertThat(kills).hasSizeGreaterThan(0);
        assertThat(kills.size() + skipped).as("a kill every 15 s").isEqualTo((int)
                ((CHAOS_SECONDS * 1000 - (KILL_EVERY_MILLIS - DOWN_MILLIS) - 1) / KILL_EVERY_MILLIS + 1));
        assertThat(acknowledged).isNotEmpty();
        assertThat(answered.get(Kind.USER_CHANGE.name()))
                .as("user changes answered")
                .isNotNull();
        assertThat(answered.get(Kind.LABEL.name())).as("labels answered").isNotNull();
    }

    /** Whether every node is ready on manager {@code index} (false while it does not answer). */
    private static boolean nodesReady(LocalFederation federation, int index) {
        try {
            JsonNode views = federation.admin(index).get("/admin/nodes");
            for (String alias : ThreeManagerFederation.NODES) {
                boolean ready = false;
                for (JsonNode v : views) {
                    ready |= alias.equals(v.path("alias").asText())
                            && v.path("status").asText().equals("ready");
                }
                if (!ready) {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Median and maximum of {@code millis}, or "none". */
    private static String summary(List<Long> millis) {
        List<Long> sorted;
        synchronized (millis) {
            sorted = new ArrayList<>(millis);
        }
        if (sorted.isEmpty()) {
            return "none";
        }
        Collections.sort(sorted);
        return "median " + sorted.get(sorted.size() / 2) + ", max " + sorted.get(sorted.size() - 1) + " ("
                + sorted.size() + ")";
    }

    private HttpRequest post(int manager, String path, JsonNode body) {
        return fixture.request(manager, path, DEADLINE)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
    }

    private static long millisSince(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left = nanos - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }
}
