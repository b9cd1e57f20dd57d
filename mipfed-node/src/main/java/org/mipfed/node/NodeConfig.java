package org.mipfed.node;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.security.Pem;
import org.mipfed.node.privacy.PrivacyPolicy;

/**
 * A node's configuration, kept in {@code N/node.json}: who it is, where its manager is, where its
 * data is, and its own privacy policy, which only the hospital can change (by editing this file).
 *
 * @param store a JDBC URL of an existing PostgreSQL database, or null for the embedded DuckDB file
 * @param minRows the node's minimum number of rows for any released aggregate
 */
public record NodeConfig(
        String nodeId,
        String federationId,
        String role,
        String manager,
        String store,
        int minRows) {
    public static final int DEFAULT_MIN_ROWS = 10;

    public NodeConfig {
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(manager, "manager is null");
        if (minRows < 1) {
            throw new IllegalArgumentException("minRows must be at least 1, not " + minRows);
        }
    }

    @JsonIgnore
    public PrivacyPolicy privacy() {
        return new PrivacyPolicy(minRows);
    }

    public static NodeConfig load(NodePaths paths) {
        if (!Files.isRegularFile(paths.config())) {
            throw new Problem(404, "Not a node", "There is no node in " + paths.dataDir()
                    + ". Join a federation first: mipfed node join --token <token> --data-dir " + paths.dataDir() + " <manager-host>:2377");
        }
        try {
            return Json.mapper().readValue(paths.config().toFile(), NodeConfig.class);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read the node configuration " + paths.config() + ": " + e.getMessage(), e);
        }
    }

    public void save(NodePaths paths) {
        try {
            Pem.writeAtomically(paths.config(), Json.pretty().writeValueAsBytes(this), false);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + paths.config() + ": " + e.getMessage(), e);
        }
    }
}
