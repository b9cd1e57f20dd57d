package org.mipfed.manager.replication;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.algorithms.regression.LinearRegressionResult;
import org.mipfed.core.json.Json;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ManagerServer;
import org.mipfed.manager.ca.FederationCa;
import org.mipfed.manager.experiments.Experiment;
import org.mipfed.manager.experiments.ExperimentLog;
import org.mipfed.manager.state.FederationConfig;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.manager.state.StateStore;

/**
 * A manager's replicated state with many experiments (issue #16: a state that does not grow costly with its
 * experiments): a group of one is filled with {@value #BULK} finished linear regressions (records of the size a real
 * one leaves: the request of a regression on four covariates and its {@link LinearRegressionResult} at full double
 * precision, three nodes' contributions), a snapshot is taken, {@value #SINGLE} more records are committed one per
 * log entry (what a restart after a kill -9 replays), a few left running; then it is stopped and started again.
 *
 * <p>Asserted: after the restart every experiment is there with its result, at the same applied index and state
 * digest; the index of unfinished experiments holds exactly the running ones; the incremental digest is the digest of
 * the definition ({@link StateDigest#of}); the snapshot is the JSON the state was before (one object of experiments by
 * id). Printed: how long the fill, the snapshot, the stop, the start with the snapshot's load and the log's replay,
 * and the digests took (figures for docs/manager-redundancy.md; no assertion on speed).
 */
class TestRestartWithManyExperiments {
    private static final int BULK = 12_000;
    private static final int SINGLE = 400;
    private static final int RUNNING = 3;

    @TempDir
    Path dir;

