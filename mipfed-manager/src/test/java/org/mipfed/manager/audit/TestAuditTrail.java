package org.mipfed.manager.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.audit.AuditVerifier;
import org.mipfed.core.json.Json;
import org.mipfed.manager.LoopbackManager;
import org.mipfed.manager.backup.ManagerBackup;
import org.mipfed.manager.state.ManagerPaths;

/** A real manager records analyses and administrative actions, refused ones too, and serves its trail newest first. */
class TestAuditTrail {
    @TempDir
    Path directory;

    @Test
    void recordsAnalysesAndAdminActionsAndServesThemNewestFirst() throws Exception {
        try (LoopbackManager manager = LoopbackManager.start(directory.resolve("manager"))) {
            String federation = manager.server().config().federationId();
            HttpResponse<String> shown = manager.get("/admin/join-tokens/worker");
            assertThat(shown.statusCode()).isEqualTo(200);
            String workerToken =
                    Json.mapper().readTree(shown.body()).path("token").asText();
            HttpResponse<String> rotated = manager.post("/admin/join-tokens/worker/rotate", "");
            assertThat(rotated.statusCode()).isEqualTo(200);
            String rotatedToken =
                    Json.mapper().readTree(rotated.body()).path("token").asText();
            assertThat(manager.post("/admin/start", "{\"nodes\": [\"chuv\"]}").statusCode())
                    .isEqualTo(404);
            assertThat(manager.post("/admin/nodes/chuv/labels", "{\"add\": {\"name\": \"chuv\"}}")
                            .statusCode())
                    .isEqualTo(404);
            assertThat(manager.send(manager.request("/admin/nodes/epfl")
                                    .DELETE()
                                    .build())
                            .statusCode())
                    .isEqualTo(404);
            HttpResponse<String> analysis = manager.post(
                    "/algorithms/descriptive_stats",
                    "{\"inputdata\": {\"data_model\": \"dementia:0.1\","
                            + " \"datasets\": [\"edsd0\"], \"y\": [\"lefthippocampus\"]}, \"parameters\": {}}");
            assertThat(analysis.statusCode()).as(analysis.body()).isBetween(400, 503);
            HttpResponse<String> submitted = manager.post(
                    "/experiments",
                    "{\"algorithm\": \"descriptive_stats\", \"inputdata\": {\"data_model\":"
                            + " \"dementia:0.1\", \"datasets\": [\"edsd0\", \"ppmi0\"], \"y\": [\"lefthippocampus\"]}, \"parameters\": {}}");
            assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
            String experiment =
                    Json.mapper().readTree(submitted.body()).path("id").asText();
            assertThat(manager.send(manager.request("/experiments/" + experiment)
                                    .DELETE()
                                    .build())
                            .statusCode())
                    .isIn(204, 409);

            HttpResponse<String> trail = manager.get("/admin/audit?limit=50");
            assertThat(trail.statusCode()).isEqualTo(200);
            List<JsonNode> lines = new ArrayList<>();
            Json.mapper().readTree(trail.body()).forEach(lines::add);
            assertThat(lines)
                    .extracting(l -> l.path("action").asText())
                    .containsExactly(
                            "experiment.delete",
                            "experiment.submit",
                            "analysis.run",
                            "node.remove",
                            "node.label",
                            "node.start",
                            "join_token.rotate",
                            "join_token.show");
            assertThat(lines).extracting(l -> l.path("seq").asLong()).containsExactly(8L, 7L, 6L, 5L, 4L, 3L, 2L, 1L);
            assertThat(lines).allSatisfy(l -> {
                assertThat(l.path("user").asText()).isEqualTo("admin");
                assertThat(l.path("hash").asText()).hasSize(64);
                assertThat(l.fieldNames())
                        .toIterable()
                        .containsExactly("seq", "time", "manager", "user", "action", "outcome", "details", "hash");
                // the line names the manager that served it
                assertThat(l.path("manager").asText())
                        .isEqualTo(manager.server().replication().id());
            });
            JsonNode submit = lines.get(1);
            assertThat(submit.path("outcome").asText()).isEqualTo("ok");
            assertThat(submit.path("details").path("experiment_id").asText()).isEqualTo(experiment);
            assertThat(submit.path("details").path("algorithm").asText()).isEqualTo("descriptive_stats");
            assertThat(submit.path("details").path("datasets").toString()).isEqualTo("[\"edsd0\",\"ppmi0\"]");
            assertThat(submit.path("details").path("variables").toString()).isEqualTo("[\"lefthippocampus\"]");
            JsonNode run = lines.get(2);
            assertThat(run.path("details").path("experiment_id").asText()).hasSize(36);
            assertThat(run.path("details").path("data_model").asText()).isEqualTo("dementia:0.1");
            assertThat(run.path("outcome").asText()).isEqualTo("refused");
            assertThat(run.path("details").path("status").asInt()).isEqualTo(analysis.statusCode());
            JsonNode start = lines.get(5);
            assertThat(start.path("outcome").asText()).isEqualTo("refused");
            assertThat(start.path("details").path("nodes").toString()).isEqualTo("[\"chuv\"]");
            assertThat(start.path("details").path("status").asInt()).isEqualTo(404);
            assertThat(lines.get(6).path("details").path("role").asText()).isEqualTo("worker");
            assertThat(manager.get("/admin/audit?limit=2").body())
                    .contains("\"seq\":8")
                    .doesNotContain("\"seq\":6");
            assertThat(manager.get("/admin/audit?limit=0").statusCode()).isEqualTo(400);
            assertThat(manager.get("/admin/audit?limit=abc").body())
                    .contains("limit must be a whole number from 1 to 10000");

            // join tokens are never written down
            String log = Files.readString(manager.paths().auditLog(), StandardCharsets.UTF_8);
            assertThat(log).doesNotContain(workerToken).doesNotContain(rotatedToken);
            AuditVerifier.Result result = AuditVerifier.verify(manager.paths().auditLog(), federation);
            assertThat(result.ok()).as(result.problem()).isTrue();
            assertThat(result.lines()).isEqualTo(8);
        }
    }

