package org.mipfed.manager.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.core.security.KeyPairs;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ManagerServer;
import org.mipfed.manager.ca.CertificateAuthority;
import org.mipfed.manager.ca.FederationCa;
import org.mipfed.manager.state.FederationState;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.manager.state.StateStore;

/**
 * A second manager joins a running manager's Raft group: it receives the whole state (the CA key included), its
 * writes go through the leader, and it leaves again; the refusals of the membership changes say what to do.
 */
class TestManagerMembership {
    @TempDir
    Path dir;

    @Test
    void aManagerJoinsReceivesTheStateWritesThroughTheLeaderAndLeaves() throws Exception {
        ManagerPaths a = new ManagerPaths(dir.resolve("a"));
        FederationInit.init(a, "127.0.0.1", 0, 0, "127.0.0.1");
        String federationId = FederationInit.config(a).federationId();
        // the new manager's key and its manager certificate (OU=manager, server and client) under the federation's CA
        CertificateAuthority authority = CertificateAuthority.load(a.caDir());
        KeyPair keys = KeyPairs.generate();
        X509Certificate certificate = authority.issueServerCertificate(keys, List.of("127.0.0.1"), Duration.ofDays(1));
        FederationCa.Identity identity =
                new FederationCa.Identity(keys.getPrivate(), List.of(certificate, authority.certificate()));
        Path b = dir.resolve("b");
        try (ManagerServer leader = ManagerServer.start(a, 0, 0);
                ManagerReplication joining = ManagerReplication.startJoining(
                        b.resolve("raft").resolve("log"),
                        b.resolve("state.json"),
                        federationId,
                        new ManagerMember("manager-b0000001", "127.0.0.1:2377", "127.0.0.1", 0),
                        RaftTls.config(() -> identity, () -> List.of(authority.certificate()), federationId),
                        ReplicationSettings.DEFAULT)) {
            // an empty member holds nothing and belongs to no group yet
            assertThat(joining.state().federation()).isNull();
            ManagerReplication first = leader.replication();
            assertThatThrownBy(() -> joining.addMember("manager-c0000001", "127.0.0.1:1", 1_000))
                    .isInstanceOfSatisfying(
                            Problem.class, p -> assertThat(p.type()).isEqualTo(ProblemType.CONFLICT))
                    .hasMessageContaining("not it");

            first.addMember(joining.id(), "127.0.0.1:" + joining.raftAddress().getPort(), 60_000);
            assertThat(first.groupSize()).isEqualTo(2);
            assertThat(joining.awaitState(30_000)).isTrue();
            // the joined manager holds the whole state: the federation and the CA with its key
            assertThat(joining.state().federation()).isEqualTo(first.state().federation());
            assertThat(joining.state().ca().sameCas(first.state().ca())).isTrue();
            assertThat(joining.state().ca().key()).isNotBlank();
            // adding it again changes nothing
            first.addMember(joining.id(), "127.0.0.1:" + joining.raftAddress().getPort(), 60_000);
            assertThat(first.groupSize()).isEqualTo(2);
            await(() -> first.managers().stream()
                            .filter(m -> m.status().equals("ready"))
                            .count()
                    == 2);
            List<ManagerStatus> seen = first.managers();
            assertThat(seen).extracting(ManagerStatus::id).containsExactlyInAnyOrder(first.id(), joining.id());
            assertThat(seen)
                    .filteredOn(m -> m.id().equals(first.id()))
                    .singleElement()
                    .satisfies(m -> assertThat(m.role()).isEqualTo("leader"));

            // a write on the follower is forwarded to the leader and seen by both
            StateStore throughB = StateStore.replicated(joining);
            FederationState written =
                    throughB.update(s -> s.withSecrets("from-b-" + "x".repeat(40), s.managerSecret()));
            await(() -> written.equals(first.state().federation()));
            assertThat(StateStore.load(b.resolve("state.json")).get()).isEqualTo(written);

            // the leader cannot leave a group of one; the other member leaves
            first.removeMember(joining.id(), 30_000);
            assertThat(first.groupSize()).isEqualTo(1);
            assertThatThrownBy(() -> first.removeMember(first.id(), 30_000))
                    .isInstanceOfSatisfying(
                            Problem.class, p -> assertThat(p.type()).isEqualTo(ProblemType.CONFLICT))
                    .hasMessageContaining("only manager");
            // and the group of one still writes
            leader.registry();
            StateStore.replicated(first).update(s -> s.withSecrets("after-" + "y".repeat(40), s.managerSecret()));
            assertThat(first.state().federation().workerSecret()).startsWith("after-");
        }
    }

    @Test
    void aDataDirectoryThatIsAManagerAlreadyCannotJoin() {
        ManagerPaths a = new ManagerPaths(dir.resolve("a"));
        FederationInit.init(a, "127.0.0.1", 0, 0, "127.0.0.1");
        try (ManagerServer manager = ManagerServer.start(a, 0, 0)) {
            manager.registry();
        }
        FederationCa ca = FederationCa.load(a, "127.0.0.1");
        String federationId = FederationInit.config(a).federationId();
        assertThatThrownBy(() -> ManagerReplication.startJoining(
                        a.raftDir().resolve("log"),
                        a.state(),
                        federationId,
                        new ManagerMember("manager-b0000001", "127.0.0.1:2377", "127.0.0.1", 0),
                        RaftTls.config(ca, federationId),
                        ReplicationSettings.DEFAULT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is a manager already");
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s");
            }
            Thread.sleep(50);
        }
    }
}
