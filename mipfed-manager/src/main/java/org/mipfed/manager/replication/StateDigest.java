package org.mipfed.manager.replication;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.mipfed.core.json.Json;
import org.mipfed.manager.experiments.ExperimentLog;

/**
 * The digest of the managers' replicated state: SHA-256 over its canonical JSON, so that managers that applied the
 * same log show the same digest. Canonical: the state as the project's one JSON mapper writes it (what a snapshot
 * holds), every object's keys sorted by their UTF-16 code units at every depth, no whitespace, UTF-8.
 */
public final class StateDigest {
    private StateDigest() {}

    /**
     * A manager's digest and the log index it applied when it was computed.
     *
     * @param appliedIndex the last log index the manager applied
     * @param digest the hex SHA-256 of the canonical state
     */
    public record Digest(@JsonProperty("applied_index") long appliedIndex, String digest) {}

    /** The hex SHA-256 of {@code state}'s canonical JSON. */
    public static String of(ReplicatedState state) {
        try {
            byte[] canonical =
                    Json.mapper().writeValueAsBytes(canonical(Json.mapper().valueToTree(state)));
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    /**
     * Computes the digest of {@link StateDigest#of} (the same bytes hashed, so the same hex) without turning every
     * experiment into JSON again at each applied index: the canonical JSON of each experiment record is kept from the
     * last computation and reused while the state holds the same record (records are immutable, and a command
     * replaces only those it changes). A computation then costs the hashing of the state's canonical bytes and the
     * JSON of the experiments changed since the last one. One computation at a time (the caller serialises them).
     */
    static final class Incremental {
        /** The canonical JSON of each experiment as last computed, with the record it was computed from. */
        private Map<String, Cached> experiments = new HashMap<>();

        private record Cached(ExperimentLog.Run run, byte[] canonical) {}

        /** The hex SHA-256 of {@code state}'s canonical JSON: {@link StateDigest#of}'s digest. */
        synchronized String of(ReplicatedState state) {
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
            }
            try {
                // everything but the experiments, canonical: the top-level keys in sorted order
                JsonNode rest = canonical(Json.mapper()
                        .valueToTree(new ReplicatedState(
                                state.version(),
                                state.federation(),
                                state.usersVersion(),
                                state.users(),
                                state.sessions(),
                                null,
                                state.ca(),
                                state.audit())));
                sha.update((byte) '{');
                boolean first = true;
                for (Map.Entry<String, JsonNode> field : rest.properties()) {
                    if (!first) {
                        sha.update((byte) ',');
                    }
                    first = false;
                    sha.update(Json.mapper().writeValueAsBytes(field.getKey()));
                    sha.update((byte) ':');
                    if (field.getKey().equals(EXPERIMENTS) && state.experiments() != null) {
                        experiments(state.experiments(), sha);
                    } else {
                        sha.update(Json.mapper().writeValueAsBytes(field.getValue()));
                    }
                }
                sha.update((byte) '}');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return HexFormat.of().formatHex(sha.digest());
        }

        /** The experiments' canonical JSON object: ids in sorted order (the map's), each record's cached JSON. */
        private void experiments(Map<String, ExperimentLog.Run> runs, MessageDigest sha) throws IOException {
            // the canonical order is that of String.compareTo (UTF-16 code units); a map sorted otherwise is sorted
            // here
            Map<String, ExperimentLog.Run> sorted = runs instanceof java.util.SortedMap<String, ExperimentLog.Run> m
                            && ReplicatedState.natural(m.comparator())
                    ? runs
                    : new java.util.TreeMap<>(runs);
            Map<String, Cached> next = new HashMap<>(Math.max(16, sorted.size() * 4 / 3 + 1));
            sha.update((byte) '{');
            boolean first = true;
            for (Map.Entry<String, ExperimentLog.Run> entry : sorted.entrySet()) {
                if (!first) {
                    sha.update((byte) ',');
                }
                first = false;
                Cached cached = experiments.get(entry.getKey());
                if (cached == null || cached.run() != entry.getValue()) {
                    cached = new Cached(
                            entry.getValue(),
                            Json.mapper()
                                    .writeValueAsBytes(canonical(Json.mapper().valueToTree(entry.getValue()))));
                }
                next.put(entry.getKey(), cached);
                sha.update(Json.mapper().writeValueAsBytes(entry.getKey()));
                sha.update((byte) ':');
                sha.update(cached.canonical());
            }
            sha.update((byte) '}');
            experiments = next;
        }
    }

    /** The name of the experiments in the state's JSON. */
    private static final String EXPERIMENTS = "experiments";

    /** The same JSON with every object's keys in sorted order. */
    static JsonNode canonical(JsonNode node) {
        if (node.isObject()) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(node.properties());
            fields.sort(Map.Entry.comparingByKey());
            ObjectNode sorted = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> field : fields) {
                sorted.set(field.getKey(), canonical(field.getValue()));
            }
            return sorted;
        }
        if (node.isArray()) {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            node.forEach(element -> array.add(canonical(element)));
            return array;
        }
        return node;
    }
}
