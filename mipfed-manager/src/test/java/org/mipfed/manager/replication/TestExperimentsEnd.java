package org.mipfed.manager.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.manager.ManagerServer;
import org.mipfed.manager.experiments.Experiment;
import org.mipfed.manager.experiments.ExperimentLog;
import org.mipfed.manager.experiments.ExperimentStore;

/**
 * Issue #16, "never stuck in running": three managers in one Raft group on loopback (each its own Raft server, log,
 * data directory and experiment store), and the ways an experiment's record could stay {@code pending} or
 * {@code running} with nobody to end it. A state committed late never takes an experiment back; an end that finds
 * no majority is committed once the managers are back; a submission answered with a 503 whose record reached the log
 * after all is interrupted, saying it never ran; a manager that restarts without a majority ends its own experiments
 * once it has one; the leader ends those of a manager that is down, but not one that came to an end meanwhile.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestExperimentsEnd {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private ThreeManagers group;
    private final Member[] managers = new Member[3];

    private record Member(ManagerReplication replication, ExperimentStore experiments) implements AutoCloseable {
        @Override
        public void close() {
            experiments.close();
            replication.close();
        }
    }

    @BeforeAll
    void startThreeManagers() throws Exception {
        group = new ThreeManagers(dir, 7000);
        ThreeManagers.startTogether(i -> start(i, PATIENCE)).toArray(managers);
        for (Member m : managers) {
            await(
                    "a leader and the state on " + m.replication().id(),
                    () -> m.replication().leaderId().isPresent()
                            && m.replication().state().federation() != null);
        }
    }

    @AfterAll
    void stop() {
        for (Member m : managers) {
            if (m != null) {
                m.close();
            }
        }
    }

    /** Starts manager {@code i} from its data directory; {@code leaderWait}: how long its start waits for a leader. */
    private Member start(int i, Duration leaderWait) {
        ManagerReplication replication =
                group.start(i, new ReplicationSettings(1_000, 64 * 1024, leaderWait.toMillis()));
        if (i == 0 && replication.state().federation() == null) {
            write(() -> group.importFiles(0, replication));
        }
        return new Member(replication, ExperimentStore.replicated(group.paths(i).experiments(), replication));
    }

    @Test
    @Order(1)
    void aStateCommittedLateNeverTakesAnExperimentBack() throws Exception {
        Member b = managers[1];
        Experiment pending = newExperiment();
        Experiment running = pending.running();
        write(() -> b.experiments().save(pending));
        write(() -> b.experiments().save(running));
        Experiment done = running.succeeded(Json.mapper().createObjectNode().put("answer", 42), List.of());
        write(() -> b.experiments().save(done));
        awaitStatus(b, done.id(), Experiment.SUCCESS);
        // what a forwarded write that timed out for its sender and was sent again by Ratis's client looks like
        write(() -> b.replication().putExperiments(List.of(running)));
        write(() -> b.replication().putExperiments(List.of(pending)));
        // an interruption sent on a stale view (the leader thought manager b was down)
        write(() -> b.replication()
                .interruptExperiments(List.of(new ExperimentLog.Run(running.interrupted("stale view"), "x"))));
        for (Member m : managers) {
            awaitStatus(m, done.id(), Experiment.SUCCESS);
            assertThat(m.experiments()
                            .get(done.id())
                            .orElseThrow()
                            .result()
                            .path("answer")
                            .asInt())
                    .isEqualTo(42);
            assertThat(m.experiments().manager(done.id()))
                    .contains(b.replication().id());
            // the readable copy is the state the log kept, not the record it skipped
            Path copy = dir.resolve(m.replication().id()).resolve("experiments").resolve(done.id() + ".json");
            await("the copy of " + done.id() + " on " + m.replication().id(), () -> {
                try {
                    return Json.mapper()
                            .readTree(Files.readAllBytes(copy))
                            .path("status")
                            .asText()
                            .equals("success");
                } catch (IOException e) {
                    return false;
                }
            });
        }
        // renamed through another manager, it is still the one manager b ran (the rename does not make a its runner)
        write(() -> managers[0].experiments().save(done.named("renamed through a")));
        for (Member m : managers) {
            await(
                    "the new name on " + m.replication().id(),
                    () -> "renamed through a"
                            .equals(m.experiments().get(done.id()).orElseThrow().name()));
            assertThat(m.experiments().manager(done.id()))
                    .contains(b.replication().id());
        }
        // an interruption takes only what is unfinished, keeps the manager the log names, and makes nothing unknown
        Experiment other = newExperiment().running();
        write(() -> b.replication().putExperiments(List.of(other)));
        Experiment unknown = newExperiment();
        write(() -> b.replication()
                .interruptExperiments(List.of(
                        new ExperimentLog.Run(other.interrupted("ended by the test"), "manager-x"),
                        new ExperimentLog.Run(unknown.interrupted("ended by the test"), "manager-x"))));
        for (Member m : managers) {
            awaitStatus(m, other.id(), Experiment.INTERRUPTED);
            assertThat(m.experiments().manager(other.id()))
                    .contains(b.replication().id());
            assertThat(m.experiments().get(unknown.id())).isEmpty();
        }
    }

    @Test
    @Order(2)
    void anEndThatFindsNoMajorityIsCommittedOnceTheManagersAreBackAndARefusedSubmissionNeverStaysPending()
            throws Exception {
        Member b = managers[1];
        Experiment submitted = newExperiment();
        Experiment running = submitted.running();
        write(() -> b.experiments().save(submitted));
        write(() -> b.experiments().save(running));
        awaitStatus(b, running.id(), Experiment.RUNNING);
        close(0);
        close(2);
        // no majority: the end is kept (this manager reads it) and waits for the log; a new submission is refused
        Experiment done = running.succeeded(Json.mapper().createObjectNode().put("answer", 7), List.of());
        b.experiments().save(done);
        assertThat(b.experiments().get(done.id()).orElseThrow().status()).isEqualTo(Experiment.SUCCESS);
        Experiment refused = newExperiment();
        assertThatThrownBy(() -> b.experiments().save(refused))
                .isInstanceOfSatisfying(
                        Problem.class, p -> assertThat(p.type()).isEqualTo(ProblemType.MANAGER_UNAVAILABLE));
        // the check every second of a manager: without a majority it fails, and ends nothing of what waits
        assertThat(b.experiments().interruptAbandoned(ExperimentStore.STOPPED)).isZero();

        restart(0, PATIENCE);
        restart(2, PATIENCE);
        for (Member m : managers) {
            awaitStatus(m, done.id(), Experiment.SUCCESS);
        }
        // the refused submission's record reaches the log after all (its write had timed out for its sender only)
        write(() -> b.replication().putExperiments(List.of(refused)));
        awaitStatus(b, refused.id(), Experiment.PENDING);
        await("manager b's own check ends the refused submission", () -> {
            try {
                b.experiments().interruptAbandoned(ExperimentStore.STOPPED);
            } catch (Problem p) {
                return false; // slow: tried again, as every second in a manager
            }
            return status(b, refused.id()).equals(Experiment.INTERRUPTED);
        });
        for (Member m : managers) {
            awaitStatus(m, refused.id(), Experiment.INTERRUPTED);
            assertThat(m.experiments()
                            .get(refused.id())
                            .orElseThrow()
                            .error()
                            .path("detail")
                            .asText())
                    .isEqualTo(ExperimentStore.REFUSED);
            assertThat(m.experiments().get(done.id()).orElseThrow().status()).isEqualTo(Experiment.SUCCESS);
        }
    }

    @Test
    @Order(3)
    void aManagerThatRestartsWithoutAMajorityEndsItsOwnExperimentsOnceItHasOne() throws Exception {
        Member c = managers[2];
        Experiment pending = newExperiment();
        Experiment submitted = newExperiment();
        Experiment running = submitted.running();
        write(() -> c.experiments().save(pending));
        write(() -> c.experiments().save(submitted));
        write(() -> c.experiments().save(running));
        for (Member m : managers) {
            awaitStatus(m, running.id(), Experiment.RUNNING);
            awaitStatus(m, pending.id(), Experiment.PENDING);
        }
        // manager c dies with both unfinished, and comes back while the two others are down
        close(2);
        close(0);
        close(1);
        restart(2, Duration.ofSeconds(2));
        Member restarted = managers[2];
        // its attempt at its start ends nothing: no majority (or its log not applied yet, then it finds nothing)
        try {
            assertThat(restarted.experiments().interruptAbandoned(ExperimentStore.STOPPED))
                    .isZero();
        } catch (Problem p) {
            assertThat(p.type()).isEqualTo(ProblemType.MANAGER_UNAVAILABLE);
        }
        assertThat(status(restarted, running.id())).isIn(Experiment.RUNNING, "absent");
        restart(0, PATIENCE);
        restart(1, PATIENCE);
        // the others see manager c ready again: only its own check, every second, ends them
        await("manager c's own check ends its experiments", () -> {
            try {
                return restarted.experiments().interruptAbandoned(ExperimentStore.STOPPED) == 0
                        && status(restarted, running.id()).equals(Experiment.INTERRUPTED);
            } catch (Problem p) {
                return false;
            }
        });
        for (Member m : managers) {
            for (Experiment e : List.of(pending, running)) {
                awaitStatus(m, e.id(), Experiment.INTERRUPTED);
                assertThat(m.experiments()
                                .get(e.id())
                                .orElseThrow()
                                .error()
                                .path("detail")
                                .asText())
                        .isEqualTo(ExperimentStore.STOPPED);
                assertThat(m.experiments().manager(e.id())).contains("manager-c");
            }
        }
    }

    @Test
    @Order(4)
    void theLeaderEndsTheExperimentsOfAManagerThatIsDownButNotOneThatEndedMeanwhile() throws Exception {
        int leader = -1;
        for (int i = 0; i < 3; i++) {
            if (managers[i].replication().isLeader()) {
                leader = i;
            }
        }
        assertThat(leader).as("a leader").isNotNegative();
        int down = (leader + 1) % 3;
        Member gone = managers[down];
        Experiment submitted = newExperiment();
        Experiment running = submitted.running();
        Experiment finished = newExperiment().running().succeeded(Json.mapper().createObjectNode(), List.of());
        write(() -> gone.experiments().save(submitted));
        write(() -> gone.experiments().save(running));
        write(() -> gone.experiments().save(finished));
        Member leading = managers[leader];
        awaitStatus(leading, running.id(), Experiment.RUNNING);
        awaitStatus(leading, finished.id(), Experiment.SUCCESS);
        String goneId = gone.replication().id();
        close(down);
        await("the leader interrupts the experiment of " + goneId, () -> {
            try {
                ManagerServer.interruptOrphans(leading.replication(), leading.experiments());
            } catch (Problem p) {
                return false;
            }
            return status(leading, running.id()).equals(Experiment.INTERRUPTED);
        });
        assertThat(leading.experiments()
                        .get(running.id())
                        .orElseThrow()
                        .error()
                        .path("detail")
                        .asText())
                .contains(goneId)
                .contains("stopped answering");
        assertThat(status(leading, finished.id())).isEqualTo(Experiment.SUCCESS);
        restart(down, PATIENCE);
        for (Member m : managers) {
            awaitStatus(m, running.id(), Experiment.INTERRUPTED);
            awaitStatus(m, finished.id(), Experiment.SUCCESS);
        }
    }

    /**
     * A write the test needs to succeed, tried again while it answers 503 (a loaded machine can make a commit miss its
     * 2 s); the writes are records and interruptions, which a second commit leaves as the first did.
     */
    private static void write(Runnable write) {
        Instant deadline = Instant.now().plus(PATIENCE);
        while (true) {
            try {
                write.run();
                return;
            } catch (Problem p) {
                if (p.type() != ProblemType.MANAGER_UNAVAILABLE || Instant.now().isAfter(deadline)) {
                    throw p;
                }
            }
        }
    }

    private void close(int i) {
        managers[i].close();
        managers[i] = null;
    }

    private void restart(int i, Duration leaderWait) {
        managers[i] = start(i, leaderWait);
    }

    private static Experiment newExperiment() {
        ObjectNode request = Json.mapper().createObjectNode();
        request.putObject("inputdata").put("data_model", "dementia:0.1");
        return Experiment.pending(UUID.randomUUID().toString(), "linear_regression", "alice", request);
    }

    private static String status(Member m, String id) {
        return m.experiments().get(id).map(Experiment::status).orElse("absent");
    }

    private static void awaitStatus(Member m, String id, String status) {
        await(
                id + " " + status + " on " + m.replication().id(),
                () -> status(m, id).equals(status));
    }

    private static void await(String what, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(PATIENCE);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("waited " + PATIENCE.toSeconds() + " s: " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting: " + what, e);
            }
        }
    }
}
