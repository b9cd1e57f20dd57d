package org.mipfed.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.node.NodeConfig;
import org.mipfed.node.NodePaths;

/**
 * The many-nodes benchmark at a small size: a real manager process and ten real node agents (each its own join,
 * certificate, store and TLS session) packed five to a JVM. Its linear regression over the ten nodes equals the same
 * rows pooled, the manager's memory is read, and after a restart of the manager every node comes back.
 */
class TestScaleBench {
    @TempDir
    Path dir;

    @Test
    void anAnalysisPathIsTheHttpGrpcAndGcThreadsNotRaftsTheJitsNorMipfedsBackgroundOnes() {
        // thread names as Linux keeps them (15 characters), read from a manager's /proc/<pid>/task/*/comm
        assertThat(List.of("JettyServerThre", "grpc-default-wo", "grpc-default-ex", "VM Thread", "GC Thread#0"))
                .allMatch(ScaleBench::onAnalysisPath);
        assertThat(List.of(
                        "C2 CompilerThre",
                        "C1 CompilerThre",
                        "Sweeper thread",
                        "manager-24b4cc2",
                        "mipfed-audit-ch",
                        "mipfed-experime",
                        "mipfed-session-",
                        "dataset-claims"))
                .noneMatch(ScaleBench::onAnalysisPath);
    }

    @Test
    void tenSimulatedNodesAnswerAsThePooledRowsAndComeBackAfterAManagerRestart() throws Exception {
        List<ObjectNode> rows = new ScaleBench(dir, 10, 60, 5, 10, java.time.Duration.ZERO).run();
        ScaleBench.print(rows, dir.resolve("out"), dir);

        List<ObjectNode> latencies = rows.stream()
                .filter(r -> r.path("kind").asText().equals("latency"))
                .toList();
        assertThat(latencies).extracting(r -> r.path("nodes").asInt()).containsExactly(3, 10);
        for (ObjectNode r : latencies) {
            // the federated answer over real sessions is the pooled one
            assertThat(r.path("max_rel_diff").asDouble()).as(r.toString()).isLessThan(1e-9);
            assertThat(r.path("p50_ms").asDouble()).isPositive();
            assertThat(r.path("p99_ms").asDouble())
                    .isGreaterThanOrEqualTo(r.path("p50_ms").asDouble());
        }
        // every row with a value in the table; the ten nodes' rows less those missing y, x1 or x2
        assertThat(latencies.get(1).path("n_obs").asLong()).isBetween(450L, 600L);

        ObjectNode memory = rows.stream()
                .filter(r -> r.path("what").asText().equals("manager memory, 10 nodes"))
                .findFirst()
                .orElseThrow();
        assertThat(memory.path("heap_mb").asDouble()).isPositive();
        assertThat(memory.path("rss_mb").asDouble()).isPositive();
        assertThat(memory.has("heap_mb_per_session")).isTrue();

        ObjectNode restart = rows.stream()
                .filter(r -> r.path("kind").asText().equals("restart"))
                .findFirst()
                .orElseThrow();
        assertThat(restart.path("all_ready_s").asDouble()).isPositive();
        // the restart split: the stop and the start apart, and the manager's own timing of each step
        assertThat(restart.path("stop_s").asDouble()).isPositive();
        assertThat(restart.path("start_s").asDouble()).isPositive();
        assertThat(restart.path("stop_s").asDouble() + restart.path("start_s").asDouble())
                .isCloseTo(restart.path("manager_up_s").asDouble(), org.assertj.core.data.Offset.offset(0.01));
        assertThat(restart.path("manager_log").toString())
                .contains("manager stopped in ", "10 node session(s)", "manager started in ", "Raft start");
        assertThat(restart.path("experiments").asLong()).isGreaterThanOrEqualTo(2L * 10);
        // each stage's idle CPU (sessions open, no analysis) and its CPU per analysis without it
        for (ObjectNode r : latencies) {
            assertThat(r.has("manager_idle_cpu_ms_per_s")).as(r.toString()).isTrue();
            assertThat(r.path("manager_cpu_ms_without_idle").asDouble())
                    .isLessThanOrEqualTo(r.path("manager_cpu_ms").asDouble());
            // the threads on an analysis' path are some of those that are not the JIT's, which are some of all
            assertThat(r.path("manager_path_cpu_ms").asDouble())
                    .as(r.toString())
                    .isLessThanOrEqualTo(r.path("manager_cpu_ms_without_jit").asDouble());
            assertThat(r.path("manager_cpu_ms_without_jit").asDouble())
                    .isLessThanOrEqualTo(r.path("manager_cpu_ms").asDouble());
        }
        assertThat(restart.path("last_back_s").asDouble())
                .isGreaterThanOrEqualTo(restart.path("first_back_s").asDouble());

        ObjectNode list = rows.stream()
                .filter(r -> r.path("kind").asText().equals("api"))
                .findFirst()
                .orElseThrow();
        assertThat(list.path("payload_kb").asDouble()).isPositive();

        // ten nodes, each with its own identity from its own join
        assertThat(java.util.stream.IntStream.range(0, 10)
                        .mapToObj(i -> NodeConfig.load(
                                        new NodePaths(dir.resolve("nodes").resolve("n" + i)))
                                .nodeId())
                        .distinct())
                .hasSize(10);
        assertThat(Files.readString(dir.resolve("out").resolve("scale.txt")))
                .contains("linear_regression over 10 nodes");
    }
}
