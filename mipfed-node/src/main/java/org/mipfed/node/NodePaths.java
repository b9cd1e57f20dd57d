package org.mipfed.node;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/** Where everything of a node lives inside its data directory. */
public record NodePaths(Path dataDir) {
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

    public Path auditLog() {
        return dataDir.resolve("audit.log");
    }

    /** The local control socket: how `mipfed data import` reaches a running node. Not a network port. */
    public Path controlSocket() {
        return dataDir.resolve("control.sock");
    }
}
