package org.mipfed.core.audit;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;
import org.mipfed.core.json.Json;

/**
 * The byte form of one line of a {@link HashChainedLog}: {@code {"seq":n,"time":…,<fields>,"prev":"<hex>","hash":"<hex>"}}.
 * The hash is SHA-256 over the exact UTF-8 bytes of the line without its hash, that is the same JSON object
 * closed right after {@code prev}; so the bytes written are the canonical form and any changed byte shows.
 */
final class ChainedLine {
    static final Set<String> RESERVED = Set.of("seq", "time", "prev", "hash");
    private static final byte[] HASH_PREFIX = ",\"hash\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final int HEX = 64;
    /** {@code ,"hash":"} + 64 hex digits + {@code "}}. */
    private static final int SUFFIX = HASH_PREFIX.length + HEX + 2;

    private ChainedLine() {}

    /** The first line's {@code prev}: binds the chain to the log's identity, so one log cannot pass for another's. */
    static String genesis(String identity) {
        return sha256(
                ("mipfed audit log\n" + requireNonNull(identity, "identity is null")).getBytes(StandardCharsets.UTF_8));
    }

    /** The line's bytes without the trailing newline, and its hash. */
    record Encoded(byte[] bytes, String hash) {}

    static Encoded encode(long seq, String time, ObjectNode fields, String prev) {
        ObjectNode body = Json.mapper().createObjectNode().put("seq", seq).put("time", time);
        fields.properties().forEach(e -> {
            if (RESERVED.contains(e.getKey())) {
                throw new IllegalArgumentException(
                        "an audit entry cannot set the log's own field '" + e.getKey() + "'");
            }
            body.set(e.getKey(), e.getValue());
        });
        body.put("prev", prev);
        byte[] unhashed;
        try {
            unhashed = Json.mapper().writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("A JSON tree could not be written", e);
        }
        String hash = sha256(unhashed);
        byte[] line = Arrays.copyOf(unhashed, unhashed.length - 1 + SUFFIX);
        int at = unhashed.length - 1;
        System.arraycopy(HASH_PREFIX, 0, line, at, HASH_PREFIX.length);
        at += HASH_PREFIX.length;
        byte[] hex = hash.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(hex, 0, line, at, HEX);
        line[at + HEX] = '"';
        line[at + HEX + 1] = '}';
        return new Encoded(line, hash);
    }

    /** A line as read back: its stated hash, whether that hash matches its bytes, and its parsed fields (null if not JSON). */
    record Decoded(String statedHash, boolean hashMatches, JsonNode json) {
        long seq() {
            return json == null || !json.path("seq").canConvertToLong()
                    ? -1
                    : json.path("seq").asLong();
        }

        String prev() {
            return json == null ? "" : json.path("prev").asText("");
        }
    }

    /** Reads one line (without its newline); never throws on damaged input. */
    static Decoded decode(byte[] line) {
        if (line.length < SUFFIX + 2
                || line[line.length - 1] != '}'
                || line[line.length - 2] != '"'
                || !Arrays.equals(
                        line,
                        line.length - SUFFIX,
                        line.length - SUFFIX + HASH_PREFIX.length,
                        HASH_PREFIX,
                        0,
                        HASH_PREFIX.length)) {
            return new Decoded("", false, parse(line));
        }
        String stated = new String(line, line.length - 2 - HEX, HEX, StandardCharsets.US_ASCII);
        byte[] unhashed = Arrays.copyOf(line, line.length - SUFFIX + 1);
        unhashed[unhashed.length - 1] = '}';
        return new Decoded(stated, sha256(unhashed).equals(stated), parse(line));
    }

    private static JsonNode parse(byte[] line) {
        try {
            JsonNode node = Json.mapper().readTree(line);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
