package org.mipfed.manager.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.json.Json;
import org.mipfed.core.security.JoinToken;
import org.mipfed.core.security.Role;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ManagerServer;
import org.mipfed.manager.ca.CertificateAuthority;
import org.mipfed.manager.ca.FederationCa;
import org.mipfed.manager.join.JoinTokens;
import org.mipfed.manager.state.FederationConfig;
import org.mipfed.manager.state.FederationState;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.manager.state.StateStore;

/** A single manager is a Raft group of one: its state goes through the log, survives restarts, is snapshotted. */
class TestManagerReplication {
    @TempDir
    Path dir;

    @Test
    void aSingleManagerIsAGroupOfOneWhoseWritesSurviveARestart() throws Exception {
        ManagerPaths paths = new ManagerPaths(dir.resolve("manager"));
        FederationInit.init(paths, "localhost", 0, 0, "127.0.0.1");
        assertThat(paths.raftDir()).doesNotExist();
        String rotated;
        try (ManagerServer manager = ManagerServer.start(paths, 0, 0)) {
            ManagerReplication replication = manager.replication();
            List<ManagerStatus> managers = replication.managers();
            assertThat(managers).hasSize(1);
            ManagerStatus self = managers.get(0);
            assertThat(self.id()).isEqualTo(replication.id()).startsWith("manager-");
            assertThat(self.role()).isEqualTo("leader");
            assertThat(self.status()).isEqualTo("ready");
            assertThat(self.self()).isTrue();
            assertThat(self.lag()).isZero();
            assertThat(self.address()).isEqualTo("localhost:" + manager.grpcPort());
            // the files of the data directory were imported into the log
            long imported = replication.state().version();
            assertThat(imported).isPositive();

            HttpResponse<String> listed = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + manager.httpPort() + "/admin/managers"))
                                    .header("Authorization", "Bearer " + FederationInit.adminToken(paths))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
            var entries = Json.mapper().readTree(listed.body());
            assertThat(entries).hasSize(1);
            assertThat(entries.get(0).path("id").asText()).isEqualTo(replication.id());
            assertThat(entries.get(0).path("address").asText()).isEqualTo("localhost:" + manager.grpcPort());
            assertThat(entries.get(0).path("role").asText()).isEqualTo("leader");
            assertThat(entries.get(0).path("status").asText()).isEqualTo("ready");
            assertThat(entries.get(0).path("lag").asLong()).isZero();
            assertThat(entries.get(0).path("self").asBoolean()).isTrue();

            rotated = rotateWorkerToken(manager);
            assertThat(replication.state().version()).isGreaterThan(imported);
            assertThat(replication.state().federation().workerSecret()).isEqualTo(rotated);
            // the state file stays the readable copy of the replicated state
            assertThat(StateStore.load(paths.state()).get())
                    .isEqualTo(replication.state().federation());
        }
        assertThat(paths.raftDir().resolve("member.json")).isRegularFile();
        String id = Json.mapper()
                .readTree(paths.raftDir().resolve("member.json").toFile())
                .path("id")
                .asText();
        try (ManagerServer again = ManagerServer.start(paths, 0, 0)) {
            assertThat(again.replication().id()).isEqualTo(id);
            assertThat(again.replication().state().federation().workerSecret()).isEqualTo(rotated);
        }
    }

    @Test
    void aChangeToTheFilesWhileTheManagerIsStoppedGoesIntoTheLogOnce() {
        ManagerPaths paths = new ManagerPaths(dir.resolve("manager"));
        FederationInit.init(paths, "localhost", 0, 0, "127.0.0.1");
        long before;
        try (ManagerServer manager = ManagerServer.start(paths, 0, 0)) {
            before = manager.replication().state().version();
        }
        // what `mipfed join-token --rotate` does to a stopped manager: it works on the files
        X509Certificate ca = CertificateAuthority.load(paths.caDir()).certificate();
        String token = new JoinTokens(StateStore.load(paths.state()), ca).rotate(Role.WORKER, ca);
        String secret = StateStore.load(paths.state()).get().workerSecret();
        assertThat(token).endsWith(secret);
        long imported;
        try (ManagerServer manager = ManagerServer.start(paths, 0, 0)) {
            assertThat(manager.replication().state().federation().workerSecret())
                    .isEqualTo(secret);
            imported = manager.replication().state().version();
            assertThat(imported).isGreaterThan(before);
        }
        try (ManagerServer manager = ManagerServer.start(paths, 0, 0)) {
            // nothing changed since: nothing is imported again
            assertThat(manager.replication().state().version()).isEqualTo(imported);
        }
    }

    @Test
    void snapshotsCompactTheLogAndARestartLoadsTheLatestOne() throws Exception {
        ManagerPaths paths = new ManagerPaths(dir.resolve("manager"));
        FederationInit.init(paths, "localhost", 0, 0, "127.0.0.1");
        FederationConfig config = FederationInit.config(paths);
        FederationCa ca = FederationCa.load(paths, config.advertiseAddr());
        FederationState initial = StateStore.load(paths.state()).get();
        ReplicationSettings settings = new ReplicationSettings(50, 64 * 1024, 10_000);
        Path raftDir = paths.raftDir().resolve("log");
        ManagerMember member = new ManagerMember("manager-a", "localhost:2377", "localhost", 0);
        FederationState last = initial;
        try (ManagerReplication replication = ManagerReplication.start(
                raftDir,
                paths.state(),
                config.federationId(),
                member,
                RaftTls.config(ca, config.federationId()),
                settings)) {
            replication.submit(new StateCommand.ImportFiles(initial));
            StateStore store = StateStore.replicated(replication);
            for (int i = 0; i < 400; i++) {
                String secret = "s" + i + "-".repeat(200);
                last = store.update(s -> new FederationState(
                        secret, s.managerSecret(), s.nodes(), s.removedSerials(), s.datasetOwners()));
            }
            assertThat(replication.latestSnapshotIndex()).isGreaterThanOrEqualTo(350);
            // whole segments before the snapshot were removed from the log
            assertThat(replication.logStartIndex()).isPositive();
            // a change computed from an older state is refused, not applied over the newer one
            CommandReply stale = replication.submit(new StateCommand.ChangeFederationState(1, initial));
            assertThat(stale.applied()).isFalse();
            assertThat(stale.refusal()).contains("the state changed");
            assertThat(replication.state().federation()).isEqualTo(last);
        }
        try (Stream<Path> files = Files.walk(raftDir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .anyMatch(name -> name.startsWith("snapshot.") && !name.endsWith(".md5"))
                    .noneMatch(name -> name.endsWith(".tmp"));
        }
        try (ManagerReplication again = ManagerReplication.start(
                raftDir,
                paths.state(),
                config.federationId(),
                member,
                RaftTls.config(ca, config.federationId()),
                settings)) {
            assertThat(again.state().federation()).isEqualTo(last);
            assertThat(StateStore.load(paths.state()).get()).isEqualTo(last);
        }
    }

    /** Rotates the worker join token through the REST API, as an admin does; returns the new secret. */
    private static String rotateWorkerToken(ManagerServer manager) throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://127.0.0.1:" + manager.httpPort() + "/admin/join-tokens/worker/rotate"))
                                .header("Authorization", "Bearer " + FederationInit.adminToken(manager.paths()))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JoinToken.parse(
                        Json.mapper().readTree(answer.body()).path("token").asText())
                .secret();
    }
}
