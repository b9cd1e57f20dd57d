package org.mipfed.manager.replication;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ManagerServer;
import org.mipfed.manager.ca.FederationCa;
import org.mipfed.manager.state.FederationConfig;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.manager.state.StateStore;

/**
 * The set-up the in-JVM group tests share: a federation made on {@code manager-a}'s data directory
 * ({@code manager init}), its CA, and three members {@code manager-a}, {@code manager-b}, {@code manager-c} of one Raft
 * group on free loopback ports, each with its data directory {@code dir/manager-<x>}; the members started together
 * (an election needs a majority up), the first of a new group taking its files into the log as
 * {@code ManagerServer} does.
 */
final class ThreeManagers {
    private final Path dir;
    private final String federationId;
    private final FederationCa ca;
    private final List<ManagerMember> members = new ArrayList<>();

    /**
     * Makes the federation in {@code dir/manager-a} and the three members; {@code firstAddress} is the node-facing
     * port of manager-a's address (the others' follow), which no one dials in these tests.
     */
    ThreeManagers(Path dir, int firstAddress) {
        this.dir = requireNonNull(dir, "dir is null");
        ManagerPaths first = new ManagerPaths(dir.resolve("manager-a"));
        FederationInit.init(first, "localhost", 0, 0, "127.0.0.1");
        FederationConfig config = FederationInit.config(first);
        federationId = config.federationId();
        ca = FederationCa.load(first, config.advertiseAddr());
        for (String name : new String[] {"a", "b", "c"}) {
            members.add(new ManagerMember(
                    "manager-" + name,
                    "localhost:" + (firstAddress + members.size()),
                    "127.0.0.1",
                    freeLoopbackPort()));
        }
    }

    String federationId() {
        return federationId;
    }

    FederationCa ca() {
        return ca;
    }

    List<ManagerMember> members() {
        return members;
    }

    /** Member {@code i}'s data directory, {@code dir/manager-<x>}. */
    Path dataDir(int i) {
        return dir.resolve(members.get(i).id());
    }

    ManagerPaths paths(int i) {
        return new ManagerPaths(dataDir(i));
    }

    /** Starts member {@code i}'s Raft server on its data directory, with mutual TLS under the federation's CA. */
    ManagerReplication start(int i, ReplicationSettings settings) {
        return ManagerReplication.start(
                dataDir(i).resolve("raft").resolve("log"),
                dataDir(i).resolve("state.json"),
                federationId,
                members.get(i),
                members,
                RaftTls.config(ca, federationId),
                settings);
    }

    /** As {@link #start}; the first member of a new group (no federation in its log yet) imports its files. */
    ManagerReplication startImporting(int i, ReplicationSettings settings) {
        ManagerReplication replication = start(i, settings);
        if (i == 0 && replication.state().federation() == null) {
            importFiles(0, replication);
        }
        return replication;
    }

    /** Takes member {@code i}'s files (state.json, users, experiments, audit trail) into the log, once. */
    void importFiles(int i, ManagerReplication replication) {
        ManagerPaths paths = paths(i);
        replication.submit(
                new StateCommand.ImportFiles(StateStore.load(paths.state()).get()));
        ManagerServer.importOlderFiles(paths, replication);
    }

    /** Starts the three at once with {@code start} (member index to what the test keeps of it), in member order. */
    static <T> List<T> startTogether(IntFunction<T> start) throws InterruptedException, ExecutionException {
        ExecutorService starting = Executors.newFixedThreadPool(3);
        try {
            List<Future<T>> started = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int n = i;
                started.add(starting.submit(() -> start.apply(n)));
            }
            List<T> all = new ArrayList<>();
            for (Future<T> f : started) {
                all.add(f.get());
            }
            return all;
        } finally {
            starting.shutdownNow();
        }
    }

    /** Waits up to {@code patience} for {@code condition}, else fails the test saying what it waited for. */
    static void await(Duration patience, String what, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(patience);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("waited " + patience.toSeconds() + " s: " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting: " + what, e);
            }
        }
    }

    static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
