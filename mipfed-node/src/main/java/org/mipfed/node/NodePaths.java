package org.mipfed.node;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.mipfed.node.tls.CredentialFiles;

/** Where everything of a node lives inside its data directory. */
public record NodePaths(Path dataDir) {
    private static final int MAX_SOCKET_PATH = 100;

    public NodePaths {
        requireNonNull(dataDir, "dataDir is null");
        dataDir = dataDir.toAbsolutePath().normalize();
    }

    public Path config() {
        return dataDir.resolve("node.json");
    }

    public Path key() {
        return dataDir.resolve("tls").resolve("node.key");
    }

    public Path certificate() {
        return dataDir.resolve("tls").resolve("node.crt");
    }

    public Path caCertificate() {
        return dataDir.resolve("tls").resolve("ca.crt");
    }

    /** The node's key, certificate and trusted CAs, as {@code tls} reads and replaces them. */
    public CredentialFiles credentials() {
        return new CredentialFiles(key(), certificate(), caCertificate());
    }

    public Path auditLog() {
        return dataDir.resolve("audit.log");
    }

    /**
     * The local control socket: how {@code mipfed data import} reaches a running node. Not a network
     * port. Unix socket paths are limited to about 107 bytes, so a deep data directory gets its
     * socket in the temporary directory instead, under a name derived from the data directory.
     */
    /** The row selections the node answered over, kept for its differencing protection. */
    public Path privacyHistory() {
        return dataDir.resolve("privacy-history.bin");
    }

    /** The refusals counted per requester and dataset, and the lockouts (the node's refusal budget). */
    public Path privacyBudget() {
        return dataDir.resolve("privacy-budget.json");
    }

    public Path controlSocket() {
        Path inDataDir = dataDir.resolve("control.sock");
        if (inDataDir.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH) {
            return inDataDir;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(dataDir.toString().getBytes(StandardCharsets.UTF_8));
            return Path.of(
                    System.getProperty("java.io.tmpdir"),
                    "mipfed-" + HexFormat.of().formatHex(digest, 0, 8) + ".sock");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
