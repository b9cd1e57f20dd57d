package org.mipfed.manager.state;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/** Where everything of a manager lives inside its data directory. */
public record ManagerPaths(Path dataDir) {
    public ManagerPaths {
        requireNonNull(dataDir, "dataDir is null");
        dataDir = dataDir.toAbsolutePath().normalize();
    }

    public Path federation() {
        return dataDir.resolve("federation.json");
    }

    public Path state() {
        return dataDir.resolve("state.json");
    }

    public Path caDir() {
        return dataDir.resolve("ca");
    }

    public Path tlsKey() {
        return dataDir.resolve("tls").resolve("manager.key");
    }

    public Path tlsCertificate() {
        return dataDir.resolve("tls").resolve("manager.crt");
    }

    public Path adminToken() {
        return dataDir.resolve("admin.token");
    }

    /** The users who sign in, and their API tokens (0600). */
    public Path users() {
        return dataDir.resolve("users.json");
    }

    /** The first admin's generated password, written by init (0600). */
    public Path adminPassword() {
        return dataDir.resolve("admin.password");
    }

    public Path experiments() {
        return dataDir.resolve("experiments");
    }

    public Path auditLog() {
        return dataDir.resolve("audit.log");
    }

    public Path lockFile() {
        return dataDir.resolve("manager.lock");
    }
}
