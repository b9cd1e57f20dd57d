package org.mipfed.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.problem.Problem;

class TestConfigFile {
    /** As PrivacyPolicy: boxed, so that a field left out can take its default. */
    record Limits(
            @JsonProperty("min_rows") Integer minRows,
            @JsonProperty("ratio") Double ratio,
            @JsonProperty("names") List<String> names) {
        Limits {
            if (minRows != null && minRows < 1) {
                throw new IllegalArgumentException("min_rows must be at least 1, not " + minRows);
            }
        }
    }

    record Config(String manager, Boolean extremes, Limits limits) {}

    /** As the manager's state: records that check their values, in a list. */
    record Owner(String node) {
        Owner {
            java.util.Objects.requireNonNull(node, "node is null");
        }
    }

    record Owners(List<Owner> owners) {}

    /** As FederationConfig: a primitive that must be there. */
    record Ports(int grpcPort) {}

    @TempDir
    Path dir;

    @Test
    void readsAWellFormedFile() throws IOException {
        Config config = read(
                "{\"manager\": \"m:2377\", \"extremes\": true, \"limits\": {\"min_rows\": 10, \"ratio\": 1, \"names\": [\"a\"]}}");
        assertThat(config).isEqualTo(new Config("m:2377", true, new Limits(10, 1.0, List.of("a"))));
    }

    @Test
    void namesTheFileTheKeyAndTheFix() {
        assertRefused(
                "{\"limits\": {\"min_rwos\": 10}}",
                "the key 'limits.min_rwos' is unknown; did you mean 'min_rows'? "
                        + "Rename or remove it (keys known there: min_rows, names, ratio)");
        assertRefused(
                "{\"limits\": {\"minRows\": 10}}", "the key 'limits.minRows' is unknown; did you mean 'min_rows'?");
        assertRefused(
                "{\"colour\": 1}",
                "the key 'colour' is unknown. Rename or remove it (keys known there: extremes, limits, manager)");
        assertRefused(
                "{\"limits\": {\"min_rows\": 2.7}}",
                "'limits.min_rows' must be a whole number (e.g. 10, without a fraction or quotes)");
        assertRefused(
                "{\"limits\": {\"min_rows\": \"10\"}}",
                "'limits.min_rows' must be a whole number (e.g. 10, without a fraction or quotes)");
        assertRefused(
                "{\"limits\": {\"ratio\": \"0.3\"}}", "'limits.ratio' must be a number (e.g. 0.33, without quotes)");
        assertRefused("{\"extremes\": 1}", "'extremes' must be true or false (without quotes)");
        assertRefused("{\"manager\": 2377}", "'manager' must be text in double quotes");
        assertRefused("{\"limits\": {\"min_rows\": 0}}", "in 'limits': min_rows must be at least 1, not 0");
        assertRefused("{\"manager\": \"a\", \"manager\": \"b\"}", "line 1, column ");
        assertRefused("{\"manager\": \"a\",}", "this is not valid JSON");
        assertRefused("{\"manager\": \"a\"} {}", "Trailing token");
    }

    @Test
    void namesAMissingNumber() throws IOException {
        Path file = Files.writeString(dir.resolve("c.json"), "{\"grpcPort\": 1, \"grpcport\": 1}");
        assertThatThrownBy(() -> ConfigFile.read(file, Ports.class))
                .isInstanceOf(Problem.class)
                .hasMessageContaining("the key 'grpcport' is unknown; did you mean 'grpcPort'?");
        // a required number misspelled: the misspelling is the mistake named, not the missing value it causes
        Files.writeString(file, "{\"grpcport\": 1}");
        assertThatThrownBy(() -> ConfigFile.read(file, Ports.class))
                .isInstanceOf(Problem.class)
                .hasMessageContaining("the key 'grpcport' is unknown; did you mean 'grpcPort'?");
        Files.writeString(file, "{\"owners\": [{\"node\": \"a\"}, {\"nod\": \"b\"}]}");
        assertThatThrownBy(() -> ConfigFile.read(file, Owners.class))
                .isInstanceOf(Problem.class)
                .hasMessageContaining(
                        "the key 'owners[1].nod' is unknown; did you mean 'node'? Rename or remove it (keys known there: node)");
        Files.writeString(file, "{}");
        assertThatThrownBy(() -> ConfigFile.read(file, Ports.class))
                .isInstanceOf(Problem.class)
                .hasMessage(file
                        + ": 'grpcPort' is missing; write it as a whole number (e.g. 10, without a fraction or quotes). "
                        + "Nothing was started; correct the file and start again");
    }

    private Config read(String json) throws IOException {
        return ConfigFile.read(Files.writeString(dir.resolve("c.json"), json), Config.class);
    }

    private void assertRefused(String json, String message) {
        assertThatThrownBy(() -> read(json)).isInstanceOf(Problem.class).satisfies(e -> {
            Problem p = (Problem) e;
            assertThat(p.status()).isEqualTo(422);
            assertThat(p.title()).isEqualTo("Invalid configuration");
            assertThat(p.detail())
                    .startsWith(dir.resolve("c.json") + ": ")
                    .contains(message)
                    .endsWith(". Nothing was started; correct the file and start again");
        });
    }
}
