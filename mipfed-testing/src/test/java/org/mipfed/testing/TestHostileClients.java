package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.AnalysisRequest;

/**
 * What an attacker on the network does to the manager's HTTP port, against a real manager process with a 512 MiB
 * heap (as {@code mipfed demo} runs it) and a real node process whose session must not notice: huge chunked bodies
 * with no account, floods of simultaneous sign-ins, races of wrong passwords, attempts to lock the admin out. Each
 * client speaks from its own loopback address (127.x.y.z), as distinct hosts would. The manager's heap is read
 * from its own {@code GET /metrics}.
 */
class TestHostileClients {
    private static final long MIB = 1L << 20;
    private static final String ALICE_PASSWORD = "alice's long passphrase";

    @TempDir
    static Path dir;

    static LocalFederation federation;
    static RawHttp local;
    static String bearer;

    @BeforeAll
    static void createFederation() {
        Path data = LocalFederation.extractDementiaData(dir.resolve("data"));
        federation = LocalFederation.create(dir.resolve("fed"), 0, 0);
        federation.addNode(
                "chuv",
                null,
                10,
                List.of(new LocalFederation.DataImport(
                        data.resolve("CDEsMetadata.json"), List.of(data.resolve("edsd0.csv")))));
        federation.start("chuv");
        federation.awaitReady(Duration.ofSeconds(60), "chuv");
        local = new RawHttp("127.0.0.1", federation.httpPort());
        bearer = "Authorization: Bearer " + federation.adminToken();
        ObjectNode alice = Json.mapper()
                .createObjectNode()
                .put("username", "alice")
                .put("password", ALICE_PASSWORD)
                .put("role", "researcher");
        federation.admin().post("/admin/users", alice);
    }

    @AfterAll
    static void stop() {
        if (federation != null) {
            federation.close();
        }
    }

