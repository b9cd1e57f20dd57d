package org.mipfed.manager.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
import org.mipfed.manager.backup.ManagerBackup;
import org.mipfed.manager.ca.FederationCa;
import org.mipfed.manager.experiments.Experiment;
import org.mipfed.manager.experiments.ExperimentStore;
import org.mipfed.manager.state.FederationState;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.manager.state.ManagerRecord;
import org.mipfed.manager.state.NodeRecord;
import org.mipfed.manager.state.StateStore;
import org.mipfed.manager.users.Roles;
import org.mipfed.manager.users.Sessions;
import org.mipfed.manager.users.UserStore;

/**
 * {@code recover --force-new-cluster} in one JVM: three managers on loopback hold a user and an API token, labelled
 * nodes and a removed certificate, a signed-in session, an experiment with its result and a CA rotation in progress;
 * two are closed and a write answers 503 within the write timeout; the survivor, stopped, is recovered as a group of
 * one holding all of it (same content digest), takes writes, and the two old members started again on their old logs
 * (together a majority of the old group) cannot change it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestForceNewCluster {
    private static final String PASSWORD = "a long enough password";
    private static final Duration PATIENCE = Duration.ofSeconds(40);

    @TempDir
    static Path dir;

    private ThreeManagers group;
    private String federationId;
    private FederationCa ca;
    private List<ManagerMember> members;
    private final ManagerReplication[] managers = new ManagerReplication[3];
    private ExperimentStore experimentsOfA;

    /** What the survivor held when the two others were closed, as the recovery must keep it. */
    private ReplicatedState before;

    private String sessionCookie;
    private String tokenSecret;
    private String experimentId;
    private JsonNode result;
    private ForceNewCluster.Recovered recovered;
    private ManagerReplication recoveredA;

    @BeforeAll
    void startThreeManagers() throws Exception {
        group = new ThreeManagers(dir, 7100);
        federationId = group.federationId();
        ca = group.ca();
        members = group.members();
        // manager-a is a full data directory: its member file is where a manager keeps it
        ManagerMember a = members.get(0);
        new MemberFile(a.id(), a.raftHost(), a.raftPort()).write(group.paths(0).raftDir());
        ThreeManagers.startTogether(this::start).toArray(managers);
        group.importFiles(0, managers[0]);
        experimentsOfA = ExperimentStore.replicated(group.paths(0).experiments(), managers[0]);
    }

    @AfterAll
    void stop() {
        if (experimentsOfA != null) {
            experimentsOfA.close();
        }
        for (ManagerReplication m : managers) {
            if (m != null) {
                m.close();
            }
        }
        if (recoveredA != null) {
            recoveredA.close();
        }
    }

    private Path dataDir(int i) {
        return group.dataDir(i);
    }

    private ManagerReplication start(int i) {
        return group.start(i, new ReplicationSettings(1_000, 64 * 1024, PATIENCE.toMillis()));
    }

    @Test
    @Order(1)
    void theThreeManagersHoldEveryKindOfState() throws Exception {
        ManagerReplication a = managers[0];
        await("the users reach manager-a", () -> a.readUsers().content() != null);
        UserStore users = UserStore.replicated(a);
        users.create("alice", PASSWORD, Roles.RESEARCHER);
        tokenSecret = users.createToken("alice", "nightly report").secret();
        // two nodes with labels, one certificate removed, and the three managers nodes dial
        FederationState federation = a.read().state();
        FederationState next = federation
                .withMembership(
                        List.of(
                                new NodeRecord(
                                        "node-1",
                                        "hospital-1",
                                        "worker",
                                        Map.of("name", "chuv", "site", "lausanne"),
                                        "active",
                                        "01",
                                        Instant.parse("2026-12-01T10:00:00Z")),
                                new NodeRecord(
                                        "node-2",
                                        "hospital-2",
                                        "worker",
                                        Map.of("name", "brescia"),
                                        "drain",
                                        "02",
                                        Instant.parse("2026-12-01T11:00:00Z"))),
                        List.of("0f"),
                        federation.datasetOwners())
                .withManagers(members.stream()
                        .map(m -> new ManagerRecord(m.id(), m.address(), "localhost:8080"))
                        .toList());
        assertThat(a.change(a.read().version(), next)).isTrue();
        sessionCookie = Sessions.replicated(managers[1]).create("alice").id();
        result = Json.mapper().readTree("{\"mean\": 41.25, \"n\": 312}");
        Experiment submitted = Experiment.pending(
                UUID.randomUUID().toString(),
                "descriptive_stats",
                "alice",
                Json.mapper().readTree("{\"y\":[\"age\"]}"));
        experimentId = submitted.id();
        experimentsOfA.save(submitted);
        experimentsOfA.record(submitted
                .running()
                .succeeded(result, List.of(new Experiment.Contribution("node-1", List.of("dementia"), 312L))));
        // a CA rotation in progress: the next CA travels with the state
        ca.startRotation();
        a.submit(new StateCommand.PutCa(ca.keys()));
        await("every manager holds the finished experiment and the same state", () -> {
            for (ManagerReplication m : managers) {
                var run = m.experiments().get(experimentId);
                if (run == null || !run.experiment().status().equals(Experiment.SUCCESS)) {
                    return false;
                }
            }
            return managers[0].digest().equals(managers[1].digest())
                    && managers[1].digest().equals(managers[2].digest());
        });
        System.out.println("[s9-recover] leader before the outage: "
                + (managers[0].isLeader() ? "manager-a" : managers[1].isLeader() ? "manager-b" : "manager-c"));
    }

    @Test
    @Order(2)
    void withTwoOfThreeClosedAWriteAnswers503WithinTheWriteTimeout() {
        before = managers[0].state();
        managers[1].close();
        managers[1] = null;
        managers[2].close();
        managers[2] = null;
        UserStore users = UserStore.replicated(managers[0]);
        long started = System.nanoTime();
        assertThatThrownBy(() -> users.update("alice", Roles.ADMIN, null, null))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.type()).isEqualTo(ProblemType.MANAGER_UNAVAILABLE);
                    assertThat(p.getMessage())
                            .contains("of 3 managers")
                            .contains("needs 2")
                            .contains("recover --force-new-cluster");
                });
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        System.out.println("[s9-recover] without a majority a write was refused after " + millis + " ms");
        // the write timeout, and a busy machine's slack
        assertThat(millis).isLessThan(ManagerReplication.WRITE_TIMEOUT_MILLIS + 3_000);
        // once the survivor has not heard from the others for a few seconds, a write is refused at once
        await(
                "manager-a sees two managers down",
                () -> managers[0].managers().stream()
                                .filter(m -> m.status().equals("down"))
                                .count()
                        == 2);
        long again = System.nanoTime();
        assertThatThrownBy(() -> users.update("alice", Roles.ADMIN, null, null))
                .isInstanceOfSatisfying(
                        Problem.class, p -> assertThat(p.type()).isEqualTo(ProblemType.MANAGER_UNAVAILABLE));
        System.out.println("[s9-recover] a write once the two were seen down was refused after "
                + Duration.ofNanos(System.nanoTime() - again).toMillis() + " ms");
        assertThat(managers[0].state()).isEqualTo(before);
    }

    @Test
    @Order(3)
    void recoverRefusesARunningManagerAndADirectoryThatIsNoManagers() throws IOException {
        ManagerPaths running = new ManagerPaths(dataDir(0));
        assertThatThrownBy(() -> ForceNewCluster.recover(running, Instant.now()))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.type()).isEqualTo(ProblemType.CONFLICT);
                    assertThat(p.getMessage()).contains("is running").contains("Stop it first");
                });
        Path empty = Files.createDirectories(dir.resolve("not-a-manager"));
        assertThatThrownBy(() -> ForceNewCluster.recover(new ManagerPaths(empty), Instant.now()))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.type()).isEqualTo(ProblemType.INVALID_REQUEST);
                    assertThat(p.getMessage()).contains("is not a manager's data directory");
                });
        // nothing was moved
        assertThat(running.raftDir().resolve("log")).isDirectory();
        try (var siblings = Files.list(running.dataDir())) {
            assertThat(siblings.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("raft."));
        }
    }

    @Test
    @Order(4)
    void aBackupOfTheSurvivorRestoresAsAGroupOfOneWhoseNodesDialItAlone() throws IOException {
        ManagerPaths survivor = new ManagerPaths(dataDir(0));
        Path backup = dir.resolve("survivor.backup");
        char[] passphrase = "correct horse battery staple".toCharArray();
        ManagerBackup.backup(survivor, backup, passphrase);
        ManagerPaths restored = new ManagerPaths(dir.resolve("restored"));
        ManagerBackup.restore(backup, restored, passphrase);
        // no Raft log: the restored manager starts a group of one of its own, with a member id of its own
        assertThat(restored.raftDir()).doesNotExist();
        FederationState files = StateStore.load(restored.state()).get();
        assertThat(files.managers()).isEmpty();
        assertThat(files.managersVersion()).isEqualTo(before.federation().managersVersion() + 1);
        // started as ManagerServer starts a data directory without a log
        MemberFile member = MemberFile.readOrCreate(restored.raftDir(), "localhost", 0);
        assertThat(member.id()).isNotIn("manager-a", "manager-b", "manager-c");
        try (ManagerReplication alone = ManagerReplication.start(
                restored.raftDir().resolve("log"),
                restored.state(),
                federationId,
                member.member("localhost:7200"),
                RaftTls.config(ca, federationId),
                new ReplicationSettings(1_000, 64 * 1024, PATIENCE.toMillis()))) {
            alone.submit(new StateCommand.ImportFiles(files));
            ManagerServer.importOlderFiles(restored, alone);
            assertThat(alone.groupSize()).isEqualTo(1);
            assertThat(alone.isLeader()).isTrue();
            assertThat(alone.state().federation().nodes()).hasSize(2);
            assertThat(alone.state().federation().managersOr(new ManagerRecord(member.id(), "localhost:7200", "")))
                    .extracting(ManagerRecord::id)
                    .containsExactly(member.id());
            UserStore users = UserStore.replicated(alone);
            assertThat(users.authenticate("alice", PASSWORD)).isPresent();
            assertThat(users.userForToken(tokenSecret)).isPresent();
            assertThat(alone.experiments().get(experimentId).experiment().result())
                    .isEqualTo(result);
            // its sessions are not in a backup: users sign in again
            assertThat(alone.state().sessions()).isEmpty();
            users.create("dave", PASSWORD, Roles.RESEARCHER);
            assertThat(users.user("dave")).isPresent();
        }
    }

    @Test
    @Order(5)
    void theStoppedSurvivorRecoversAsAGroupOfOneWithEverythingItHad() {
        experimentsOfA.close();
        experimentsOfA = null;
        managers[0].close();
        managers[0] = null;
        ManagerPaths paths = new ManagerPaths(dataDir(0));
        String groupBefore = ManagerReplication.groupIdIn(paths.raftDir().resolve("log"), federationId)
                .getUuid()
                .toString();
        long started = System.nanoTime();
        recovered = ForceNewCluster.recover(paths, Instant.parse("2026-12-07T07:30:00Z"));
        System.out.println("[s9-recover] recovered in "
                + Duration.ofNanos(System.nanoTime() - started).toMillis()
                + " ms: applied index " + recovered.appliedIndex() + ", " + recovered.droppedEntries()
                + " entries dropped, content digest " + recovered.contentDigest());
        String expected = ForceNewCluster.contentDigest(ForceNewCluster.narrowManagers(before, "manager-a"));
        assertThat(recovered.contentDigest()).isEqualTo(expected);
        assertThat(recovered.groupBefore()).isEqualTo(groupBefore);
        assertThat(recovered.groupAfter()).isNotEqualTo(groupBefore);
        assertThat(recovered.membersBefore()).containsExactly("manager-a", "manager-b", "manager-c");
        assertThat(recovered.nodes()).isEqualTo(2);
        assertThat(recovered.labels()).isEqualTo(3);
        assertThat(recovered.removedCertificates()).isEqualTo(1);
        assertThat(recovered.users()).isEqualTo(2); // the admin and alice
        assertThat(recovered.apiTokens()).isEqualTo(before.users().tokens().size());
        assertThat(recovered.sessions()).isEqualTo(1);
        assertThat(recovered.experiments()).isEqualTo(1);
        assertThat(recovered.experimentsWithResult()).isEqualTo(1);
        assertThat(recovered.caRotationInProgress()).isTrue();
        // the old log kept aside, never deleted; the new one in its place, holding only the new group
        assertThat(recovered.keptAside()).isEqualTo(paths.dataDir().resolve("raft.before-recover-20261207T073000Z"));
        assertThat(recovered.keptAside().resolve("log").resolve(groupBefore)).isDirectory();
        assertThat(ManagerReplication.groupsIn(paths.raftDir().resolve("log")))
                .extracting(g -> g.getUuid().toString())
                .containsExactly(recovered.groupAfter());
        // the CA files follow the replicated CA, rotation included
        FederationCa files = FederationCa.load(paths, "localhost");
        assertThat(files.rotating()).isTrue();
        assertThat(files.keys().sameCas(before.ca())).isTrue();
    }

    @Test
    @Order(6)
    void theRecoveredManagerStartsAloneWithAllOfItAndTakesWrites() {
        ManagerPaths paths = new ManagerPaths(dataDir(0));
        MemberFile member = MemberFile.readOrCreate(paths.raftDir(), "localhost", 0);
        assertThat(member.id()).isEqualTo("manager-a");
        recoveredA = ManagerReplication.start(
                paths.raftDir().resolve("log"),
                paths.state(),
                federationId,
                member.member("localhost:7100"),
                RaftTls.config(ca, federationId),
                new ReplicationSettings(1_000, 64 * 1024, PATIENCE.toMillis()));
        assertThat(recoveredA.groupSize()).isEqualTo(1);
        assertThat(recoveredA.groupUuid()).isEqualTo(recovered.groupAfter());
        assertThat(recoveredA.isLeader()).isTrue();
        ReplicatedState state = recoveredA.state();
        assertThat(ForceNewCluster.contentDigest(state)).isEqualTo(recovered.contentDigest());
        // the federation's managers are this one alone: nodes drop the others
        assertThat(state.federation().managers()).extracting(ManagerRecord::id).containsExactly("manager-a");
        assertThat(state.federation().managersVersion())
                .isEqualTo(before.federation().managersVersion() + 1);
        assertThat(state.federation().nodes())
                .extracting(NodeRecord::labels)
                .containsExactly(Map.of("name", "chuv", "site", "lausanne"), Map.of("name", "brescia"));
        assertThat(state.federation().removedSerials()).containsExactly("0f");
        UserStore users = UserStore.replicated(recoveredA);
        assertThat(users.authenticate("alice", PASSWORD)).isPresent();
        assertThat(users.userForToken(tokenSecret)).map(u -> u.username()).contains("alice");
        assertThat(Sessions.replicated(recoveredA).find(sessionCookie))
                .map(Sessions.Session::username)
                .contains("alice");
        ExperimentStore experiments = ExperimentStore.replicated(paths.experiments(), recoveredA);
        try {
            Experiment read = experiments.get(experimentId).orElseThrow();
            assertThat(read.status()).isEqualTo(Experiment.SUCCESS);
            assertThat(read.result()).isEqualTo(result);
            // writes work again: no majority to wait for
            long started = System.nanoTime();
            users.create("bob", PASSWORD, Roles.RESEARCHER);
            System.out.println("[s9-recover] the first write after the recovery took "
                    + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
            assertThat(users.user("bob")).isPresent();
        } finally {
            experiments.close();
        }
        // state.json, the readable copy, says the same
        assertThat(StateStore.load(paths.state()).get())
                .isEqualTo(recoveredA.state().federation());
    }

    @Test
    @Order(7)
    void theOldMembersStartedAgainCannotChangeTheRecoveredFederation() {
        String digestBefore = ForceNewCluster.contentDigest(recoveredA.state());
        long indexBefore = recoveredA.digest().appliedIndex();
        // b and c on their old logs: together a majority of the old group, which still names manager-a
        ExecutorService starting = Executors.newFixedThreadPool(2);
        try {
            Future<ManagerReplication> b = starting.submit(() -> start(1));
            Future<ManagerReplication> c = starting.submit(() -> start(2));
            managers[1] = b.get();
            managers[2] = c.get();
        } catch (Exception e) {
            throw new AssertionError("the old members did not start: " + e, e);
        } finally {
            starting.shutdownNow();
        }
        // they elect a leader among themselves and commit in the old group, which is not the federation any more
        await("the old members elect a leader", () -> managers[1].isLeader() || managers[2].isLeader());
        await("the old group commits a new admin", () -> {
            UserStore old = UserStore.replicated(managers[1]);
            try {
                if (old.user("mallory").isEmpty()) {
                    old.create("mallory", PASSWORD, Roles.ADMIN);
                }
                return true;
            } catch (Problem refused) {
                // an election among the old members still going on: try again
                return old.user("mallory").isPresent();
            }
        });
        // give the old leader's appends and elections time to reach manager-a (heartbeats every few hundred ms)
        sleep(Duration.ofSeconds(6));
        assertThat(recoveredA.groupSize()).isEqualTo(1);
        assertThat(recoveredA.isLeader()).isTrue();
        assertThat(UserStore.replicated(recoveredA).user("mallory")).isEmpty();
        assertThat(recoveredA.digest().appliedIndex()).isEqualTo(indexBefore);
        assertThat(ForceNewCluster.contentDigest(recoveredA.state())).isEqualTo(digestBefore);
        // and the recovered manager still takes writes alone
        UserStore.replicated(recoveredA).create("carol", PASSWORD, Roles.RESEARCHER);
        assertThat(UserStore.replicated(recoveredA).user("carol")).isPresent();
        assertThat(UserStore.replicated(managers[1]).user("carol")).isEmpty();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        ThreeManagers.await(PATIENCE, what, condition);
    }
}