    @Test
    void aManagerWithTwelveThousandExperimentsRestartsWithAllOfThemAndTheSameDigest() throws Exception {
        ManagerPaths paths = new ManagerPaths(dir.resolve("manager"));
        FederationInit.init(paths, "localhost", 0, 0, "127.0.0.1");
        FederationConfig config = FederationInit.config(paths);
        FederationCa ca = FederationCa.load(paths, config.advertiseAddr());
        ManagerMember member = new ManagerMember("manager-a", "localhost:2377", "127.0.0.1", 0);
        Random random = new Random(16);

        List<String> running = new ArrayList<>();
        String sample;
        JsonNode sampleResult;
        StateDigest.Digest before;
        long fillMillis;
        long snapshotMillis;
        long singleMillis;
        long firstDigestMillis;
        long nextDigestMillis;
        long stopMillis;
        long snapshotIndex;
        long closing;
        try (ManagerReplication replication = start(paths, config, ca, member)) {
            replication.submit(
                    new StateCommand.ImportFiles(StateStore.load(paths.state()).get()));
            ManagerServer.importOlderFiles(paths, replication);

            long started = System.nanoTime();
            List<ExperimentLog.Run> batch = new ArrayList<>();
            for (int i = 0; i < BULK; i++) {
                batch.add(new ExperimentLog.Run(finished(random), replication.self()));
                if (batch.size() == 500) {
                    replication.putRuns(batch);
                    batch.clear();
                }
            }
            replication.putRuns(batch);
            fillMillis = millisSince(started);
            assertThat(replication.experiments()).hasSize(BULK);

            started = System.nanoTime();
            long applied = replication.appliedIndex();
            replication.snapshotNow(120_000);
            // the request may time out (2 s) before a large snapshot is written: Ratis takes it all the same
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (replication.latestSnapshotIndex() < applied && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            snapshotMillis = millisSince(started);
            snapshotIndex = replication.latestSnapshotIndex();
            assertThat(snapshotIndex).isGreaterThanOrEqualTo(applied);
            assertSnapshotShape(paths, snapshotIndex);

            // what a kill -9 leaves for the next start to replay: entries after the latest snapshot, one record each
            started = System.nanoTime();
            for (int i = 0; i < SINGLE; i++) {
                Experiment e = finished(random);
                if (i < RUNNING) {
                    e = Experiment.pending(e.id(), e.algorithm(), e.user(), e.request())
                            .running();
                    running.add(e.id());
                }
                replication.putRuns(List.of(new ExperimentLog.Run(e, replication.self())));
            }
            singleMillis = millisSince(started);
            sample = replication.experiments().keySet().iterator().next();
            sampleResult = replication.experiments().get(sample).experiment().result();
            assertThat(replication.unfinishedExperiments()).containsOnlyKeys(running);

            started = System.nanoTime();
            before = replication.digest();
            firstDigestMillis = millisSince(started);
            assertThat(before.digest())
                    .as("the incremental digest is the digest of the definition")
                    .isEqualTo(StateDigest.of(replication.state()));
            // one more record: the next digest reuses every other experiment's canonical JSON
            replication.putRuns(List.of(new ExperimentLog.Run(finished(random), replication.self())));
            started = System.nanoTime();
            before = replication.digest();
            nextDigestMillis = millisSince(started);
            assertThat(before.digest()).isEqualTo(StateDigest.of(replication.state()));
            closing = System.nanoTime();
        }
        stopMillis = millisSince(closing);

        // the restart: the latest snapshot's load, then the log after it (Ratis's stop takes a snapshot, so remove
        // it and keep the one taken above, as after a kill -9)
        removeSnapshotsAfter(paths, snapshotIndex);
        long started = System.nanoTime();
        try (ManagerReplication replication = start(paths, config, ca, member)) {
            long startMillis = millisSince(started);
            assertThat(replication.awaitCommittedApplied(120_000)).isTrue();
            long appliedMillis = millisSince(started);
            StateDigest.Digest after = replication.digest();
            long digestMillis = millisSince(started) - appliedMillis;

            assertThat(replication.experiments()).hasSize(BULK + SINGLE + 1);
            assertThat(replication.experiments().get(sample).experiment().result())
                    .isEqualTo(sampleResult);
            assertThat(replication.unfinishedExperiments()).containsOnlyKeys(running);
            assertThat(after.appliedIndex()).isGreaterThanOrEqualTo(before.appliedIndex());
            assertThat(after.digest()).isEqualTo(before.digest());
            try (Stream<Path> copies = Files.list(paths.experiments())) {
                assertThat(copies.filter(p -> p.toString().endsWith(".json")).count())
                        .as("the readable copies")
                        .isEqualTo(BULK + SINGLE + 1);
            }
            System.out.printf(
                    "[s16-state] %d experiments (%d KB of snapshot): fill in entries of 500 %d ms, snapshot %d ms,"
                            + " %d single records %d ms (%.1f ms each), digest %d ms then %d ms after one more record;"
                            + " stop %d ms; start (snapshot load and replay of %d entries) %d ms, all applied %d ms,"
                            + " digest %d ms%n",
                    BULK + SINGLE + 1,
                    snapshotBytes(paths) / 1024,
                    fillMillis,
                    snapshotMillis,
                    SINGLE,
                    singleMillis,
                    (double) singleMillis / SINGLE,
                    firstDigestMillis,
                    nextDigestMillis,
                    stopMillis,
                    SINGLE + 1,
                    startMillis,
                    appliedMillis,
                    digestMillis);
        }
    }

    private static ManagerReplication start(
            ManagerPaths paths, FederationConfig config, FederationCa ca, ManagerMember member) {
        return ManagerReplication.start(
                paths.raftDir().resolve("log"),
                paths.state(),
                config.federationId(),
                member,
                RaftTls.config(ca, config.federationId()),
                ReplicationSettings.DEFAULT);
    }

    /** A finished linear regression on four covariates over three nodes, as a synchronous analysis records it. */
    private static Experiment finished(Random random) throws Exception {
        JsonNode request = Json.mapper()
                .readTree("{\"algorithm\":\"linear_regression\",\"data_model\":\"dementia:0.1\","
                        + "\"datasets\":[\"edsd\",\"ppmi\",\"desd-synthdata\"],\"y\":[\"lefthippocampus\"],"
                        + "\"x\":[\"righthippocampus\",\"leftamygdala\",\"rightamygdala\",\"agevalue\"],"
                        + "\"parameters\":{},\"timeout_seconds\":25}");
        int terms = 5;
        LinearRegressionResult result = new LinearRegressionResult(
                "lefthippocampus",
                1000 + random.nextInt(9000),
                random.nextDouble() * 1e4,
                4,
                random.nextDouble(),
                random.nextDouble(),
                random.nextDouble(),
                random.nextDouble() * 1e3,
                random.nextDouble() * 1e-10,
                List.of("Intercept", "righthippocampus", "leftamygdala", "rightamygdala", "agevalue"),
                doubles(random, terms),
                doubles(random, terms),
                doubles(random, terms),
                doubles(random, terms),
                doubles(random, terms),
                doubles(random, terms),
                null,
                null);
        List<Experiment.Contribution> contributions = List.of(
                new Experiment.Contribution("node-" + UUID.nameUUIDFromBytes(new byte[] {1}), List.of("edsd"), 474L),
                new Experiment.Contribution("node-" + UUID.nameUUIDFromBytes(new byte[] {2}), List.of("ppmi"), 714L),
                new Experiment.Contribution(
                        "node-" + UUID.nameUUIDFromBytes(new byte[] {3}), List.of("desd-synthdata"), 1000L));
        Experiment pending = new Experiment(
                new UUID(random.nextLong(), random.nextLong()).toString(),
                "linear_regression",
                "researcher",
                request,
                Experiment.PENDING,
                null,
                null,
                List.of(),
                Instant.now(),
                null,
                null,
                null);
        return pending.running().succeeded(Json.mapper().valueToTree(result), contributions);
    }

    private static double[] doubles(Random random, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = random.nextGaussian() * 0.01;
        }
        return out;
    }

