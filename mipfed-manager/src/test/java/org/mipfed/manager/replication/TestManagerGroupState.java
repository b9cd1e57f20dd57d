package org.mipfed.manager.replication;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.manager.ManagerServer;
import org.mipfed.manager.experiments.Experiment;
import org.mipfed.manager.experiments.ExperimentStore;
import org.mipfed.manager.state.NodeRecord;
import org.mipfed.manager.state.StateStore;
import org.mipfed.manager.users.ApiToken;
import org.mipfed.manager.users.Roles;
import org.mipfed.manager.users.Sessions;
import org.mipfed.manager.users.UserStore;

/**
 * Three managers in one Raft group on loopback, each with the stores a running manager has (users and API tokens,
 * signed-in sessions, experiments) on its own member of the group: what is written through one is there on the
 * others, changes of one user and of one node made through the three at once are all applied without a conflict,
 * every manager ends with the same state digest, the experiments of a manager that died end
 * {@code interrupted}, and without a majority every kind of write answers 503 within the write timeout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestManagerGroupState {
    private static final String PASSWORD = "a long enough password";
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    /** The contention test's clients, and the changes each makes of the user and of the node's labels. */
    private static final int CLIENTS = 6;

    private static final int CHANGES = 30;
    /**
     * A change's deadline under contention, as the chaos tests' clients have it: the 8 s a change may spend catching
     * up and computing itself again ({@code ContendedChange}), a commit on a loaded machine, and margin.
     */
    private static final long CHANGE_DEADLINE_MILLIS = 30_000;

    /** One directory for the class: the three managers live through every test method. */
    @TempDir
    static Path dir;

    private ThreeManagers group;
    private final Member[] managers = new Member[3];

    /** One manager: its member of the group and the stores on top of it, as ManagerServer wires them. */
    private record Member(
            Path dataDir,
            ManagerReplication replication,
            UserStore users,
            Sessions sessions,
            ExperimentStore experiments)
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

    /** Starts manager {@code i}; the first one of a new group takes its data directory's files into the log. */
    private Member start(int i) {
        ManagerReplication replication =
                group.startImporting(i, new ReplicationSettings(1_000, 64 * 1024, PATIENCE.toMillis()));
        return new Member(
                group.dataDir(i),
                replication,
                awaitUsers(replication),
                Sessions.replicated(replication),
                ExperimentStore.replicated(group.paths(i).experiments(), replication));
    }

    private static UserStore awaitUsers(ManagerReplication replication) {
        await(
                "the users reach " + replication.id(),
                () -> replication.readUsers().content() != null);
        return UserStore.replicated(replication);
    }

    @Test
    @Order(1)
    void aUserAndAnApiTokenMadeThroughOneManagerWorkThroughTheOthers() throws IOException {
        managers[0].users().create("alice", PASSWORD, Roles.RESEARCHER);
        UserStore.CreatedToken token = managers[0].users().createToken("alice", "nightly report");
        for (Member m : managers) {
            await(
                    "alice reaches " + m.replication().id(),
                    () -> m.users().user("alice").isPresent()
                            && !m.users().tokens("alice").isEmpty());
            assertThat(m.users().authenticate("alice", PASSWORD))
                    .map(u -> u.username())
                    .contains("alice");
            assertThat(m.users().authenticate("alice", "not the password!")).isEmpty();
            assertThat(m.users().userForToken(token.secret()))
                    .map(u -> u.username())
                    .contains("alice");
            // users.json stays the readable copy, with the token's digest only
            String copy = Files.readString(m.dataDir().resolve("users.json"));
            assertThat(copy)
                    .contains("\"alice\"")
                    .contains(token.token().sha256())
                    .doesNotContain(token.secret());
        }
        // a change through another manager, computed on the replicated users, is seen by the first
        managers[2].users().update("alice", null, null, true);
        await(
                "alice disabled everywhere",
                () -> managers[0].users().user("alice").orElseThrow().disabled());
        assertThat(managers[0].users().userForToken(token.secret())).isEmpty();
        managers[1].users().update("alice", null, null, false);
        await(
                "alice enabled again",
                () -> !managers[0].users().user("alice").orElseThrow().disabled());
    }

    @Test
    @Order(2)
    void aSessionSignedInThroughOneManagerIsValidOnTheOthersAndNeverReachesTheDisk() throws IOException {
        Sessions.Session session = managers[1].sessions().create("alice");
        for (Member m : managers) {
            await(
                    "the session reaches " + m.replication().id(),
                    () -> m.sessions().find(session.id()).isPresent());
            Sessions.Session found = m.sessions().find(session.id()).orElseThrow();
            assertThat(found.username()).isEqualTo("alice");
            assertThat(found.csrfToken()).isEqualTo(session.csrfToken());
        }
        // the cookie is in no manager's log or snapshot: a reader of the data directory cannot sign in with it
        for (Member m : managers) {
            m.replication().snapshot();
            try (Stream<Path> files = Files.walk(m.dataDir())) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
                            .as(file.toString())
                            .doesNotContain(session.id());
                }
            }
        }
        // signed out through a third manager: gone on all
        managers[2].sessions().remove(session.id());
        for (Member m : managers) {
            await(
                    "the sign-out reaches " + m.replication().id(),
                    () -> m.sessions().find(session.id()).isEmpty());
        }
        Sessions.Session again = managers[0].sessions().create("alice");
        managers[1].sessions().removeUser("alice");
        await(
                "alice signed out everywhere",
                () -> managers[2].sessions().find(again.id()).isEmpty());
    }

    @Test
    @Order(3)
    void anExperimentAndItsResultWrittenThroughOneManagerAreReadOnTheOthers() throws IOException {
        JsonNode result = Json.mapper().readTree("{\"mean\": 41.25, \"n\": 312, \"variables\": [\"age\"]}");
        Experiment submitted = Experiment.pending(
                UUID.randomUUID().toString(),
                "descriptive_stats",
                "alice",
                Json.mapper().readTree("{\"y\":[\"age\"]}"));
        managers[0].experiments().save(submitted);
        Experiment finished = submitted
                .running()
                .succeeded(result, List.of(new Experiment.Contribution("node-1", List.of("dementia"), 312L)));
        // a synchronous analysis' record: batched, the caller does not wait for the log, but reads see it at once
        managers[0].experiments().record(finished);
        assertThat(managers[0].experiments().get(submitted.id()))
                .map(Experiment::status)
                .contains(Experiment.SUCCESS);
        for (Member m : managers) {
            await(
                    "the experiment reaches " + m.replication().id(),
                    () -> m.experiments()
                            .get(submitted.id())
                            .map(e -> e.status().equals(Experiment.SUCCESS))
                            .orElse(false));
            Experiment read = m.experiments().get(submitted.id()).orElseThrow();
            assertThat(read.result()).isEqualTo(result);
            assertThat(read.contributions()).containsExactlyElementsOf(finished.contributions());
            assertThat(m.experiments().list()).extracting(Experiment::id).contains(submitted.id());
            assertThat(m.replication().experiments().get(submitted.id()).manager())
                    .isEqualTo("manager-a");
            // the experiment's file stays its readable copy on every manager
            Path copy = m.dataDir().resolve("experiments").resolve(submitted.id() + ".json");
            // written just after the state changed: the finished record replaces the submitted one's copy
            await("the copy of the finished experiment on " + m.replication().id(), () -> {
                try {
                    return Files.isRegularFile(copy)
                            && Json.mapper()
                                    .readValue(copy.toFile(), Experiment.class)
                                    .status()
                                    .equals(Experiment.SUCCESS);
                } catch (IOException e) {
                    return false;
                }
            });
            assertThat(Json.mapper().readValue(copy.toFile(), Experiment.class).result())
                    .isEqualTo(result);
        }
    }

    /**
     * Changes that race each other never fail: six clients, two through each manager, change the same user (a new
     * API token of hers) and the same node's labels (a new label) at the same moment, {@value #CHANGES} times each.
     * Every change is answered within its deadline and none is refused (no 409: a change that lost the race to
     * another manager's is computed again on the newer state after a random pause), and none is lost: the user ends
     * with one token per change and the node with one label per change, on every manager.
     */
    @Test
    @Order(4)
    void changesOfOneUserAndOneNodeThroughThreeManagersAtOnceAreAllAppliedWithoutAConflict() throws Exception {
        managers[0].users().create("dora", PASSWORD, Roles.RESEARCHER);
        StateStore[] states = new StateStore[3];
        for (int i = 0; i < 3; i++) {
            states[i] = StateStore.replicated(managers[i].replication());
        }
        states[0].update(s -> {
            List<NodeRecord> nodes = new ArrayList<>(s.nodes());
            nodes.add(new NodeRecord(
                    "node-1", "hospital-1", "worker", Map.of("name", "chuv"), NodeRecord.ACTIVE, "01", Instant.now()));
            return s.withNodes(nodes);
        });
        for (int i = 0; i < 3; i++) {
            Member m = managers[i];
            StateStore state = states[i];
            await(
                    "dora and node-1 on " + m.replication().id(),
                    () -> m.users().user("dora").isPresent()
                            && state.node("node-1").isPresent());
        }
        String leader = managers[0].replication().leaderId().orElse("none");

        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<List<Long>> took = List.of(
                Collections.synchronizedList(new ArrayList<>()),
                Collections.synchronizedList(new ArrayList<>()),
                Collections.synchronizedList(new ArrayList<>()));
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> work = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            int through = c % 3;
            Member m = managers[through];
            StateStore state = states[through];
            work.add(clients.submit(() -> {
                go.await();
                for (int k = 0; k < CHANGES; k++) {
                    String name = "c" + client + "-" + k;
                    timed(
                            failures,
                            took.get(through),
                            "token " + name + " through " + m.replication().id(),
                            () -> m.users().createToken("dora", name));
                    timed(
                            failures,
                            took.get(through),
                            "label " + name + " through " + m.replication().id(),
                            () -> state.updateNode("node-1", n -> {
                                Map<String, String> labels = new TreeMap<>(n.labels());
                                labels.put(name, Integer.toString(client));
                                return n.withLabels(labels);
                            }));
                }
                return null;
            }));
        }
        long started = System.nanoTime();
        go.countDown();
        for (Future<?> f : work) {
            f.get(10, TimeUnit.MINUTES);
        }
        clients.shutdownNow();
        long all = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        StringBuilder figures = new StringBuilder();
        long slowest = 0;
        for (int i = 0; i < 3; i++) {
            List<Long> times = new ArrayList<>(took.get(i));
            Collections.sort(times);
            slowest = Math.max(slowest, times.get(times.size() - 1));
            figures.append(String.format(
                    "%n  through %s%s: %d changes, median %d ms, p90 %d ms, max %d ms",
                    managers[i].replication().id(),
                    managers[i].replication().id().equals(leader) ? " (the leader)" : "",
                    times.size(),
                    times.get(times.size() / 2),
                    times.get(times.size() * 9 / 10),
                    times.get(times.size() - 1)));
        }
        System.out.println("[s16-mend] " + CLIENTS + " clients x (" + CHANGES + " changes of one user + " + CHANGES
                + " of one node's labels) through three managers: " + all + " ms in all, " + failures.size()
                + " refused or failed" + figures);

        assertThat(failures).as("changes refused or failed").isEmpty();
        assertThat(slowest).as("slowest change (ms)").isLessThan(CHANGE_DEADLINE_MILLIS);
        int expected = CLIENTS * CHANGES;
        for (int i = 0; i < 3; i++) {
            Member m = managers[i];
            StateStore state = states[i];
            await(
                    "every change on " + m.replication().id(),
                    () -> m.users().tokens("dora").size() == expected
                            && state.node("node-1").orElseThrow().labels().size() == expected + 1);
            assertThat(m.users().tokens("dora").stream().map(ApiToken::name).distinct())
                    .hasSize(expected);
            assertThat(state.node("node-1").orElseThrow().labels()).containsEntry("name", "chuv");
        }
    }

    /** Runs one change of the contention test, noting its time and, if it was refused or failed, why. */
    private static void timed(List<String> failures, List<Long> took, String what, Runnable change) {
        long started = System.nanoTime();
        try {
            change.run();
        } catch (RuntimeException e) {
            failures.add(what + ": " + e);
        }
        took.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    @Test
    @Order(5)
    void everyManagerConvergesOnTheSameDigest() {
        List<ManagerStatus> listed = awaitSameDigest(managers);
        assertThat(listed).hasSize(3);
        assertThat(listed).extracting(ManagerStatus::status).containsOnly("ready");
        assertThat(listed)
                .extracting(ManagerStatus::digest)
                .doesNotContainNull()
                .hasSize(3);
        String digest = listed.get(0).digest();
        assertThat(digest).matches("[0-9a-f]{64}");
        // each manager's own digest, and the digest recomputed from its state, are that one
        for (Member m : managers) {
            StateDigest.Digest own = m.replication().digest();
            assertThat(own.digest()).isEqualTo(digest);
            assertThat(StateDigest.of(m.replication().state())).isEqualTo(digest);
        }
        System.out.println("[h16-state] three managers at applied index "
                + listed.get(0).appliedIndex() + " share digest " + digest);
    }

    @Test
    @Order(6)
    void theExperimentsOfAManagerThatDiesEndInterruptedAndItCatchesUpWhenItComesBack() throws Exception {
        Experiment running = Experiment.pending(
                        UUID.randomUUID().toString(),
                        "linear_regression",
                        "alice",
                        Json.mapper().readTree("{}"))
                .running();
        managers[2].experiments().save(running);
        await(
                "the running experiment reaches the others",
                () -> managers[0].experiments().get(running.id()).isPresent()
                        && managers[1].experiments().get(running.id()).isPresent());
        managers[2].close();
        managers[2] = null;
        // the leader (a or b) sees manager-c down after a few seconds and ends its experiment
        await("manager-c's experiment is interrupted", () -> {
            for (int i = 0; i < 2; i++) {
                ManagerServer.interruptOrphans(managers[i].replication(), managers[i].experiments());
            }
            return managers[0]
                            .experiments()
                            .get(running.id())
                            .orElseThrow()
                            .status()
                            .equals(Experiment.INTERRUPTED)
                    && managers[1]
                            .experiments()
                            .get(running.id())
                            .orElseThrow()
                            .status()
                            .equals(Experiment.INTERRUPTED);
        });
        Experiment ended = managers[1].experiments().get(running.id()).orElseThrow();
        assertThat(ended.error().toString()).contains("manager-c").contains("run it again");
        assertThat(ended.finished()).isNotNull();
        // written while manager-c was down, found there after its restart
        managers[0].users().create("bob", PASSWORD, Roles.RESEARCHER);
        managers[2] = start(2);
        await(
                "manager-c catches up",
                () -> managers[2].users().user("bob").isPresent()
                        && managers[2]
                                .experiments()
                                .get(running.id())
                                .map(e -> e.status().equals(Experiment.INTERRUPTED))
                                .orElse(false));
        awaitSameDigest(managers);
    }

    @Test
    @Order(7)
    void withTwoOfThreeManagersDownEveryWriteAnswers503AtOnceAndReadsStillWork() throws Exception {
        Sessions.Session signedIn = managers[0].sessions().create("alice");
        UserStore.CreatedToken token = managers[0].users().createToken("alice", "before the outage");
        await(
                "the token reaches a majority",
                () -> managers[0].users().userForToken(token.secret()).isPresent());
        managers[1].close();
        managers[1] = null;
        managers[2].close();
        managers[2] = null;
        Member alone = managers[0];
        // the survivor sees the two others down after a few seconds of silence
        await(
                "manager-a sees two managers down",
                () -> alone.replication().managers().stream()
                                .filter(m -> m.status().equals("down"))
                                .count()
                        == 2);
        Experiment fresh = Experiment.pending(
                UUID.randomUUID().toString(),
                "descriptive_stats",
                "alice",
                Json.mapper().readTree("{}"));
        refusedQuickly("a new user", () -> alone.users().create("carol", PASSWORD, Roles.RESEARCHER));
        refusedQuickly("an API token", () -> alone.users().createToken("alice", "during the outage"));
        refusedQuickly("a role change", () -> alone.users().update("alice", Roles.ADMIN, null, null));
        refusedQuickly("a sign-in", () -> alone.sessions().create("alice"));
        refusedQuickly("a sign-out", () -> alone.sessions().remove(signedIn.id()));
        refusedQuickly("a new experiment record", () -> alone.experiments().save(fresh));
        // reads need no majority
        assertThat(alone.users().authenticate("alice", PASSWORD)).isPresent();
        assertThat(alone.users().userForToken(token.secret()))
                .map(u -> u.username())
                .contains("alice");
        assertThat(alone.sessions().find(signedIn.id())).isPresent();
        assertThat(alone.experiments().list()).isNotEmpty();
    }

    /** A write refused with 503 manager-unavailable, saying how many managers answer, within the write timeout. */
    private static void refusedQuickly(String what, Executable write) {
        long started = System.nanoTime();
        Optional<Problem> refusal = Optional.empty();
        try {
            write.execute();
        } catch (Problem p) {
            refusal = Optional.of(p);
        } catch (Throwable t) {
            throw new AssertionError(what + " failed otherwise than with a 503: " + t, t);
        }
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        System.out.println("[h16-state] without a majority, " + what + " was refused after " + millis + " ms");
        assertThat(refusal).as(what + " must be refused").isPresent();
        assertThat(refusal.get().type()).isEqualTo(ProblemType.MANAGER_UNAVAILABLE);
        assertThat(refusal.get().getMessage())
                .contains("reaches 1 of 3 managers")
                .contains("needs 2");
        // 2 s for the majority to answer, plus the hashing of a password on a busy machine
        assertThat(millis).as(what).isLessThan(ManagerReplication.WRITE_TIMEOUT_MILLIS + 4_000);
    }

    /** Waits until every running manager applied the same index with the same digest; returns the list from one. */
    private static List<ManagerStatus> awaitSameDigest(Member[] running) {
        List<List<ManagerStatus>> last = new ArrayList<>();
        await("every manager has the same digest", () -> {
            last.clear();
            List<String> digests = new ArrayList<>();
            for (Member m : running) {
                List<ManagerStatus> listed = m.replication().managers();
                last.add(listed);
                listed.forEach(s -> digests.add(s.appliedIndex() + "/" + s.digest()));
            }
            return digests.stream().distinct().count() == 1 && !digests.get(0).endsWith("/null");
        });
        return last.get(0);
    }

    private static void await(String what, BooleanSupplier condition) {
        ThreeManagers.await(PATIENCE, what, condition);
    }
}
