package org.mipfed.manager.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.audit.AuditVerifier;
import org.mipfed.core.json.Json;
import org.mipfed.core.security.Pem;
import org.mipfed.manager.LoopbackManager;
import org.mipfed.node.NodeConfig;
import org.mipfed.node.NodePaths;

/** A real node over a real mutual-TLS session audits each primitive under the manager its session certificate proves. */
class TestNodeAuditOverSession {
    @TempDir
    Path directory;

    @Test
    void theNodeNamesTheManagerByItsCertificateAndTheUserByTheManagersWord() throws Exception {
        try (LoopbackManager manager = LoopbackManager.start(directory.resolve("manager"))) {
            NodePaths node = manager.withNode(directory.resolve("node"), "chuv", "edsd0.csv");
            HttpResponse<String> answered = manager.post(
                    "/algorithms/descriptive_stats",
                    "{\"inputdata\": {\"data_model\": \"dementia:0.1\","
                            + " \"datasets\": [\"edsd0\"], \"y\": [\"lefthippocampus\"]}, \"parameters\": {}}");
            assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);

            String subject = Pem.readCertificate(manager.paths().tlsCertificate())
                    .getSubjectX500Principal()
                    .getName();
            assertThat(subject)
                    .contains("OU=manager", "O=" + manager.server().config().federationId());
            List<JsonNode> lines = new ArrayList<>();
            for (String line : Files.readAllLines(node.auditLog())) {
                lines.add(Json.mapper().readTree(line));
            }
            assertThat(lines).isNotEmpty().allSatisfy(line -> {
                assertThat(line.path("manager").asText()).isEqualTo(subject);
                assertThat(line.path("requester").asText()).isEqualTo("admin");
            });
            assertThat(lines).anySatisfy(line -> {
                assertThat(line.path("datasets").toString()).isEqualTo("[\"edsd0\"]");
                assertThat(line.path("variables").toString()).contains("lefthippocampus");
                assertThat(line.path("outcome").asText()).isEqualTo("answered");
                assertThat(line.path("rows_used").asLong()).isPositive();
            });
            AuditVerifier.Result result =
                    AuditVerifier.verify(node.auditLog(), NodeConfig.load(node).nodeId());
            assertThat(result.ok()).as(result.problem()).isTrue();
            assertThat(result.lines()).isEqualTo(lines.size());
        }
    }
}
