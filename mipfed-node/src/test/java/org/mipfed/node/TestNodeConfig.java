package org.mipfed.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.node.session.KnownManager;

class TestNodeConfig {
    @TempDir
    Path dir;

    @Test
    void keepsThePrivacyPolicyInNodeJson() throws Exception {
        NodePaths paths = new NodePaths(dir);
        PrivacyPolicy policy = new PrivacyPolicy(12, 5, 0.2, 30, List.of("describe"), false, 50);
        new NodeConfig("n1", "f1", "worker", "127.0.0.1:2377", null, policy).save(paths);
        assertThat(Files.readString(paths.config()))
                .contains("\"privacy\"", "\"min_rows\" : 12", "\"release_extremes\" : false");
        assertThat(NodeConfig.load(paths).privacy()).isEqualTo(policy);
        assertThat(NodeConfig.load(paths).minRows()).isEqualTo(12);
    }

    @Test
    void aPolicyLeftOutOrPartlyGivenTakesTheDefaults() throws Exception {
        NodePaths paths = new NodePaths(dir);
        Files.writeString(
                paths.config(), "{\"nodeId\": \"n1\", \"manager\": \"m:2377\", \"privacy\": {\"max_levels\": 12}}");
        assertThat(NodeConfig.load(paths).privacy())
                .isEqualTo(PrivacyPolicy.of(null, null, null, 12, null, null, null));
        Files.writeString(paths.config(), "{\"nodeId\": \"n1\", \"manager\": \"m:2377\"}");
        assertThat(NodeConfig.load(paths).privacy()).isEqualTo(PrivacyPolicy.DEFAULT);
    }

    @Test
    void aNodeJsonFromBeforeTheFullPolicyKeepsItsMinimumOfRows() throws Exception {
        NodePaths paths = new NodePaths(dir);
        Files.writeString(
                paths.config(),
                "{\"nodeId\": \"n1\", \"federationId\": \"f\", \"role\": \"worker\", \"manager\": \"m:2377\", "
                        + "\"store\": null, \"minRows\": 5}");
        assertThat(NodeConfig.load(paths).privacy()).isEqualTo(PrivacyPolicy.DEFAULT.withMinRows(5));
    }

    @Test
    void aNodeJsonWithOneManagerDialsItAndTheListIsWrittenBesideEverythingElse() throws Exception {
        NodePaths paths = new NodePaths(dir);
        Files.writeString(
                paths.config(),
                "{\"nodeId\": \"n1\", \"federationId\": \"f\", \"role\": \"worker\", \"manager\": \"m:2377\", "
                        + "\"minRows\": 15}");
        NodeConfig old = NodeConfig.load(paths);
        assertThat(old.managers()).isEmpty();
        assertThat(old.managersVersion()).isZero();
        assertThat(old.managerList()).containsExactly(new KnownManager("", "m:2377"));

        List<KnownManager> two = List.of(new KnownManager("a", "m:2377"), new KnownManager("b", "m2:2377"));
        NodeConfig.saveManagers(paths, two, 4);
        NodeConfig updated = NodeConfig.load(paths);
        assertThat(updated.managerList()).isEqualTo(two);
        assertThat(updated.managersVersion()).isEqualTo(4);
        // nothing else of the file changed: its minimum of rows, and the manager it joined through
        assertThat(updated.privacy().minRows()).isEqualTo(15);
        assertThat(updated.manager()).isEqualTo("m:2377");
        assertThat(Files.readString(paths.config())).contains("\"minRows\"").doesNotContain("\"privacy\"");
        assertThat(dir)
                .isDirectoryNotContaining(p -> !p.getFileName().toString().equals("node.json"));
    }
}