    @Test
    void userAndTokenActionsAreRecordedWithoutTheirSecrets() throws Exception {
        try (LoopbackManager manager = LoopbackManager.start(directory.resolve("manager"))) {
            String password = "a-long-researcher-password";
            assertThat(manager.post(
                                    "/admin/users",
                                    "{\"username\": \"ana\", \"password\": \"" + password
                                            + "\", \"role\": \"researcher\"}")
                            .statusCode())
                    .isEqualTo(201);
            HttpResponse<String> promoted = manager.send(manager.request("/admin/users/ana")
                    .header("Content-Type", "application/json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"role\": \"admin\"}"))
                    .build());
            assertThat(promoted.statusCode()).as(promoted.body()).isEqualTo(200);
            HttpResponse<String> created = manager.post("/auth/tokens", "{\"name\": \"laptop\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode token = Json.mapper().readTree(created.body());
            assertThat(manager.send(manager.request(
                                            "/auth/tokens/" + token.path("id").asText())
                                    .DELETE()
                                    .build())
                            .statusCode())
                    .isEqualTo(204);
            assertThat(manager.send(manager.request("/admin/users/ana").DELETE().build())
                            .statusCode())
                    .isEqualTo(204);
            assertThat(manager.send(manager.request("/admin/users/nobody")
                                    .DELETE()
                                    .build())
                            .statusCode())
                    .isBetween(400, 499);

            List<JsonNode> lines = new ArrayList<>();
            Json.mapper().readTree(manager.get("/admin/audit").body()).forEach(lines::add);
            assertThat(lines)
                    .extracting(l ->
                            l.path("action").asText() + " " + l.path("outcome").asText())
                    .containsExactly(
                            "user.delete refused",
                            "user.delete ok",
                            "token.revoke ok",
                            "token.create ok",
                            "user.change ok",
                            "user.create ok");
            assertThat(lines.get(5).path("details").path("username").asText()).isEqualTo("ana");
            assertThat(lines.get(5).path("details").path("role").asText()).isEqualTo("researcher");
            assertThat(lines.get(4).path("details").path("changed").toString()).isEqualTo("[\"role\"]");
            assertThat(lines.get(3).path("details").path("name").asText()).isEqualTo("laptop");
            assertThat(lines.get(2).path("details").path("token_id").asText())
                    .isEqualTo(token.path("id").asText());
            assertThat(lines)
                    .allSatisfy(l -> assertThat(l.path("user").asText()).isEqualTo("admin"));

            String log = Files.readString(manager.paths().auditLog(), StandardCharsets.UTF_8);
            assertThat(log)
                    .doesNotContain(password)
                    .doesNotContain(token.path("token").asText());
            assertThat(AuditVerifier.verify(
                                    manager.paths().auditLog(),
                                    manager.server().config().federationId())
                            .ok())
                    .isTrue();
        }
    }

    @Test
    void aBackupWhileTheManagerRunsIsRecordedAndTheTrailTravelsWithIt() throws Exception {
        Path backup = directory.resolve("manager.backup");
        String federation;
        try (LoopbackManager manager = LoopbackManager.start(directory.resolve("manager"))) {
            federation = manager.server().config().federationId();
            assertThat(manager.get("/admin/join-tokens/worker").statusCode()).isEqualTo(200);
            ManagerBackup.backup(manager.paths(), backup, "correct horse battery".toCharArray());
            // the running manager chains on after the backup's line
            assertThat(manager.get("/admin/join-tokens/manager").statusCode()).isEqualTo(200);
            List<String> actions = new ArrayList<>();
            Json.mapper()
                    .readTree(manager.get("/admin/audit").body())
                    .forEach(l -> actions.add(l.path("action").asText()));
            assertThat(actions).containsExactly("join_token.show", "backup", "join_token.show");
            JsonNode line = Json.mapper()
                    .readTree(manager.get("/admin/audit?limit=2").body())
                    .get(1);
            assertThat(line.path("user").asText()).startsWith("cli:");
            assertThat(line.path("details").path("out").asText())
                    .isEqualTo(backup.toAbsolutePath().toString());
            assertThat(AuditVerifier.verify(manager.paths().auditLog(), federation)
                            .lines())
                    .isEqualTo(3);
        }
        ManagerPaths restored = new ManagerPaths(directory.resolve("restored"));
        ManagerBackup.restore(backup, restored, "correct horse battery".toCharArray());
        AuditVerifier.Result result = AuditVerifier.verify(restored.auditLog(), federation);
        assertThat(result.ok()).as(result.problem()).isTrue();
        assertThat(result.lines()).isEqualTo(1);
        try (AuditTrail trail = new AuditTrail(restored.auditLog(), federation)) {
            trail.record("admin", AuditTrail.NODE_START, AuditTrail.OK, null);
        }
        assertThat(AuditVerifier.verify(restored.auditLog(), federation).lines())
                .isEqualTo(2);
    }
}
