package org.mipfed.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ManagerServer;
import org.mipfed.manager.ca.FederationCa;
import org.mipfed.manager.replication.ManagerMember;
import org.mipfed.manager.replication.ManagerReplication;
import org.mipfed.manager.replication.RaftTls;
import org.mipfed.manager.replication.ReplicationSettings;
import org.mipfed.manager.replication.StateCommand;
import org.mipfed.manager.state.FederationConfig;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.manager.state.StateStore;
import org.mipfed.manager.users.Roles;
import org.mipfed.manager.users.UserStore;

/**
 * The managers' part of {@code mipfed bench --only managers}: a Raft group of one or three managers in this process,
 * each its own Raft server with its own log and data directory, talking mutual TLS over loopback with the
 * federation's manager certificates, each with the users store a running manager has. Measures
 *
 * <ul>
 *   <li>the latency of a write (a user's role changed, {@code PATCH /admin/users/…} without its HTTP), sent through
 *       each manager in turn: through a follower it is forwarded to the leader;
 *   <li>the failover: the leader's Raft server stopped at once (its connections drop as with {@code kill -9}), then
 *       the time until a write through a survivor is committed; with one manager there is no survivor, and the
 *       figure is the time to start its member again from its data directory and commit a write.
 * </ul>
 *
 * <p>These are the Raft side of a manager, without the HTTP in front and without the JVM's start: the analysis path
 * does not touch the log, so its latency is measured with real processes ({@code small}).
 */
final class ManagerGroupBench implements AutoCloseable {
    private static final String PASSWORD = "bench password, long enough";
    private static final long PATIENCE_MILLIS = 120_000;

    private final Path dir;
    private final String federationId;
    private final FederationCa ca;
    private final List<ManagerMember> members = new ArrayList<>();
    private final ManagerReplication[] replications;
    private final UserStore[] users;

    private ManagerGroupBench(Path dir, int managers) throws Exception {
        this.dir = requireNonNull(dir, "dir is null");
        ManagerPaths first = new ManagerPaths(dir.resolve("manager-0"));
        FederationInit.init(first, "localhost", 0, 0, "127.0.0.1");
        FederationConfig config = FederationInit.config(first);
        federationId = config.federationId();
        ca = FederationCa.load(first, config.advertiseAddr());
        for (int i = 0; i < managers; i++) {
            String id = String.format("manager-%08x", 0xbe0c0000 + i);
            members.add(new ManagerMember(id, "localhost:" + (7000 + i), "127.0.0.1", freeLoopbackPort()));
        }
        replications = new ManagerReplication[managers];
        users = new UserStore[managers];
        ExecutorService starting = Executors.newFixedThreadPool(managers);
        try {
            List<Future<?>> started = new ArrayList<>();
            for (int i = 0; i < managers; i++) {
                int n = i;
                started.add(starting.submit(() -> start(n)));
            }
            for (Future<?> f : started) {
                f.get(PATIENCE_MILLIS, TimeUnit.MILLISECONDS);
            }
        } finally {
            starting.shutdownNow();
        }
    }

    /** Starts manager {@code i} from its data directory; the first start of the first one imports its files. */
    private void start(int i) {
        Path data = dir.resolve("manager-" + i);
        ManagerReplication replication = ManagerReplication.start(
                data.resolve("raft").resolve("log"),
                data.resolve("state.json"),
                federationId,
                members.get(i),
                members,
                RaftTls.config(ca, federationId),
                new ReplicationSettings(
                        ReplicationSettings.SNAPSHOT_EVERY_DEFAULT,
                        ReplicationSettings.SEGMENT_BYTES_DEFAULT,
                        PATIENCE_MILLIS));
        ManagerPaths paths = new ManagerPaths(data);
        if (i == 0 && replication.state().federation() == null) {
            replication.submit(
                    new StateCommand.ImportFiles(StateStore.load(paths.state()).get()));
            ManagerServer.importOlderFiles(paths, replication);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MILLIS);
        while (replication.readUsers().content() == null) {
            if (System.nanoTime() > deadline) {
                replication.close();
                throw new IllegalStateException(
                        "manager " + i + " received no users within " + PATIENCE_MILLIS + " ms");
            }
            sleep(20);
        }
        replications[i] = replication;
        users[i] = UserStore.replicated(replication);
    }