    /** The snapshot is the state's JSON as before: the experiments one object by id, each with its manager. */
    private static void assertSnapshotShape(ManagerPaths paths, long index) throws Exception {
        Path file = snapshots(paths).stream()
                .filter(p -> p.getFileName().toString().endsWith("_" + index))
                .findFirst()
                .orElseThrow();
        JsonNode json = Json.mapper().readTree(file.toFile());
        assertThat(json.path("experiments").isObject()).isTrue();
        assertThat(json.path("experiments").size()).isEqualTo(BULK);
        JsonNode first = json.path("experiments").properties().iterator().next().getValue();
        assertThat(first.path("manager").asText()).isEqualTo("manager-a");
        assertThat(first.path("experiment").path("result").path("coefficients").size())
                .isEqualTo(5);
        assertThat(json.path("sessions").isObject()).isTrue();
        assertThat(Files.readString(file.resolveSibling(file.getFileName() + ".md5")))
                .startsWith(org.apache.ratis.util.MD5FileUtil.computeMd5ForFile(file.toFile())
                        .toString());
    }

    private static List<Path> snapshots(ManagerPaths paths) throws Exception {
        try (Stream<Path> files = Files.walk(paths.raftDir())) {
            return files.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+"))
                    .toList();
        }
    }

    private static void removeSnapshotsAfter(ManagerPaths paths, long index) throws Exception {
        for (Path p : snapshots(paths)) {
            String name = p.getFileName().toString();
            if (Long.parseLong(name.substring(name.lastIndexOf('_') + 1)) > index) {
                Files.delete(p);
                Files.deleteIfExists(p.resolveSibling(name + ".md5"));
            }
        }
    }

    private static long snapshotBytes(ManagerPaths paths) throws Exception {
        long bytes = 0;
        for (Path p : snapshots(paths)) {
            bytes = Math.max(bytes, Files.size(p));
        }
        return bytes;
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
