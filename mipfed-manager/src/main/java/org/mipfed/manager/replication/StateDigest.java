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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.mipfed.core.json.Json;

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
