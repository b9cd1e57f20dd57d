package org.mipfed.node;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
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
 * @param privacy the node's privacy policy ({@code "privacy": {"min_rows": 10, …}}; absent fields take
 *     their defaults)
 */
public record NodeConfig(
        String nodeId,
        String federationId,
        String role,
        String manager,
        String store,
        PrivacyPolicy privacy) {
    public static final int DEFAULT_MIN_ROWS = PrivacyPolicy.DEFAULT_MIN_ROWS;

    public NodeConfig {
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(manager, "manager is null");
        requireNonNull(privacy, "privacy is null");
    }

    /**
     * Reads {@code node.json}. A file written before the full policy existed has only
     * {@code "minRows"}: it keeps that minimum and takes the other rules' defaults.
     */
    @JsonCreator
    static NodeConfig fromJson(@JsonProperty("nodeId") String nodeId, @JsonProperty("federationId") String federationId,
            @JsonProperty("role") String role, @JsonProperty("manager") String manager, @JsonProperty("store") String store,
            @JsonProperty("privacy") PrivacyPolicy privacy, @JsonProperty("minRows") Integer minRows) {
        PrivacyPolicy policy = privacy != null ? privacy
                : minRows != null ? PrivacyPolicy.DEFAULT.withMinRows(minRows) : PrivacyPolicy.DEFAULT;
        return new NodeConfig(nodeId, federationId, role, manager, store, policy);
    }

    /** The node's minimum of rows, as its log line shows it. */
    @JsonIgnore
    public int minRows() {
        return privacy.minRows();
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
