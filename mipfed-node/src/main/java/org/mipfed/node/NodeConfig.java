package org.mipfed.node;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mipfed.core.json.ConfigFile;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.core.security.Pem;
import org.mipfed.node.privacy.PrivacyFloors;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.node.session.KnownManager;

/**
 * A node's configuration, kept in {@code N/node.json}: who it is, where its managers are, where its
 * data is, and its own privacy policy, which only the hospital can change (by editing this file).
 *
 * @param manager the address of the manager the node joined through
 * @param store a JDBC URL of an existing PostgreSQL database, or null for the embedded DuckDB file
 * @param privacy the node's privacy policy ({@code "privacy": {"min_rows": 10, …}}; absent fields take
 *     their defaults)
 * @param belowSafeFloor the privacy keys the hospital deliberately sets below their safe floor
 *     ({@link PrivacyFloors}); any other key below its floor stops the node at start
 * @param managers every manager of the federation, as their directory last said (the node keeps it up to date);
 *     empty in a file written before the directory existed: then {@code manager} alone
 * @param managersVersion the version of that directory (a node ignores an older one)
 */
public record NodeConfig(
        String nodeId,
        String federationId,
        String role,
        String manager,
        String store,
        PrivacyPolicy privacy,

        @JsonProperty("below_safe_floor") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        List<String> belowSafeFloor,

        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<KnownManager> managers,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) long managersVersion) {
    public static final int DEFAULT_MIN_ROWS = PrivacyPolicy.DEFAULT_MIN_ROWS;

    public NodeConfig {
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(manager, "manager is null");
        requireNonNull(privacy, "privacy is null");
        belowSafeFloor = belowSafeFloor == null ? List.of() : List.copyOf(belowSafeFloor);
        managers = managers == null ? List.of() : List.copyOf(managers);
    }

    /** A configuration that knows only the manager it joined through. */
    public NodeConfig(
            String nodeId,
            String federationId,
            String role,
            String manager,
            String store,
            PrivacyPolicy privacy,
            List<String> belowSafeFloor) {
        this(nodeId, federationId, role, manager, store, privacy, belowSafeFloor, List.of(), 0);
    }

    /** A configuration whose policy respects every floor, or is below them only where it says so. */
    public NodeConfig(
            String nodeId, String federationId, String role, String manager, String store, PrivacyPolicy privacy) {
        this(nodeId, federationId, role, manager, store, privacy, List.of());
    }

    /**
     * Reads {@code node.json}. A file written before the full policy existed has only
     * {@code "minRows"}: it keeps that minimum and takes the other rules' defaults.
     */
    @JsonCreator
    static NodeConfig fromJson(
            @JsonProperty("nodeId") String nodeId,
            @JsonProperty("federationId") String federationId,
            @JsonProperty("role") String role,
            @JsonProperty("manager") String manager,
            @JsonProperty("store") String store,
            @JsonProperty("privacy") PrivacyPolicy privacy,
            @JsonProperty("minRows") Integer minRows,
            @JsonProperty("below_safe_floor") List<String> belowSafeFloor,
            @JsonProperty("managers") List<KnownManager> managers,
            @JsonProperty("managersVersion") Long managersVersion) {
        PrivacyPolicy policy = privacy != null
                ? privacy
                : minRows != null ? PrivacyPolicy.DEFAULT.withMinRows(minRows) : PrivacyPolicy.DEFAULT;
        if (nodeId == null || manager == null) {
            throw new IllegalArgumentException("'" + (nodeId == null ? "nodeId" : "manager")
                    + "' is missing; it is written by " + "mipfed node join: restore it, or join again");
        }
        return new NodeConfig(
                nodeId,
                federationId,
                role,
                manager,
                store,
                policy,
                belowSafeFloor,
                managers,
                managersVersion == null ? 0 : managersVersion);
    }

    /** The managers to hold a session to: the list the directory gave, or the one the node joined through. */
    @JsonIgnore
    public List<KnownManager> managerList() {
        return managers.isEmpty() ? List.of(new KnownManager("", manager)) : managers;
    }

    /** The same configuration acknowledging exactly the keys of its policy that are below their floor. */
    public NodeConfig acknowledgingFloors() {
        return new NodeConfig(
                nodeId,
                federationId,
                role,
                manager,
                store,
                privacy,
                List.copyOf(PrivacyFloors.below(privacy).keySet()),
                managers,
                managersVersion);
    }

    /** The node's minimum of rows, as its log line shows it. */
    @JsonIgnore
    public int minRows() {
        return privacy.minRows();
    }

    public static NodeConfig load(NodePaths paths) {
        if (!Files.isRegularFile(paths.config())) {
            throw new Problem(
                    ProblemType.NOT_FOUND,
                    "There is no node in " + paths.dataDir()
                            + ". Join a federation first: mipfed node join --token <token> --data-dir "
                            + paths.dataDir() + " <manager-host>:2377");
        }
        NodeConfig config = ConfigFile.read(paths.config(), NodeConfig.class);
        config.checkFloors(paths);
        return config;
    }

    /** Stops a node whose policy is below a safe floor that {@code below_safe_floor} does not name. */
    private void checkFloors(NodePaths paths) {
        Map<String, String> below = new LinkedHashMap<>(PrivacyFloors.below(privacy));
        below.keySet().removeAll(belowSafeFloor);
        if (!below.isEmpty()) {
            String keys = String.join("\", \"", below.keySet());
            throw ConfigFile.invalid(
                    paths.config(),
                    "in 'privacy': " + String.join("; ", below.values()) + ". Raise it to its floor, or, "
                            + "if the hospital accepts the risk, say so in node.json with \"below_safe_floor\": [\""
                            + keys + "\"]");
        }
        for (String key : belowSafeFloor) {
            if (!List.of("min_rows", "min_cell_count").contains(key)) {
                throw ConfigFile.invalid(
                        paths.config(),
                        "'below_safe_floor' names '" + key + "', which has no safe floor; "
                                + "only min_rows and min_cell_count have one. Remove it");
            }
        }
    }

    /**
     * Writes a new list of managers into {@code node.json} (atomically), changing nothing else of the file as it is
     * now on disk: an operator may have edited it since the node started (a policy change waiting for a restart).
     */
    public static void saveManagers(NodePaths paths, List<KnownManager> managers, long version) {
        try {
            JsonNode file = Json.mapper().readTree(paths.config().toFile());
            if (!(file instanceof ObjectNode config)) {
                throw new IOException("it does not hold a JSON object");
            }
            config.set("managers", Json.mapper().valueToTree(managers));
            config.put("managersVersion", version);
            Pem.writeAtomically(paths.config(), Json.pretty().writeValueAsBytes(config), false);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot write the federation's managers into " + paths.config() + ": " + e.getMessage(), e);
        }
    }

    public void save(NodePaths paths) {
        try {
            Pem.writeAtomically(paths.config(), Json.pretty().writeValueAsBytes(this), false);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + paths.config() + ": " + e.getMessage(), e);
        }
    }
}