    /**
     * The rows of one group size: write latency (p50/p99 of {@code writes} writes after as many unmeasured ones) and
     * failover (median and largest of {@code failovers}).
     */
    static List<ObjectNode> run(Path dir, int managers, int writes, int failovers) throws Exception {
        try (ManagerGroupBench group = new ManagerGroupBench(dir, managers)) {
            return List.of(group.writeLatency(writes), group.failover(failovers));
        }
    }

    private ObjectNode writeLatency(int writes) {
        users[0].create("bench", PASSWORD, Roles.RESEARCHER);
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < 2 * writes; i++) {
            UserStore through = users[i % users.length];
            long started = System.nanoTime();
            through.update("bench", i % 2 == 0 ? Roles.ADMIN : Roles.RESEARCHER, null, null);
            if (i >= writes) {
                latencies.add(System.nanoTime() - started);
            }
        }
        Collections.sort(latencies);
        return Json.mapper()
                .createObjectNode()
                .put("what", "write (a user's role), " + managers() + " manager" + (managers() > 1 ? "s" : ""))
                .put("kind", "managers")
                .put("managers", managers())
                .put("p50_ms", latencies.get(latencies.size() / 2) / 1e6)
                .put("p99_ms", latencies.get(latencies.size() * 99 / 100) / 1e6);
    }

    private ObjectNode failover(int times) {
        List<Long> took = new ArrayList<>();
        for (int t = 0; t < times; t++) {
            int leader = leader();
            long killed = System.nanoTime();
            replications[leader].close();
            replications[leader] = null;
            if (managers() == 1) {
                start(leader);
                awaitWrite(leader);
            } else {
                awaitWrite((leader + 1) % managers());
            }
            took.add(System.nanoTime() - killed);
            if (replications[leader] == null) {
                start(leader);
            }
            // the restarted one catches up before the next round
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MILLIS);
            while (!caughtUp()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the managers did not converge after a restart");
                }
                sleep(50);
            }
        }
        Collections.sort(took);
        double median = took.get(took.size() / 2) / 1e6;
        return Json.mapper()
                .createObjectNode()
                .put(
                        "what",
                        managers() == 1
                                ? "restart, 1 manager (no failover)"
                                : "failover, " + managers() + " managers (leader lost)")
                .put("kind", "managers")
                .put("managers", managers())
                .put("runs", times)
                .put("failover_ms", median)
                .put("failover_max_ms", took.get(took.size() - 1) / 1e6);
    }

    /** Writes through manager {@code i} until one is committed (each refused one answers 503 within 2 s). */
    private void awaitWrite(int i) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MILLIS);
        while (true) {
            try {
                users[i].update("bench", Roles.RESEARCHER, null, null);
                return;
            } catch (Problem p) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "no write accepted within " + PATIENCE_MILLIS + " ms: " + p.getMessage());
                }
            }
        }
    }

    private int leader() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MILLIS);
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < managers(); i++) {
                if (replications[i].isLeader()) {
                    return i;
                }
            }
            sleep(20);
        }
        throw new IllegalStateException("the managers elected no leader within " + PATIENCE_MILLIS + " ms");
    }

    private boolean caughtUp() {
        long index = replications[0].digest().appliedIndex();
        String digest = replications[0].digest().digest();
        for (ManagerReplication r : replications) {
            if (r.digest().appliedIndex() != index || !r.digest().digest().equals(digest)) {
                return false;
            }
        }
        return true;
    }

    private int managers() {
        return replications.length;
    }

    @Override
    public void close() {
        for (ManagerReplication r : replications) {
            if (r != null) {
                r.close();
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
