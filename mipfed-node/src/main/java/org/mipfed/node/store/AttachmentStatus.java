package org.mipfed.node.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mipfed.core.json.Json;

/**
 * What the node found when it last validated an attached source.
 *
 * @param fingerprint the source's row count and checksum then ({@link AttachedSource#fingerprintSql})
 * @param sourceRows the rows in the source
 * @param validRows the rows that keep every rule of the data model: the only rows analyses read
 * @param excluded rows breaking each rule, by rule (a row breaking two rules counts under both)
 * @param reason why the source is unavailable (its datasets withdrawn), null while it is available
 */
public record AttachmentStatus(
        Instant checkedAt,
        String fingerprint,
        long sourceRows,
        long validRows,
        Map<String, Long> excluded,
        String reason) {
    public AttachmentStatus {
        requireNonNull(checkedAt, "checkedAt is null");
        requireNonNull(fingerprint, "fingerprint is null");
        excluded = Collections.unmodifiableMap(new LinkedHashMap<>(excluded));
    }

    public static AttachmentStatus unavailable(Instant at, String reason) {
        return new AttachmentStatus(at, "", 0, 0, Map.of(), requireNonNull(reason, "reason is null"));
    }

    public boolean available() {
        return reason == null;
    }

    public ObjectNode toJson() {
        ObjectNode root = Json.mapper()
                .createObjectNode()
                .put("checked_at", checkedAt.toString())
                .put("fingerprint", fingerprint)
                .put("source_rows", sourceRows)
                .put("valid_rows", validRows)
                .put("available", available())
                .put("reason", reason);
        ObjectNode rules = root.putObject("excluded_by_rule");
        excluded.forEach(rules::put);
        return root;
    }

    static AttachmentStatus fromJson(String json) {
        try {
            JsonNode root = Json.mapper().readTree(json);
            Map<String, Long> excluded = new LinkedHashMap<>();
            root.path("excluded_by_rule")
                    .properties()
                    .forEach(e -> excluded.put(e.getKey(), e.getValue().asLong()));
            return new AttachmentStatus(
                    Instant.parse(root.path("checked_at").asText()),
                    root.path("fingerprint").asText(),
                    root.path("source_rows").asLong(),
                    root.path("valid_rows").asLong(),
                    excluded,
                    root.path("reason").isNull() ? null : root.path("reason").asText(null));
        } catch (JsonProcessingException e) {
            throw new StoreException("The store's record of an attached source is damaged: " + e.getMessage(), e);
        }
    }
}
