package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.json.Json;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.node.NodePaths;

/**
 * Configuration that refuses mistakes, with real processes: {@code mipfed node run} on a node.json
 * with a misspelled key, a fraction or a string for a count, a policy below a safe floor, and
 * {@code mipfed manager start} on a misspelled federation.json, each exit non-zero at once with one
 * message naming the file, the key and the fix, and start nothing.
 */
class TestConfigurationRefusals {
    private static final String IDENTITY =
            "\"nodeId\": \"n1\", \"federationId\": \"f1\", \"role\": \"worker\", \"manager\": \"127.0.0.1:1\"";

    @TempDir
    Path dir;

    @Test
    void aMisspelledPrivacyKeyStopsTheNode() throws Exception {
        assertNodeRefuses(
                "{" + IDENTITY + ", \"privacy\": {\"min_rwos\": 10}}",
                "node.json: the key 'privacy.min_rwos' is unknown; did you mean 'min_rows'? Rename or remove it (keys known there: "
                        + "allowed_primitives, continuous_equality, differencing_history, filter_variables, lockout_hours, max_filter_rules, "
                        + "max_levels, max_parameter_ratio, min_cell_count, min_rows, refusal_budget, refusal_window_hours, release_extremes)");
        assertNodeRefuses(
                "{" + IDENTITY + ", \"manger\": \"x\"}",
                "node.json: the key 'manger' is unknown; did you mean 'manager'?");
    }

    @Test
    void aFractionOrTextForACountStopsTheNode() throws Exception {
        assertNodeRefuses(
                "{" + IDENTITY + ", \"privacy\": {\"min_rows\": 2.7}}",
                "node.json: 'privacy.min_rows' must be a whole number (e.g. 10, without a fraction or quotes)");
        assertNodeRefuses(
                "{" + IDENTITY + ", \"privacy\": {\"min_rows\": \"10\"}}",
                "node.json: 'privacy.min_rows' must be a whole number (e.g. 10, without a fraction or quotes)");
        assertNodeRefuses(
                "{" + IDENTITY + ", \"privacy\": {\"release_extremes\": \"no\"}}",
                "node.json: 'privacy.release_extremes' must be true or false (without quotes)");
        assertNodeRefuses(
                "{" + IDENTITY + ", \"privacy\": {\"min_cell_count\": 0}}",
                "node.json: in 'privacy': min_cell_count must be at least 1, not 0");
    }

    @Test
    void aPolicyBelowItsSafeFloorStopsTheNodeUnlessNodeJsonSaysSo() throws Exception {
        assertNodeRefuses(
                "{" + IDENTITY + ", \"privacy\": {\"min_rows\": 2}}",
                "node.json: in 'privacy': min_rows is 2, below the safe floor of 3 (an aggregate of fewer rows discloses them). "
                        + "Raise it to its floor, or, if the hospital accepts the risk, say so in node.json with \"below_safe_floor\": [\"min_rows\"]. "
                        + "Nothing was started; correct the file and start again");
        // acknowledged: the configuration is accepted, and the node goes on to its next step (its missing certificate)
        Process.Result accepted = runNode(
                new NodePaths(Files.createDirectories(dir.resolve("acknowledged"))),
                "{" + IDENTITY + ", \"privacy\": {\"min_rows\": 2}, \"below_safe_floor\": [\"min_rows\"]}");
        assertThat(accepted.output()).doesNotContain("Invalid configuration").doesNotContain("below the safe floor");
    }

    @Test
    void aMisspelledManagerFileStopsTheManager() throws Exception {
        ManagerPaths paths = new ManagerPaths(dir.resolve("manager"));
        FederationInit.init(paths, "127.0.0.1", 1, 1, "127.0.0.1", java.time.Duration.ofDays(30));
        var federation = (com.fasterxml.jackson.databind.node.ObjectNode)
                Json.mapper().readTree(paths.federation().toFile());
        federation.put("httpPrt", 9091);
        Files.writeString(paths.federation(), federation.toPrettyString(), StandardCharsets.UTF_8);
        Process.Result refused = Process.run(
                List.of("manager", "start", "--data-dir", paths.dataDir().toString()));
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.output())
                .contains("mipfed: Invalid configuration: " + paths.federation()
                        + ": the key 'httpPrt' is unknown; did you mean 'httpPort'?");
        assertThat(paths.auditLog()).doesNotExist();

        federation.remove("httpPrt");
        federation.put("httpPort", 70_000);
        Files.writeString(paths.federation(), federation.toPrettyString(), StandardCharsets.UTF_8);
        Process.Result badPort = Process.run(
                List.of("manager", "start", "--data-dir", paths.dataDir().toString()));
        assertThat(badPort.exitCode()).isEqualTo(2);
        assertThat(badPort.output())
                .contains(paths.federation()
                        + ": httpPort must be a port number from 1 to 65535 (0: any free port), not 70000");

        federation.put("httpPort", 1);
        Files.writeString(paths.federation(), federation.toPrettyString(), StandardCharsets.UTF_8);
        var state = (com.fasterxml.jackson.databind.node.ObjectNode)
                Json.mapper().readTree(paths.state().toFile());
        state.putArray("datasetOwners")
                .addObject()
                .put("dataModel", "dementia:0.1")
                .put("dataset", "edsd0")
                .put("nod", "x")
                .put("since", "2026-12-06T00:00:00Z");
        Files.writeString(paths.state(), state.toPrettyString(), StandardCharsets.UTF_8);
        Process.Result badState = Process.run(
                List.of("manager", "start", "--data-dir", paths.dataDir().toString()));
        assertThat(badState.exitCode()).isEqualTo(2);
        assertThat(badState.output())
                .contains(paths.state() + ": the key 'datasetOwners[0].nod' is unknown; did you mean 'node'?");
        assertThat(paths.auditLog()).doesNotExist();
    }

    private void assertNodeRefuses(String nodeJson, String message) throws Exception {
        Path nodeDir = Files.createDirectories(dir.resolve("node-" + System.nanoTime()));
        NodePaths paths = new NodePaths(nodeDir);
        Process.Result refused = runNode(paths, nodeJson);
        // nothing started: no control socket, no audit log, no store
        assertThat(paths.controlSocket()).doesNotExist();
        assertThat(paths.auditLog()).doesNotExist();
        assertThat(Files.list(nodeDir).map(p -> p.getFileName().toString()).toList())
                .containsExactly("node.json");
        assertThat(refused.exitCode()).as(refused.output()).isEqualTo(2);
        assertThat(refused.output()).contains("mipfed: Invalid configuration: ").contains(message);
        assertThat(refused.output()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private static Process.Result runNode(NodePaths paths, String nodeJson) throws Exception {
        Files.writeString(paths.config(), nodeJson, StandardCharsets.UTF_8);
        return Process.run(List.of("node", "run", "--data-dir", paths.dataDir().toString()));
    }

    /** A {@code mipfed} process, as an operator starts it. */
    private static final class Process {
        record Result(int exitCode, String output) {}

        static Result run(List<String> args) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-XX:+UseSerialGC",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "org.mipfed.cli.Main"));
            command.addAll(args);
            java.lang.Process p =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("mipfed " + String.join(" ", args) + " did not exit: "
                        + new String(out, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        }
    }
}
