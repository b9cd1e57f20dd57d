package org.mipfed.manager.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.manager.ManagerServer;
import org.mipfed.manager.experiments.Experiment;
import org.mipfed.manager.experiments.ExperimentStore;
import org.mipfed.manager.users.Roles;
import org.mipfed.manager.users.Sessions;
import org.mipfed.manager.users.UserStore;

/**
 * Chaos in one JVM: three managers in one Raft group on loopback (mutual TLS), each with the stores and the once a
 * second checks for orphaned experiments a running manager has. For {@code mipfed.chaos.seconds} (default 60) a
 * random manager is stopped at once every 15 s (its Raft server closed: its connections drop, what it had not
 * committed is gone) and started again from its data directory 5 s later, while six clients submit experiments,
 * record finished analyses, change a user and sign in with a token and a session through random managers. Afterwards:
 * no request took longer than its deadline, no request on a running manager failed otherwise than with a 503 while
 * the group had no leader, every experiment a manager acknowledged is on every manager, finished or {@code
 * interrupted}, and every manager has applied the same index with the same state digest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestManagerChaos {
    private static final String PASSWORD = "a long enough password";
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    /** 60 s in CI (four stops); {@code -Dmipfed.chaos.seconds=180} runs the three minutes. */
    private static final long CHAOS_SECONDS = Long.getLong("mipfed.chaos.seconds", 60);

    private static final long KILL_EVERY_MILLIS = 15_000;
    private static final long DOWN_MILLIS = 5_000;
    /**
     * Each client request's deadline, as the HTTP clients of the test with real processes have it: a write waits at
     * most the write timeout (2 s) for a majority, a change at most 8 s for its manager to catch up, and changes of
     * one user through three managers at once are computed again when another committed first (on a machine at load
     * average 20, one such user change took 16.4 s).
     */
    private static final long DEADLINE_MILLIS = 30_000;

    @TempDir
    static Path dir;

    private ThreeManagers group;
    private final AtomicReferenceArray<Member> managers = new AtomicReferenceArray<>(3);

    /** One manager: its member of the group, its stores, and its timer (the orphan check), as ManagerServer has. */
    private record Member(
            ManagerReplication replication,
            UserStore users,
            Sessions sessions,
            ExperimentStore experiments,
            ScheduledExecutorService timer)
            implements AutoCloseable {
        @Override
        public void close() {
            timer.shutdownNow();
            // the Raft server first: what the writer still holds cannot be committed any more, as after kill -9
            replication.close();
            experiments.close();
        }
    }

    @BeforeAll
    void startThreeManagers() throws Exception {
        group = new ThreeManagers(dir, 7000);
        List<Member> started = ThreeManagers.startTogether(this::start);
        for (int i = 0; i < 3; i++) {
            managers.set(i, started.get(i));
        }
    }

    @AfterAll
    void stop() {
        for (int i = 0; i < 3; i++) {
            Member m = managers.getAndSet(i, null);
            if (m != null) {
                m.close();
            }
        }
    }

    /** Starts manager {@code i} from its data directory, as ManagerServer does. */
    private Member start(int i) {
        ManagerReplication replication =
                group.startImporting(i, new ReplicationSettings(1_000, 64 * 1024, PATIENCE.toMillis()));
        replication.awaitCommittedApplied(PATIENCE.toMillis());
        await(
                "the users reach " + replication.id(),
                () -> replication.readUsers().content() != null);
        ExperimentStore experiments = ExperimentStore.replicated(group.paths(i).experiments(), replication);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "orphans-" + replication.id());
            t.setDaemon(true);
            return t;
        });
        // as ManagerServer: every second, the leader ends the experiments of managers that are down, and each
        // manager its own that its process does not run (its previous process's, after a restart)
        timer.scheduleWithFixedDelay(
                () -> {
                    try {
                        ManagerServer.interruptOrphans(replication, experiments);
                    } catch (RuntimeException e) {
                        // as ManagerServer: tried again in a second
                    }
                    try {
                        ManagerServer.interruptAbandoned(experiments);
                    } catch (RuntimeException e) {
                        // the same
                    }
                },
                1,
                1,
                TimeUnit.SECONDS);
        return new Member(
                replication, UserStore.replicated(replication), Sessions.replicated(replication), experiments, timer);
    }

    @Test
    void killingARandomManagerEvery15SecondsLosesNoExperimentHangsNoRequestAndTheManagersConverge() throws Exception {
        managers.get(0).users().create("alice", PASSWORD, Roles.RESEARCHER);
        UserStore.CreatedToken token = managers.get(0).users().createToken("alice", "chaos");
        Sessions.Session session = managers.get(0).sessions().create("alice");
        await("alice everywhere", () -> {
            for (int i = 0; i < 3; i++) {
                if (managers.get(i).users().userForToken(token.secret()).isEmpty()
                        || managers.get(i).sessions().find(session.id()).isEmpty()) {
                    return false;
                }
            }
            return true;
        });

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong[] generation = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<String> hung = Collections.synchronizedList(new ArrayList<>());
        AtomicLong answered = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong onStopped = new AtomicLong();
        AtomicLong slowest = new AtomicLong();
        // per manager: since when its writes have been refused (0: its last write was taken), the longest such stretch
        AtomicLong[] refusedSince = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
        AtomicLong longestRefusal = new AtomicLong();
        // a request over its deadline: its thread's stack is printed once, to say where it waits
        Map<Thread, Long> inFlight = new ConcurrentHashMap<>();
        java.util.Set<Thread> dumped = ConcurrentHashMap.newKeySet();
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
        watchdog.scheduleWithFixedDelay(
                () -> inFlight.forEach((thread, since) -> {
                    if (System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS)
                            && dumped.add(thread)) {
                        StringBuilder stack = new StringBuilder("[s9-failover] a request over its deadline waits in:");
                        for (StackTraceElement e : thread.getStackTrace()) {
                            stack.append("\n    at ").append(e);
                        }
                        System.out.println(stack);
                    }
                }),
                1,
                1,
                TimeUnit.SECONDS);
        ExecutorService clients = Executors.newFixedThreadPool(6);
        List<Future<?>> work = new ArrayList<>();
        for (int c = 0; c < 6; c++) {
            Random random = new Random(c);
            work.add(clients.submit(() -> {
                while (running.get()) {
                    int i = random.nextInt(3);
                    Member m = managers.get(i);
                    if (m == null) {
                        sleep(20);
                        continue;
                    }
                    long before = generation[i].get();
                    int kind = random.nextInt(4);
                    long started = System.nanoTime();
                    inFlight.put(Thread.currentThread(), started);
                    try {
                        switch (kind) {
                            case 0 -> {
                                Experiment submitted = Experiment.pending(
                                        UUID.randomUUID().toString(),
                                        "linear_regression",
                                        "alice",
                                        Json.mapper().readTree("{}"));
                                m.experiments().save(submitted);
                                acknowledged.put(submitted.id(), m.replication().id());
                                Experiment run = submitted.running();
                                m.experiments().save(run);
                                m.experiments().save(run.succeeded(Json.mapper().readTree("{\"n\":1}"), List.of()));
                            }
                            case 1 ->
                                m.experiments()
                                        .record(Experiment.pending(
                                                        UUID.randomUUID().toString(),
                                                        "descriptive_stats",
                                                        "alice",
                                                        Json.mapper().readTree("{}"))
                                                .running()
                                                .succeeded(Json.mapper().readTree("{\"n\":2}"), List.of()));
                            case 2 ->
                                m.users()
                                        .update(
                                                "alice",
                                                random.nextBoolean() ? Roles.ADMIN : Roles.RESEARCHER,
                                                null,
                                                null);
                            default -> {
                                if (m.users().userForToken(token.secret()).isEmpty()
                                        || m.sessions().find(session.id()).isEmpty()) {
                                    throw new AssertionError("alice's token or session was not accepted");
                                }
                            }
                        }
                        answered.incrementAndGet();
                        if (kind != 3) {
                            refusedSince[i].set(0);
                        }
                    } catch (Problem p) {
                        if (generation[i].get() != before) {
                            onStopped.incrementAndGet();
                        } else if (p.type() == ProblemType.MANAGER_UNAVAILABLE) {
                            // a write while the group elects a leader: refused at once, said so; allowed for a while
                            refused.incrementAndGet();
                            long now = System.nanoTime();
                            refusedSince[i].compareAndSet(0, now);
                            long since = refusedSince[i].get();
                            if (since != 0) {
                                longestRefusal.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(now - since), Math::max);
                            }
                        } else {
                            // a 409 among them: a change of alice that other managers' changes of the users raced
                            // for the whole of its 8 s budget (it is computed again after random pauses: must not
                            // happen)
                            failures.add(m.replication().id() + " (request " + kind + "): " + p);
                        }
                    } catch (Throwable t) {
                        if (generation[i].get() != before) {
                            onStopped.incrementAndGet();
                        } else {
                            failures.add(m.replication().id() + " (request " + kind + "): " + t);
                        }
                    }
                    inFlight.remove(Thread.currentThread());
                    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                    slowest.accumulateAndGet(took, Math::max);
                    if (took > DEADLINE_MILLIS) {
                        hung.add("request " + kind + " on " + i + " took " + took + " ms");
                    }
                }
                return null;
            }));
        }

        Random chaos = new Random(16);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHAOS_SECONDS);
        int kills = 0;
        while (System.nanoTime() < end) {
            Thread.sleep(KILL_EVERY_MILLIS - DOWN_MILLIS);
            int victim = chaos.nextInt(3);
            Member m = managers.getAndSet(victim, null);
            generation[victim].incrementAndGet();
            m.close();
            refusedSince[victim].set(0);
            kills++;
            Thread.sleep(DOWN_MILLIS);
            managers.set(victim, start(victim));
        }
        running.set(false);
        for (Future<?> f : work) {
            f.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }
        clients.shutdownNow();
        watchdog.shutdownNow();
        System.out.println("[s9-failover] chaos for " + CHAOS_SECONDS + " s, " + kills + " managers stopped: "
                + answered.get() + " requests answered, " + refused.get() + " writes refused with 503 during an"
                + " election, " + onStopped.get() + " failed on a manager stopped under them, slowest "
                + slowest.get() + " ms, longest stretch of refused writes on a running manager "
                + longestRefusal.get() + " ms, " + acknowledged.size() + " experiments acknowledged");
        assertThat(hung).as("requests over their deadline").isEmpty();
        assertThat(failures).as("requests failed on a running manager").isEmpty();
        assertThat(kills).isGreaterThan(0);
        // one election per stop: a running manager refuses writes for seconds, not for the rest of its life
        assertThat(longestRefusal.get())
                .as("longest stretch of refused writes (ms)")
                .isLessThan(KILL_EVERY_MILLIS);
        for (int i = 0; i < 3; i++) {
            int n = i;
            java.util.concurrent.atomic.AtomicReference<String> lastRefusal =
                    new java.util.concurrent.atomic.AtomicReference<>();
            await(
                    () -> "a write through " + group.members().get(n).id() + " after the chaos (last refusal: "
                            + lastRefusal.get() + "; its applied index "
                            + managers.get(n).replication().appliedIndex()
                            + ", its view of the managers "
                            + managers.get(n).replication().managers() + ")",
                    () -> {
                        try {
                            managers.get(n).users().update("alice", Roles.RESEARCHER, null, null);
                            return true;
                        } catch (Problem p) {
                            lastRefusal.set(p.status() + " " + p.getMessage());
                            return false;
                        }
                    });
        }

        // every acknowledged experiment is on every manager, finished or interrupted, never stuck nor gone
        await("every acknowledged experiment ended on every manager", () -> {
            for (int i = 0; i < 3; i++) {
                for (String id : acknowledged.keySet()) {
                    var run = managers.get(i).replication().experiments().get(id);
                    if (run == null || run.experiment().unfinished()) {
                        return false;
                    }
                }
            }
            return true;
        });
        Map<String, Long> byStatus = new java.util.TreeMap<>();
        for (String id : acknowledged.keySet()) {
            Experiment e = managers.get(0).replication().experiments().get(id).experiment();
            assertThat(e.status()).isIn(Experiment.SUCCESS, Experiment.INTERRUPTED);
            if (e.status().equals(Experiment.INTERRUPTED)) {
                assertThat(e.error().toString()).contains("run it again");
            }
            byStatus.merge(e.status(), 1L, Long::sum);
        }
        List<ManagerStatus> listed = awaitSameDigest();
        System.out.println("[s9-failover] after the chaos: acknowledged experiments " + byStatus
                + "; every manager at applied index " + listed.get(0).appliedIndex() + ", digest "
                + listed.get(0).digest());
    }

    /** Waits until every manager applied the same index with the same digest; returns one manager's list. */
    private List<ManagerStatus> awaitSameDigest() {
        List<List<ManagerStatus>> last = new ArrayList<>();
        await("every manager has the same applied index and digest", () -> {
            last.clear();
            List<String> digests = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                List<ManagerStatus> listed = managers.get(i).replication().managers();
                last.add(listed);
                listed.forEach(s -> digests.add(s.appliedIndex() + "/" + s.digest()));
            }
            return digests.stream().distinct().count() == 1 && !digests.get(0).endsWith("/null");
        });
        return last.get(0);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        await(() -> what, condition);
    }

    private static void await(java.util.function.Supplier<String> what, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(PATIENCE);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("waited " + PATIENCE.toSeconds() + " s: " + what.get());
            }
            sleep(50);
        }
    }
}
