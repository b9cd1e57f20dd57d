package org.mipfed.manager.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.json.Json;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ManagerServer;
import org.mipfed.manager.ca.FederationCa;
import org.mipfed.manager.experiments.Experiment;
import org.mipfed.manager.experiments.ExperimentStore;
import org.mipfed.manager.state.FederationConfig;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.manager.state.StateStore;
import org.mipfed.manager.users.Roles;
import org.mipfed.manager.users.UserStore;

/**
 * What replication costs a group of one (the default): the latency of a user change and of an experiment record,
 * kept in files as before replication and committed to the Raft log now, printed as figures (the docs quote them).
 * It asserts what was written, not how fast: speed depends on the machine.
 */
class TestReplicatedWriteCosts {
    private static final int WRITES = 150;

    @TempDir
    Path dir;

    @Test
    void userChangesAndExperimentRecordsBeforeAndAfterReplication() throws Exception {
        ManagerPaths paths = new ManagerPaths(dir.resolve("manager"));
        FederationInit.init(paths, "localhost", 0, 0, "127.0.0.1");
        UserStore.openOrCreate(paths.users(), paths.adminPassword());

        UserStore files = UserStore.load(paths.users());
        files.create("toggled", "a long enough password", Roles.RESEARCHER);
        long[] userFiles = timeUserChanges(files);
        long[] recordFiles;
        long[] saveFiles;
        try (ExperimentStore experiments = new ExperimentStore(dir.resolve("files-experiments"))) {
            saveFiles = timeSaves(experiments);
            recordFiles = timeRecords(experiments);
        }

        FederationConfig config = FederationInit.config(paths);
        FederationCa ca = FederationCa.load(paths, config.advertiseAddr());
        ManagerMember member = new ManagerMember("manager-a", "localhost:2377", "127.0.0.1", 0);
        try (ManagerReplication replication = ManagerReplication.start(
                paths.raftDir().resolve("log"),
                paths.state(),
                config.federationId(),
                member,
                RaftTls.config(ca, config.federationId()),
                ReplicationSettings.DEFAULT)) {
            replication.submit(
                    new StateCommand.ImportFiles(StateStore.load(paths.state()).get()));
            ManagerServer.importOlderFiles(paths, replication);
            UserStore users = UserStore.replicated(replication);
            assertThat(users.user("toggled")).isPresent();
            long[] userLog = timeUserChanges(users);
            long[] saveLog;
            long[] recordLog;
            try (ExperimentStore experiments = ExperimentStore.replicated(paths.experiments(), replication)) {
                saveLog = timeSaves(experiments);
                recordLog = timeRecords(experiments);
            }
            assertThat(replication.experiments()).hasSize(2 * WRITES);
            assertThat(UserStore.load(paths.users()).user("toggled")).isPresent();
            report("a user change", userFiles, userLog);
            report("an experiment saved (submitted, started, finished: waits for the disk)", saveFiles, saveLog);
            report("an experiment recorded (a synchronous analysis: the caller's wait)", recordFiles, recordLog);
        }
    }

    private static long[] timeUserChanges(UserStore users) {
        long[] nanos = new long[WRITES];
        for (int i = 0; i < WRITES; i++) {
            long started = System.nanoTime();
            users.update("toggled", null, null, i % 2 == 0);
            nanos[i] = System.nanoTime() - started;
        }
        return nanos;
    }

    private static long[] timeSaves(ExperimentStore experiments) throws Exception {
        long[] nanos = new long[WRITES];
        for (int i = 0; i < WRITES; i++) {
            Experiment e = experiment();
            long started = System.nanoTime();
            experiments.save(e);
            nanos[i] = System.nanoTime() - started;
        }
        return nanos;
    }

    private static long[] timeRecords(ExperimentStore experiments) throws Exception {
        long[] nanos = new long[WRITES];
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < WRITES; i++) {
            Experiment e = experiment();
            ids.add(e.id());
            long started = System.nanoTime();
            experiments.record(e);
            nanos[i] = System.nanoTime() - started;
        }
        for (String id : ids) {
            assertThat(experiments.get(id)).isPresent();
        }
        return nanos;
    }

    private static Experiment experiment() throws Exception {
        return Experiment.pending(
                        UUID.randomUUID().toString(),
                        "descriptive_stats",
                        "alice",
                        Json.mapper().readTree("{\"y\": [\"age\"], \"datasets\": [\"dementia\"]}"))
                .running()
                .succeeded(Json.mapper().readTree("{\"mean\": 71.5, \"sd\": 8.25, \"n\": 1042}"), List.of());
    }

    private static void report(String what, long[] before, long[] after) {
        System.out.printf(
                "[h16-state] %s: before replication median %.3f ms, p90 %.3f ms; group of one median %.3f ms,"
                        + " p90 %.3f ms (%d writes each)%n",
                what,
                percentile(before, 50),
                percentile(before, 90),
                percentile(after, 50),
                percentile(after, 90),
                WRITES);
    }

    private static double percentile(long[] nanos, int p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * p / 100)] / 1e6;
    }
}
