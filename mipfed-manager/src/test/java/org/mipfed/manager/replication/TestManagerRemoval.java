package org.mipfed.manager.replication;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.json.Json;
import org.mipfed.core.security.KeyPairs;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ManagerServer;
import org.mipfed.manager.ca.CertificateAuthority;
import org.mipfed.manager.ca.FederationCa;
import org.mipfed.manager.state.ManagerPaths;

/**
 * {@code mipfed manager demote} and {@code rm} through the REST API (admin): a live voting manager is demoted, never
 * removed; a down one is removed; the last one stays; an unknown id is a 404; every attempt is audited.
 */
class TestManagerRemoval {
    @TempDir
    Path dir;

    @Test
    void demoteAndRemoveRefuseWhatWouldBreakTheGroupAndAreAudited() throws Exception {
        ManagerPaths a = new ManagerPaths(dir.resolve("a"));
        FederationInit.init(a, "127.0.0.1", 0, 0, "127.0.0.1");
        try (ManagerServer leader = ManagerServer.start(a, 0, 0)) {
            String self = leader.replication().id();
            // a group of one: its manager is live (rm refused) and the only one (demote refused)
            HttpResponse<String> rmSelf = call(leader, "DELETE", "/admin/managers/" + self);
            assertThat(rmSelf.statusCode()).as(rmSelf.body()).isEqualTo(409);
            assertThat(rmSelf.body()).contains("demote it first").contains("mipfed manager demote " + self);
            HttpResponse<String> demoteSelf = call(leader, "POST", "/admin/managers/" + self + "/demote");
            assertThat(demoteSelf.statusCode()).as(demoteSelf.body()).isEqualTo(409);
            assertThat(demoteSelf.body()).contains("only manager");
            HttpResponse<String> unknown = call(leader, "DELETE", "/admin/managers/manager-nobody");
            assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
            assertThat(unknown.body()).contains("mipfed manager ls");

            // three managers; one dies: the two others are a majority, which removes it (demote is refused: it is down)
            try (ManagerReplication b = join(leader, a, "manager-b0000001")) {
                ManagerReplication c = join(leader, a, "manager-c0000001");
                awaitReady(leader, 3);
                HttpResponse<String> rmLive = call(leader, "DELETE", "/admin/managers/" + b.id());
                assertThat(rmLive.statusCode()).as(rmLive.body()).isEqualTo(409);
                assertThat(rmLive.body()).contains("demote it first");
                c.close();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!statusOf(leader, c.id()).equals("down") && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(statusOf(leader, c.id())).isEqualTo("down");
                HttpResponse<String> demoteDown = call(leader, "POST", "/admin/managers/" + c.id() + "/demote");
                assertThat(demoteDown.statusCode()).as(demoteDown.body()).isEqualTo(409);
                assertThat(demoteDown.body()).contains("mipfed manager rm " + c.id());
                HttpResponse<String> removed = call(leader, "DELETE", "/admin/managers/" + c.id());
                assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
                assertThat(leader.replication().groupSize()).isEqualTo(2);

                // the live second manager is demoted: it leaves the voting group
                HttpResponse<String> demoted = call(leader, "POST", "/admin/managers/" + b.id() + "/demote");
                assertThat(demoted.statusCode()).as(demoted.body()).isEqualTo(200);
                assertThat(Json.mapper().readTree(demoted.body())).hasSize(1);
                assertThat(leader.replication().groupSize()).isEqualTo(1);
            }
        }
        // the audit trail holds every attempt, refused ones with their outcome
        String audit = Files.readString(a.auditLog());
        assertThat(audit).contains("manager.remove").contains("manager.demote").contains("refused");
    }

    /** Starts an empty member with a manager certificate under the federation's CA and has the leader add it. */
    private static ManagerReplication join(ManagerServer leader, ManagerPaths a, String id) {
        String federationId = leader.config().federationId();
        CertificateAuthority authority = CertificateAuthority.load(a.caDir());
        KeyPair keys = KeyPairs.generate();
        X509Certificate certificate = authority.issueServerCertificate(keys, List.of("127.0.0.1"), Duration.ofDays(1));
        FederationCa.Identity identity =
                new FederationCa.Identity(keys.getPrivate(), List.of(certificate, authority.certificate()));
        Path b = a.dataDir().resolveSibling(id);
        ManagerReplication joining = ManagerReplication.startJoining(
                b.resolve("raft").resolve("log"),
                b.resolve("state.json"),
                federationId,
                new ManagerMember(id, "127.0.0.1:2377", "127.0.0.1", 0),
                RaftTls.config(() -> identity, () -> List.of(authority.certificate()), federationId),
                ReplicationSettings.DEFAULT);
        leader.replication().addMember(id, "127.0.0.1:" + joining.raftAddress().getPort(), 60_000);
        assertThat(joining.awaitState(30_000)).isTrue();
        return joining;
    }

    private static void awaitReady(ManagerServer leader, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (leader.replication().managers().stream()
                                .filter(m -> m.status().equals("ready"))
                                .count()
                        < count
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    private static String statusOf(ManagerServer leader, String id) throws Exception {
        JsonNode managers =
                Json.mapper().readTree(call(leader, "GET", "/admin/managers").body());
        for (JsonNode m : managers) {
            if (m.path("id").asText().equals(id)) {
                return m.path("status").asText();
            }
        }
        return "absent";
    }

    private static HttpResponse<String> call(ManagerServer manager, String method, String path) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + manager.httpPort() + path))
                .header("Authorization", "Bearer " + FederationInit.adminToken(manager.paths()));
        if (method.equals("POST")) {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
