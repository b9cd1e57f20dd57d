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

    /** The HTTPS key and certificate issued by the federation's CA ({@code manager start --https}). */
    public Path httpKey() {
        return dataDir.resolve("tls").resolve("http.key");
    }

    public Path httpCertificate() {
        return dataDir.resolve("tls").resolve("http.crt");
    }

    /**
     * The certificate the running manager serves HTTPS with, present only while it does: the CLI on this machine
     * pins it to reach the manager over loopback.
     */
    public Path httpServingCertificate() {
        return dataDir.resolve("tls").resolve("http-serving.crt");
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

    /** The federation's audit chain, as this manager holds it. */
    public Path auditLog() {
        return dataDir.resolve("audit.log");
    }

    /** This manager's audit journal: its lines, durable before their answers, until the chain holds them. */
    public Path auditJournal() {
        return dataDir.resolve("audit.journal");
    }

    /** The managers' replication: the Raft log, its snapshots and who this manager is in the group. */
    public Path raftDir() {
        return dataDir.resolve("raft");
    }

    public Path lockFile() {
        return dataDir.resolve("manager.lock");
    }
}
