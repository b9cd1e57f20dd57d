package org.mipfed.core.audit;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.mipfed.core.json.Json;

/**
 * The last line a {@link HashChainedLog} made durable: its seq and hash, sealed with an HMAC-SHA256 under a
 * key kept next to the log ({@code <log>.key}, mode 0600). A chain alone cannot show that its last lines were
 * cut off; the checkpoint can, and editing it needs the key.
 *
 * @param log the log's identity (the genesis of its chain)
 * @param seq the number of lines the log holds
 * @param hash the hash of line {@code seq}; the genesis value when the log is empty
 */
record Checkpoint(String log, long seq, String hash) {
    Checkpoint {
        requireNonNull(log, "log is null");
        requireNonNull(hash, "hash is null");
    }

    static Path fileOf(Path log) {
        return log.resolveSibling(log.getFileName() + ".checkpoint");
    }

    static Path keyOf(Path log) {
        return log.resolveSibling(log.getFileName() + ".key");
    }

    /** The key, created (random, 256 bits, mode 0600) if the log has none yet. */
    static byte[] loadOrCreateKey(Path log) throws IOException {
        Path file = keyOf(log);
        if (!Files.exists(file)) {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(temp);
            try {
                Files.createFile(
                        temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(temp);
            }
            Files.writeString(temp, HexFormat.of().formatHex(key) + "\n", StandardCharsets.US_ASCII);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                Files.deleteIfExists(temp);
            }
        }
        return readKey(log);
    }

    /** The key, or null if the log has none. */
    static byte[] readKey(Path log) throws IOException {
        Path file = keyOf(log);
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return HexFormat.of()
                    .parseHex(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (IllegalArgumentException e) {
            throw new IOException("the audit key " + file + " is not a hex string; it was changed", e);
        }
    }

    /**
     * Reads the checkpoint of {@code log}; null if it has none.
     *
     * @throws IOException if it cannot be read, is malformed, or its seal does not match {@code key}
     */
    static Checkpoint read(Path log, byte[] key) throws IOException {
        Path file = fileOf(log);
        if (!Files.exists(file)) {
            return null;
        }
        JsonNode json;
        try {
            json = Json.mapper().readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IOException("the checkpoint " + file + " is not JSON; it was changed", e);
        }
        if (json == null
                || !json.path("log").isTextual()
                || !json.path("seq").canConvertToLong()
                || !json.path("hash").isTextual()
                || !json.path("mac").isTextual()) {
            throw new IOException("the checkpoint " + file + " lacks log, seq, hash or mac; it was changed");
        }
        Checkpoint checkpoint = new Checkpoint(
                json.path("log").asText(),
                json.path("seq").asLong(),
                json.path("hash").asText());
        if (key == null) {
            throw new IOException("the key " + keyOf(log)
                    + " that seals the checkpoint is missing, so the checkpoint cannot be trusted");
        }
        if (!MessageDigest.isEqual(
                checkpoint.mac(key).getBytes(StandardCharsets.US_ASCII),
                json.path("mac").asText().getBytes(StandardCharsets.US_ASCII))) {
            throw new IOException("the checkpoint " + file + " does not match its seal ("
                    + keyOf(log).getFileName() + "); it was changed");
        }
        return checkpoint;
    }

    /** Replaces the checkpoint atomically and makes it durable. */
    void write(Path log, byte[] key) throws IOException {
        Path file = fileOf(log).toAbsolutePath();
        // a temporary file of its own: two writers of one log (the manager and a backup) may seal at the same time
        Path temp = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp");
        byte[] bytes = Json.mapper()
                .writeValueAsBytes(Json.mapper()
                        .createObjectNode()
                        .put("log", log())
                        .put("seq", seq)
                        .put("hash", hash)
                        .put("mac", mac(key)));
        try (FileChannel channel = FileChannel.open(
                temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private String mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of()
                    .formatHex(mac.doFinal(("mipfed audit checkpoint\n" + log + "\n" + seq + "\n" + hash)
                            .getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