    @Test
    void chunkedAndOversizedBodiesAre413WithoutBeingReadAndTheHeapStaysFlat() throws Exception {
        long before = heapUsed();
        HeapWatch watch = HeapWatch.start();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        long started = System.nanoTime();
        try {
            List<Future<RawHttp.Response>> answers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                // no account at all: sign-in is open, so this is what anyone on the network can send
                RawHttp stranger = new RawHttp("127.0.9." + (i + 1), federation.httpPort());
                answers.add(pool.submit(() -> stranger.sendChunked("POST", "/auth/login", 150 * MIB)));
            }
            answers.add(
                    pool.submit(() -> local.sendChunked("POST", "/algorithms/linear_regression", 150 * MIB, bearer)));
            for (Future<RawHttp.Response> f : answers) {
                RawHttp.Response r = f.get();
                assertThat(r.status()).as(r.body()).isEqualTo(413);
                assertThat(r.header("Content-Type")).startsWith("application/problem+json");
                assertThat(r.body())
                        .contains("\"title\":\"Request too large\"")
                        .containsPattern("accepts \\((8 KiB|1000 kB)\\)");
                assertSecurityHeaders(r, true);
                // the manager answered before the body ended. What the client pushed before the answer came sits in the
                // kernel's loopback buffers (up to 32 MiB received and 4 MiB sent with Linux's default
                // tcp_rmem/tcp_wmem)
                // or is discarded by Jetty as it closes the connection; never in the heap (the watch below). How much
                // depends on the machine's load (19-51 MiB quiet, up to 90 MiB on a busy CI run), so only the end is
                // asserted
                assertThat(r.bytesSent()).as("bytes sent before the answer").isLessThan(150 * MIB);
                System.out.printf(
                        "chunked body: 413 after %.1f MiB sent (kernel buffers included), %d ms%n",
                        r.bytesSent() / (double) MIB, (System.nanoTime() - started) / 1_000_000);
            }
        } finally {
            pool.shutdownNow();
        }
        // a declared Content-Length over the route's limit is answered at once, without waiting for the body
        long declaring = System.nanoTime();
        RawHttp.Response declared = local.declareOnly("POST", "/auth/login", 9 * 1024);
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.body()).contains("/auth/login accepts (8 KiB)");
        assertSecurityHeaders(declared, true);
        assertThat(local.declareOnly("POST", "/algorithms/linear_regression", 150 * MIB, bearer)
                        .status())
                .isEqualTo(413);
        long declaredMillis = (System.nanoTime() - declaring) / 1_000_000;
        System.out.printf("declared bodies answered after %d ms%n", declaredMillis);
        assertThat(declaredMillis).isLessThan(10_000);
        long peak = watch.stop();
        System.out.printf(
                "manager heap used: %d MiB before, at most %d MiB while 600 MiB of bodies were offered%n",
                before / MIB, peak / MIB);
        assertThat(peak - before).as("heap growth during the attack").isLessThan(64 * MIB);
        assertNodeUndisturbed();
    }

    @Test
    void headerAndUrlLimitsAndTheServersOwnErrorsAreProblemsWithTheSecurityHeaders() {
        RawHttp.Response longUrl = local.send("GET", "/datasets?" + "q=x&".repeat(3000), null);
        assertThat(longUrl.status()).isEqualTo(414);
        assertThat(longUrl.body()).contains("\"status\":414", "URL is longer than the manager accepts");
        assertSecurityHeaders(longUrl, true);

        RawHttp.Response bigHeaders = local.send("GET", "/datasets", null, "X-Padding: " + "p".repeat(10_000));
        assertThat(bigHeaders.status()).isEqualTo(431);
        assertThat(bigHeaders.body()).contains("\"status\":431", "headers are larger than the manager accepts");
        assertSecurityHeaders(bigHeaders, true);

        for (RawHttp.Response r : List.of(
                local.send("GET", "/no/such/thing", null, bearer),
                local.send("PUT", "/datasets", "{}", bearer),
                local.send("GET", "/datasets", null),
                local.send("GET", "/datasets", null, bearer),
                local.send("GET", "/auth/config", null))) {
            assertThat(r.status()).isIn(200, 401, 404, 405);
            assertThat(r.header("Content-Type")).containsAnyOf("application/json", "application/problem+json");
            assertSecurityHeaders(r, true);
        }
        // the portal's static files may be cached (revalidated on each load); API answers never are
        RawHttp.Response portal = local.send("GET", "/portal/index.html", null);
        assertThat(portal.status()).isEqualTo(200);
        assertSecurityHeaders(portal, false);
        assertThat(portal.header("Cache-Control")).isEqualTo("no-cache");
    }

    @Test
    void sixtyFourSimultaneousSignInsFromSixtyFourAddressesGetNo5xxAndLeaveTheNodeSessionAlone() throws Exception {
        long checksBefore = metric("mipfed_password_hashes_total");
        long refusalsBefore = metric("mipfed_password_hash_refusals_total");
        HeapWatch heap = HeapWatch.start();
        NodeWatch node = NodeWatch.start();
        ExecutorService pool = Executors.newFixedThreadPool(64);
        Map<Integer, Integer> statuses = new TreeMap<>();
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<RawHttp.Response>> answers = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                RawHttp client = new RawHttp("127.0.1." + (i + 1), federation.httpPort());
                // a quarter are the admin with the right password, the rest strangers guessing names
                String body = i % 4 == 0
                        ? signIn("admin", federation.adminPassword())
                        : signIn("nobody" + i, "some guess " + i);
                answers.add(pool.submit(() -> {
                    go.await();
                    return client.send("POST", "/auth/login", body);
                }));
            }
            go.countDown();
            for (Future<RawHttp.Response> f : answers) {
                RawHttp.Response r = f.get();
                statuses.merge(r.status(), 1, Integer::sum);
                assertThat(r.status()).as(r.body()).isIn(200, 401, 429);
                if (r.status() == 429) {
                    assertThat(r.header("Retry-After")).matches("[1-9][0-9]*");
                    assertThat(r.body()).contains("Too many sign-ins at once");
                }
            }
        } finally {
            pool.shutdownNow();
        }
        long peak = heap.stop();
        List<String> nodeStatuses = node.stop();
        long checks = metric("mipfed_password_hashes_total") - checksBefore;
        long refusals = metric("mipfed_password_hash_refusals_total") - refusalsBefore;
        System.out.printf(
                "64 simultaneous sign-ins: %s; %d Argon2id checks, %d refused busy; heap peak %d MiB; node polled %d times: %s%n",
                statuses, checks, refusals, peak / MIB, nodeStatuses.size(), new TreeMap<>(count(nodeStatuses)));
        assertThat(checks + refusals).isEqualTo(64);
        assertThat(peak).isLessThan(512 * MIB);
        assertThat(nodeStatuses).isNotEmpty().containsOnly("ready");
        assertNodeUndisturbed();
        assertThat(Files.readString(federation.workDir().resolve("manager.log")))
                .doesNotContain("OutOfMemoryError");
        // and once the flood is over, the admin signs in
        assertThat(local.send("POST", "/auth/login", signIn("admin", federation.adminPassword()))
                        .status())
                .isEqualTo(200);
    }

    @Test
    void fortySimultaneousWrongPasswordsGetAtMostFiveChecks() throws Exception {
        long before = metric("mipfed_password_hashes_total");
        ExecutorService pool = Executors.newFixedThreadPool(40);
        Map<Integer, Integer> statuses = new TreeMap<>();
        try {
            RawHttp attacker = new RawHttp("127.0.2.1", federation.httpPort());
            CountDownLatch go = new CountDownLatch(1);
            List<Future<RawHttp.Response>> answers = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String body = signIn("alice", "guess number " + i);
                answers.add(pool.submit(() -> {
                    go.await();
                    return attacker.send("POST", "/auth/login", body);
                }));
            }
            go.countDown();
            for (Future<RawHttp.Response> f : answers) {
                RawHttp.Response r = f.get();
                statuses.merge(r.status(), 1, Integer::sum);
                assertThat(r.status()).isIn(401, 429);
                if (r.status() == 429) {
                    assertThat(r.header("Retry-After")).matches("[1-9][0-9]*");
                }
            }
        } finally {
            pool.shutdownNow();
        }
        long checks = metric("mipfed_password_hashes_total") - before;
        System.out.printf("40 simultaneous wrong passwords: %s, %d Argon2id checks%n", statuses, checks);
        assertThat(checks).isBetween(1L, 5L);
        assertThat(statuses.getOrDefault(401, 0)).isEqualTo((int) checks);
        assertThat(statuses.get(429)).isEqualTo(40 - (int) checks);
    }

    @Test
    void anAttackerCannotLockTheAdminOutFromAnotherAddress() throws Exception {
        double alertsBefore = metricValue("mipfed_alerts_total{kind=\"sign_in_lockout\"}");
        RawHttp attacker = new RawHttp("127.0.3.1", federation.httpPort());
        Map<Integer, Integer> statuses = new TreeMap<>();
        // seven wrong passwords, waiting out each back-off (1 s, 2 s), then a burst while the third wait (4 s) runs
        for (int failures = 0; failures < 7; ) {
            RawHttp.Response r = attacker.send("POST", "/auth/login", signIn("admin", "guess number " + failures));
            statuses.merge(r.status(), 1, Integer::sum);
            if (r.status() == 429) {
                Thread.sleep(Long.parseLong(r.header("Retry-After")) * 1000);
            } else {
                assertThat(r.status()).isEqualTo(401);
                failures++;
            }
        }
        for (int i = 0; i < 20; i++) {
            statuses.merge(
                    attacker.send("POST", "/auth/login", signIn("admin", "burst " + i))
                            .status(),
                    1,
                    Integer::sum);
        }
        assertThat(statuses.get(401)).isEqualTo(7);
        assertThat(statuses.get(429)).isGreaterThanOrEqualTo(20);
        // X-Forwarded-For is not trusted: claiming the admin's address changes nothing
        RawHttp.Response spoofed = attacker.send(
                "POST", "/auth/login", signIn("admin", federation.adminPassword()), "X-Forwarded-For: 127.0.0.1");
        assertThat(spoofed.status()).isEqualTo(429);
        // the admin, from their own address, is not affected
        RawHttp.Response admin = new RawHttp("127.0.3.2", federation.httpPort())
                .send("POST", "/auth/login", signIn("admin", federation.adminPassword()));
        assertThat(admin.status()).as(admin.body()).isEqualTo(200);
        assertThat(admin.header("Set-Cookie")).startsWith("mipfed_session=");

        JsonNode lockout = null;
        for (JsonNode line : federation.admin().get("/admin/audit?limit=200")) {
            if (line.path("action").asText().equals("sign_in.lockout")
                    && line.path("details").path("address").asText().equals("127.0.3.1")) {
                lockout = line;
            }
        }
        assertThat(lockout).as("the audit trail records the lockout").isNotNull();
        assertThat(lockout.path("details").path("username").asText()).isEqualTo("admin");
        assertThat(lockout.path("details").path("failures").asInt()).isEqualTo(5);
        assertThat(lockout.path("outcome").asText()).isEqualTo("refused");
        assertThat(metricValue("mipfed_alerts_total{kind=\"sign_in_lockout\"}")).isGreaterThan(alertsBefore);
    }

    @Test
    void sprayingOnePasswordOverManyNamesMakesThatAddressWaitAndNoOther() {
        RawHttp sprayer = new RawHttp("127.0.5.1", federation.httpPort());
        for (int i = 0; i < 20; i++) {
            assertThat(sprayer.send("POST", "/auth/login", signIn("user" + i, "Summer2026!"))
                            .status())
                    .isEqualTo(401);
        }
        RawHttp.Response refused = sprayer.send("POST", "/auth/login", signIn("alice", "Summer2026!"));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.body()).contains("too many failed sign-ins from your address");
        assertThat(new RawHttp("127.0.5.2", federation.httpPort())
                        .send("POST", "/auth/login", signIn("alice", ALICE_PASSWORD))
                        .status())
                .isEqualTo(200);
    }

    @Test
    void wrongCurrentPasswordsOnAPasswordChangeCountLikeFailedSignIns() {
        RawHttp browser = new RawHttp("127.0.4.1", federation.httpPort());
        RawHttp.Response signedIn = browser.send("POST", "/auth/login", signIn("alice", ALICE_PASSWORD));
        assertThat(signedIn.status()).isEqualTo(200);
        String cookie = "Cookie: "
                + signedIn.header("Set-Cookie")
                        .substring(0, signedIn.header("Set-Cookie").indexOf(';'));
        String csrf =
                "X-CSRF-Token: " + json(signedIn.body()).path("csrf_token").asText();
        for (int i = 0; i < 5; i++) {
            RawHttp.Response wrong = browser.send(
                    "POST",
                    "/auth/password",
                    "{\"current\": \"guess number " + i + "\", \"new\": \"a new long passphrase\"}",
                    cookie,
                    csrf);
            assertThat(wrong.status()).as(wrong.body()).isEqualTo(403);
        }
        RawHttp.Response right = browser.send(
                "POST",
                "/auth/password",
                "{\"current\": \"" + ALICE_PASSWORD + "\", \"new\": \"a new long passphrase\"}",
                cookie,
                csrf);
        assertThat(right.status()).as(right.body()).isEqualTo(429);
        assertThat(right.header("Retry-After")).isEqualTo("1");
        // the password was not changed: alice still signs in with the old one, from elsewhere
        assertThat(new RawHttp("127.0.4.2", federation.httpPort())
                        .send("POST", "/auth/login", signIn("alice", ALICE_PASSWORD))
                        .status())
                .isEqualTo(200);
    }

    @Test
    void minNodesBeyondTheNodesHoldingTheDatasetsIs400Not503() {
        ObjectNode body = new AnalysisRequest(
                        "dementia:0.1",
                        List.of("edsd0"),
                        List.of("righthippocampus"),
                        List.of("lefthippocampus"),
                        null,
                        null,
                        null)
                .toJson();
        body.withObjectProperty("flags").put("min_nodes", 5);
        assertThatThrownBy(() -> federation.admin().post("/algorithms/linear_regression", body))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.status()).isEqualTo(400);
                    assertThat(p.detail()).contains("flags.min_nodes is 5", "held by 1 node(s)");
                });
        body.withObjectProperty("flags").put("min_nodes", 1);
        assertThat(federation
                        .admin()
                        .post("/algorithms/linear_regression", body)
                        .path("coefficients"))
                .isNotEmpty();
    }

    private static void assertSecurityHeaders(RawHttp.Response r, boolean api) {
        assertThat(r.header("Content-Security-Policy"))
                .as("CSP on %d", r.status())
                .contains("default-src 'self'", "frame-ancestors 'none'");
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
        if (api) {
            assertThat(r.header("Cache-Control"))
                    .as("Cache-Control on %d", r.status())
                    .isEqualTo("no-store");
        }
        assertThat(r.header("Server")).isNull();
    }

    /** The node's session never dropped: the manager logged no "down" and no second "connected" for it. */
    private static void assertNodeUndisturbed() throws Exception {
        String log = Files.readString(federation.workDir().resolve("manager.log"));
        assertThat(log).doesNotContain(" is down");
        assertThat(Pattern.compile("(?m)NodeRegistry - node .+ connected$")
                        .matcher(log)
                        .results()
                        .count())
                .as(log)
                .isEqualTo(1);
        assertThat(federation
                        .admin()
                        .get("/healthcheck")
                        .path("nodes")
                        .get(0)
                        .path("status")
                        .asText())
                .isEqualTo("ready");
    }

    private static String signIn(String username, String password) {
        return Json.mapper()
                .createObjectNode()
                .put("username", username)
                .put("password", password)
                .toString();
    }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private static Map<String, Integer> count(List<String> values) {
        Map<String, Integer> out = new TreeMap<>();
        values.forEach(v -> out.merge(v, 1, Integer::sum));
        return out;
    }

    /** The manager's heap in use, summed over its pools, from its own Prometheus metrics. */
    static long heapUsed() {
        String text = local.send("GET", "/metrics", null, bearer).body();
        Matcher m = Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\"[^}]*} (\\S+)$")
                .matcher(text);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return (long) sum;
    }

    private static long metric(String name) {
        return (long) metricValue(name);
    }

    private static double metricValue(String series) {
        String text = local.send("GET", "/metrics", null, bearer).body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + "(?:\\{[^}]*})? (\\S+)$")
                .matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /** Samples the manager's heap every 50 ms until stopped; returns the highest reading. */
    private static final class HeapWatch {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong peak = new AtomicLong();
        private Thread thread;

        static HeapWatch start() {
            HeapWatch w = new HeapWatch();
            w.peak.set(heapUsed());
            w.thread = new Thread(
                    () -> {
                        while (w.running.get()) {
                            try {
                                w.peak.accumulateAndGet(heapUsed(), Math::max);
                                Thread.sleep(50);
                            } catch (RuntimeException | InterruptedException e) {
                                return;
                            }
                        }
                    },
                    "heap-watch");
            w.thread.start();
            return w;
        }

        long stop() throws InterruptedException {
            running.set(false);
            thread.join();
            return Math.max(peak.get(), heapUsed());
        }
    }

    /** Polls the node's status (as the manager sees it) every 100 ms until stopped. */
    private static final class NodeWatch {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<String> seen = new CopyOnWriteArrayList<>();
        private Thread thread;

        static NodeWatch start() {
            NodeWatch w = new NodeWatch();
            w.thread = new Thread(
                    () -> {
                        while (w.running.get()) {
                            try {
                                w.seen.add(json(local.send("GET", "/healthcheck", null, bearer)
                                                .body())
                                        .path("nodes")
                                        .get(0)
                                        .path("status")
                                        .asText());
                                Thread.sleep(100);
                            } catch (InterruptedException e) {
                                return;
                            } catch (RuntimeException e) {
                                w.seen.add("unreachable: " + e.getMessage());
                            }
                        }
                    },
                    "node-watch");
            w.thread.start();
            return w;
        }

        List<String> stop() throws InterruptedException {
            running.set(false);
            thread.join();
            return List.copyOf(seen);
        }
    }
}
