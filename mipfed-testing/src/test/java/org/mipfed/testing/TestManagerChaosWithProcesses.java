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
 * a random manager is killed with kill -9 every 15 s and started again from its data directory 5 s later, while six
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

    @TempDir
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

        Random chaos = new Random(16);
        long chaosStarted = System.nanoTime();
        long end = chaosStarted + TimeUnit.SECONDS.toNanos(CHAOS_SECONDS);
        List<String> kills = new ArrayList<>();
        long nextKill = chaosStarted + TimeUnit.MILLISECONDS.toNanos(KILL_EVERY_MILLIS - DOWN_MILLIS);
        while (nextKill < end) {
            sleepUntil(nextKill);
            int victim = chaos.nextInt(managers);
            serving.set(victim, 0);
            generation.incrementAndGet(victim);
            long killedAt = System.nanoTime();
            federation.killManager(victim);
            sleepUntil(killedAt + TimeUnit.MILLISECONDS.toNanos(DOWN_MILLIS));
            federation.restartManager(victim);
            long answering = System.nanoTime();
            // clients send to it again once its nodes are back (a node reconnects with a backoff)
            TestNodesWithTwoManagers.awaitReadyOn(
                    federation.admin(victim), Duration.ofSeconds(90), ThreeManagerFederation.NODES);
            serving.set(victim, 1);
            kills.add("manager " + victim + " (answering " + millisSince(killedAt, answering) + " ms after the kill, "
                    + "its nodes back " + millisSince(answering, System.nanoTime()) + " ms later)");
            // the next kill 15 s after this one, or at once if the restart took longer than that
            nextKill = Math.max(killedAt + TimeUnit.MILLISECONDS.toNanos(KILL_EVERY_MILLIS), System.nanoTime());
        }
        sleepUntil(end);
        running.set(false);
        for (Future<?> f : work) {
            f.get(2, TimeUnit.MINUTES);
        }
        clients.shutdownNow();
        long chaosMillis = millisSince(chaosStarted, System.nanoTime());

        // every acknowledged experiment ends, success or interrupted with its reason, on every manager
        Map<String, String> statuses = new TreeMap<>();
        long awaitStarted = System.nanoTime();
        LocalFederation.await(PATIENCE, "every acknowledged experiment ended on every manager", () -> {
            for (int i = 0; i < managers; i++) {
                Map<String, JsonNode> listed = new java.util.HashMap<>();
                for (JsonNode e : federation.admin(i).get("/experiments?all=true")) {
                    listed.put(e.path("id").asText(), e);
                }
                for (String id : acknowledged.keySet()) {
                    JsonNode e = listed.get(id);
                    String status = e == null ? "missing" : e.path("status").asText();
                    if (!status.equals("success") && !status.equals("interrupted")) {
                        statuses.put(id, "manager " + i + ": " + status);
                        return false;
                    }
                    if (status.equals("interrupted")) {
                        assertThat(e.path("error").toString())
                                .as("the reason of interrupted experiment " + id)
                                .contains("run it again");
                    }
                    statuses.put(id, status);
                }
            }
            return true;
        });
        long endedAfter = millisSince(awaitStarted, System.nanoTime());
        Map<String, Long> byStatus = new TreeMap<>();
        statuses.values().forEach(s -> byStatus.merge(s, 1L, Long::sum));

        long convergeStarted = System.nanoTime();
        LocalFederation.await(
                PATIENCE, "the three managers to show the same applied index and digest", fixture::sameDigest);
        Set<String> digest = fixture.digests();
        System.out.println("[s16-chaos] " + chaosMillis + " ms of chaos, " + kills.size() + " kill -9: " + kills);
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
        assertThat(acknowledged).isNotEmpty();
        assertThat(answered.get(Kind.USER_CHANGE.name()))
                .as("user changes answered")
                .isNotNull();
        assertThat(answered.get(Kind.LABEL.name())).as("labels answered").isNotNull();
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
