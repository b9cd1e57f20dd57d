package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.json.Json;
import org.mipfed.core.security.JoinToken;
import org.mipfed.node.NodeConfig;
import org.mipfed.node.session.KnownManager;

/**
 * {@code mipfed manager join} end to end, with real processes over mutual TLS on loopback: a running federation of
 * one manager and three nodes (two DuckDB, one PostgreSQL) gets two more managers through the CLI with the manager
 * token. All three list each other as ready, answer the same analyses with the same numbers, and every node learns
 * the three managers (kept in its {@code node.json}); a bad token, a worker token, a wrong CA digest and a data
 * directory that holds a federation are refused with their message and leave nothing behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestManagerJoin {
    private static final String[] NODES = ThreeManagerFederation.NODES;

    @TempDir
    static Path dir;

    static ThreeManagerFederation fixture;
    static LocalFederation federation;

    @BeforeAll
    static void threeNodesThenTwoMoreManagers() {
        fixture = ThreeManagerFederation.start(dir, "s9_join_uoa");
        federation = fixture.federation();
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    @Order(1)
    void theThreeManagersListEachOtherAsReadyEachSayingWhichAnswered() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            ids.add(federation.managerId(i));
        }
        assertThat(ids).hasSize(3);
        for (int i = 0; i < 3; i++) {
            int index = i;
            LocalFederation.await(Duration.ofSeconds(60), "manager " + i + " to list three ready managers", () -> {
                JsonNode managers = federation.admin(index).get("/admin/managers");
                Set<String> ready = new HashSet<>();
                for (JsonNode m : managers) {
                    if (m.path("status").asText().equals("ready")) {
                        ready.add(m.path("id").asText());
                    }
                }
                return managers.size() == 3 && ready.equals(ids);
            });
            JsonNode managers = federation.admin(i).get("/admin/managers");
            List<String> self = new ArrayList<>();
            long leaders = 0;
            for (JsonNode m : managers) {
                if (m.path("self").asBoolean()) {
                    self.add(m.path("id").asText());
                }
                leaders += m.path("role").asText().equals("leader") ? 1 : 0;
            }
            assertThat(self).as("self through manager " + i).containsExactly(federation.managerId(i));
            assertThat(leaders).as("leaders seen through manager " + i).isEqualTo(1);
        }
    }

    @Test
    @Order(2)
    void everyNodeHoldsASessionToEachManagerAndKeepsTheThreeInNodeJson() {
        for (int i = 0; i < 3; i++) {
            TestNodesWithTwoManagers.awaitReadyOn(federation.admin(i), Duration.ofSeconds(90), NODES);
        }
        List<KnownManager> expected = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            expected.add(new KnownManager(federation.managerId(i), "127.0.0.1:" + federation.managerGrpcPort(i)));
        }
        for (String alias : NODES) {
            LocalFederation.await(Duration.ofSeconds(30), alias + "'s node.json to list the three managers", () -> {
                NodeConfig config = NodeConfig.load(federation.node(alias).paths());
                return config.managers().size() == 3 && config.managers().containsAll(expected);
            });
        }
    }

    @Test
    @Order(3)
    void theSameAnalysesGiveTheSameNumbersThroughEachManager() {
        JsonNode regression = federation.admin(0).post("/algorithms/linear_regression", regression());
        JsonNode logistic =
                federation.admin(0).post("/algorithms/logistic_regression", TestNodesWithTwoManagers.logistic());
        assertThat(regression.path("n_obs").asLong()).isPositive();
        for (int i = 1; i < 3; i++) {
            JsonNode r = federation.admin(i).post("/algorithms/linear_regression", regression());
            TestNodesWithTwoManagers.assertSameNumbers(regression.path("coefficients"), r.path("coefficients"));
            assertThat(r.path("n_obs").asLong())
                    .isEqualTo(regression.path("n_obs").asLong());
            JsonNode l =
                    federation.admin(i).post("/algorithms/logistic_regression", TestNodesWithTwoManagers.logistic());
            TestNodesWithTwoManagers.assertSameNumbers(
                    logistic.path("summary").path("coefficients"),
                    l.path("summary").path("coefficients"));
        }
    }

    @Test
    @Order(4)
    void aBadTokenAWorkerTokenAWrongCaDigestAndAFederationsDataDirectoryAreRefused() throws Exception {
        String managerToken = federation
                .admin()
                .get("/admin/join-tokens/manager")
                .path("token")
                .asText();
        String workerToken = federation
                .admin()
                .get("/admin/join-tokens/worker")
                .path("token")
                .asText();
        JoinToken parsed = JoinToken.parse(managerToken);
        // the right CA digest with a secret that is no current one; the right secret with another CA's digest
        String otherSecret = new JoinToken(parsed.digest(), flipFirst(parsed.secret())).toString();
        String wrongDigest = new JoinToken(flipFirst(parsed.digest()), parsed.secret()).toString();

        Cli.Result bad = join(otherSecret, "bad");
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.err()).contains("Join refused").contains("not the current manager token");
        assertThat(dir.resolve("bad")).doesNotExist();

        Cli.Result worker = join(workerToken, "worker");
        assertThat(worker.exitCode()).isNotZero();
        assertThat(worker.err()).contains("worker token").contains("never a manager");
        assertThat(dir.resolve("worker")).doesNotExist();

        Cli.Result digest = join(wrongDigest, "digest");
        assertThat(digest.exitCode()).isNotZero();
        assertThat(digest.err())
                .contains("Manager not trusted")
                .contains("digest")
                .contains("token was not sent");
        assertThat(dir.resolve("digest")).doesNotExist();

        Cli.Result unreachable = Cli.run(
                "manager",
                "join",
                "--token",
                managerToken,
                "--data-dir",
                dir.resolve("unreachable").toString(),
                "--grpc-port",
                "0",
                "--http-port",
                "0",
                "127.0.0.1:" + LocalFederation.freeLoopbackPort());
        assertThat(unreachable.exitCode()).isNotZero();
        assertThat(unreachable.err()).contains("Cannot reach the manager");
        assertThat(dir.resolve("unreachable")).doesNotExist();

        Path existing = federation.managerPaths(1).dataDir();
        List<String> before;
        try (var files = Files.walk(existing)) {
            before = files.map(Path::toString).sorted().toList();
        }
        Cli.Result taken = Cli.run(
                "manager",
                "join",
                "--token",
                managerToken,
                "--data-dir",
                existing.toString(),
                "127.0.0.1:" + federation.grpcPort());
        assertThat(taken.exitCode()).isNotZero();
        assertThat(taken.err()).contains("already holds a federation").contains("mipfed manager start");

        // the manager token makes no node either
        Cli.Result node = Cli.run(
                "node",
                "join",
                "--token",
                managerToken,
                "--data-dir",
                dir.resolve("node-with-manager-token").toString(),
                "127.0.0.1:" + federation.grpcPort());
        assertThat(node.exitCode()).isNotZero();
        assertThat(node.err()).contains("manager token").contains("never a node");
        assertThat(dir.resolve("node-with-manager-token").resolve("node.json")).doesNotExist();
        // still three managers
        assertThat(federation.admin(2).get("/admin/managers")).hasSize(3);
    }

    @Test
    @Order(5)
    void aDemotedManagerLeavesTheNodesListsAndItsProcessEndsByItself() throws Exception {
        // the leader makes the change: demote a manager that is not the leader, through the leader
        String leader = null;
        for (JsonNode m : federation.admin(0).get("/admin/managers")) {
            if (m.path("role").asText().equals("leader")) {
                leader = m.path("id").asText();
            }
        }
        int leaderIndex = -1;
        for (int i = 0; i < 3; i++) {
            leaderIndex = federation.managerId(i).equals(leader) ? i : leaderIndex;
        }
        assertThat(leaderIndex).as("a leader among the three").isNotNegative();
        int index = leaderIndex == 2 ? 1 : 2;
        int other = 3 - index - leaderIndex;
        String demoted = federation.managerId(index);
        federation
                .admin(leaderIndex)
                .post("/admin/managers/" + demoted + "/demote", Json.mapper().createObjectNode());
        Process process = federation.managerProcess(index);
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as("the demoted manager's process ends by itself")
                .isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(Files.readString(federation.managerLog(index)))
                .contains("is no longer one of the federation's managers");
        JsonNode managers = federation.admin(other).get("/admin/managers");
        assertThat(managers).hasSize(2);
        for (JsonNode m : managers) {
            assertThat(m.path("id").asText()).isNotEqualTo(demoted);
        }
        for (String alias : NODES) {
            LocalFederation.await(Duration.ofSeconds(30), alias + "'s node.json to drop the demoted manager", () -> {
                NodeConfig config = NodeConfig.load(federation.node(alias).paths());
                return config.managers().size() == 2
                        && config.managers().stream().noneMatch(k -> k.id().equals(demoted));
            });
        }
        // the two left still answer analyses
        assertThat(federation
                        .admin(other)
                        .post("/algorithms/linear_regression", regression())
                        .path("n_obs")
                        .asLong())
                .isPositive();
    }

    private static String flipFirst(String text) {
        return (text.charAt(0) == 'a' ? "b" : "a") + text.substring(1);
    }

    private static Cli.Result join(String token, String dataDir) {
        return Cli.run(
                "manager",
                "join",
                "--token",
                token,
                "--data-dir",
                dir.resolve(dataDir).toString(),
                "--grpc-port",
                "0",
                "--http-port",
                "0",
                "127.0.0.1:" + federation.grpcPort());
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode regression() {
        return TestNodesWithTwoManagers.regression(30);
    }
}
