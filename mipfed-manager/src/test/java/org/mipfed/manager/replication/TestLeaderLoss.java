package org.mipfed.manager.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.json.Json;
import org.mipfed.manager.experiments.Experiment;
import org.mipfed.manager.experiments.ExperimentStore;
import org.mipfed.manager.users.Roles;
import org.mipfed.manager.users.Sessions;
import org.mipfed.manager.users.UserLog;
import org.mipfed.manager.users.UserStore;

/**
 * Three managers in one Raft group on loopback lose their leader while requests run on the two others: what a
 * request on a survivor does (sign in with an API token or a session whose last use is due for a refresh, record a
 * finished analysis, list the managers) never waits on the dead leader, writes are accepted again on both
 * survivors once a new leader is elected, and every experiment a survivor recorded is there afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestLeaderLoss {
    private static final String PASSWORD = "a long enough password";
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private ThreeManagers group;
    private final Member[] managers = new Member[3];

    private record Member(
            ManagerReplication replication, UserStore users, Sessions sessions, ExperimentStore experiments)
            implements AutoCloseable {
        @Override
        public void close() {
            experiments.close();
            replication.close();
        }
    }

    @BeforeAll
    void startThreeManagers() throws Exception {
        group = new ThreeManagers(dir, 7000);
        ThreeManagers.startTogether(this::start).toArray(managers);
    }

    @AfterAll
    void stop() {
        for (Member m : managers) {
            if (m != null) {
                m.close();
            }
        }
    }

    private Member start(int i) {
        ManagerReplication replication =
                group.startImporting(i, new ReplicationSettings(1_000, 64 * 1024, PATIENCE.toMillis()));
        await(
                "the users reach " + replication.id(),
                () -> replication.readUsers().content() != null);
        return new Member(
                replication,
                UserStore.replicated(replication),
                Sessions.replicated(replication),
                ExperimentStore.replicated(group.paths(i).experiments(), replication));
    }

    @Test
    void requestsOnTheSurvivorsNeverWaitOnTheDeadLeaderAndWritesComeBack() throws Exception {
        Member some = managers[0];
        some.users().create("alice", PASSWORD, Roles.RESEARCHER);
        UserStore.CreatedToken token = some.users().createToken("alice", "failover");
        Sessions.Session session = some.sessions().create("alice");
        await("alice everywhere", () -> {
            for (Member m : managers) {
                if (m.users().userForToken(token.secret()).isEmpty()
                        || m.sessions().find(session.id()).isEmpty()) {
                    return false;
                }
            }
            return true;
        });
        int leader = -1;
        for (int i = 0; i < 3; i++) {
            if (managers[i].replication().isLeader()) {
                leader = i;
            }
        }
        assertThat(leader).as("a leader").isNotNegative();
        List<Integer> survivors = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            if (i != leader) {
                survivors.add(i);
            }
        }
        // the token's and the session's last use are due for a refresh on every request during the failover
        backdate(some, token, session);

        AtomicBoolean running = new AtomicBoolean(true);
        Map<String, AtomicLong> slowest = new ConcurrentHashMap<>();
        Map<String, String> recorded = new ConcurrentHashMap<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<?>> work = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            Member m = managers[survivors.get(c % 2)];
            work.add(clients.submit(() -> {
                while (running.get()) {
                    try {
                        timed(
                                slowest,
                                "an API token's sign-in",
                                () -> assertThat(m.users().userForToken(token.secret()))
                                        .isPresent());
                        timed(
                                slowest,
                                "a session's sign-in",
                                () -> assertThat(m.sessions().find(session.id()))
                                        .isPresent());
                        Experiment finished = Experiment.pending(
                                        UUID.randomUUID().toString(),
                                        "linear_regression",
                                        "alice",
                                        Json.mapper().readTree("{}"))
                                .running()
                                .succeeded(Json.mapper().readTree("{\"n\":1}"), List.of());
                        timed(
                                slowest,
                                "a finished analysis's record",
                                () -> m.experiments().record(finished));
                        recorded.put(finished.id(), m.replication().id());
                        timed(
                                slowest,
                                "the list of managers",
                                () -> m.replication().managers());
                        Thread.sleep(20);
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }
            }));
        }
        Thread.sleep(500);
        Member dead = managers[leader];
        long killed = System.nanoTime();
        dead.close();
        managers[leader] = null;
        Map<Integer, Long> writable = new ConcurrentHashMap<>();
        Map<Integer, String> refused = new ConcurrentHashMap<>();
        ExecutorService writers = Executors.newFixedThreadPool(2);
        for (int s : survivors) {
            writers.submit(() -> {
                while (!writable.containsKey(s)) {
                    long started = System.nanoTime();
                    try {
                        managers[s].users().update("alice", null, null, false);
                        writable.put(s, System.nanoTime() - killed);
                        System.out.println(
                                "[s9-failover] " + managers[s].replication().id() + ": the write taken took "
                                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
                    } catch (RuntimeException e) {
                        refused.merge(
                                s,
                                "after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed) + " ms, took "
                                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms: " + e,
                                (a, b) -> a.lines().count() > 30 ? a : a + "\n" + b);
                    }
                }
            });
        }
        try {
            await("both survivors take writes again", () -> writable.size() == 2);
        } finally {
            refused.forEach((s, why) -> System.out.println(
                    "[s9-failover] " + managers[s].replication().id() + " refused writes: " + why));
        }
        Thread.sleep(3_000);
        running.set(false);
        for (Future<?> f : work) {
            f.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }
        clients.shutdownNow();
        writers.shutdownNow();
        for (int s : survivors) {
            System.out.println("[s9-failover] " + managers[s].replication().id() + " took a write again "
                    + TimeUnit.NANOSECONDS.toMillis(writable.get(s)) + " ms after the leader died");
        }
        slowest.forEach((what, nanos) -> System.out.println("[s9-failover] slowest " + what + " on a survivor: "
                + TimeUnit.NANOSECONDS.toMillis(nanos.get()) + " ms"));
        assertThat(failures).isEmpty();
        for (int s : survivors) {
            assertThat(writable.get(s)).isLessThan(TimeUnit.SECONDS.toNanos(5));
        }
        // every record a survivor took is on both survivors, none lost with the leader
        await("every recorded experiment on both survivors", () -> {
            for (int s : survivors) {
                for (String id : recorded.keySet()) {
                    if (managers[s].experiments().get(id).isEmpty()
                            || !managers[s].replication().experiments().containsKey(id)) {
                        return false;
                    }
                }
            }
            return true;
        });
        System.out.println("[s9-failover] " + recorded.size() + " experiments recorded on the survivors, none lost");
    }

    /** Moves the last use of the token and the session back, so that each next use writes a refresh. */
    private static void backdate(Member m, UserStore.CreatedToken token, Sessions.Session session) {
        Instant old = Instant.now().minus(Duration.ofHours(1));
        ManagerReplication r = m.replication();
        // a change based on the version read; another change of the users in between (the refresh of a use just
        // before) makes it apply to nothing, so it is read and made again
        boolean changed = false;
        for (int attempt = 0; attempt < 10 && !changed; attempt++) {
            UserLog.Versioned read = r.readUsers();
            List<org.mipfed.manager.users.ApiToken> tokens = new ArrayList<>();
            for (var t : read.content().tokens()) {
                tokens.add(
                        t.id().equals(token.token().id())
                                ? new org.mipfed.manager.users.ApiToken(
                                        t.id(), t.username(), t.name(), t.sha256(), t.created(), old)
                                : t);
            }
            changed = r.changeUsers(
                    read.version(), new UserStore.Content(read.content().users(), tokens));
        }
        assertThat(changed).as("the token's last use moved back").isTrue();
        String key = sha256(session.id());
        Sessions.Session stored = r.sessions().get(key);
        r.putSession(new Sessions.Session(key, stored.username(), stored.csrfToken(), old));
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void timed(Map<String, AtomicLong> slowest, String what, Call call) throws Exception {
        long started = System.nanoTime();
        call.run();
        long took = System.nanoTime() - started;
        slowest.computeIfAbsent(what, k -> new AtomicLong()).accumulateAndGet(took, Math::max);
    }

    private static void await(String what, BooleanSupplier condition) {
        ThreeManagers.await(PATIENCE, what, condition);
    }
}
