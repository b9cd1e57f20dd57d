package org.mipfed.manager.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.audit.AuditVerifier;
import org.mipfed.core.json.Json;
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

/**
 * What an audited analysis waits for with one manager, before and after the trail went through the managers' log:
 * the caller's wait for its line (before: the line appended and synced to {@code audit.log}; now: to
 * {@code audit.journal}, then shipped in the background), and how long the line then takes to be in the chain. Prints
 * the figures; asserts only that every line is in the chain once and the chain verifies (no timing assertion).
 */
class TestAuditTrailCost {
    private static final int LINES = 300;

    @TempDir
    Path dir;

    @Test
    void anAuditedActionWithOneManagerWaitsForItsJournalOnly() throws Exception {
        ManagerPaths paths = new ManagerPaths(dir.resolve("manager"));
        FederationInit.init(paths, "localhost", 0, 0, "127.0.0.1");
        FederationConfig config = FederationInit.config(paths);
        long[] before = new long[LINES];
        try (AuditTrail direct = new AuditTrail(dir.resolve("before").resolve("audit.log"), config.federationId())) {
            for (int i = 0; i < LINES; i++) {
                long started = System.nanoTime();
                direct.record("alice", AuditTrail.ANALYSIS_RUN, AuditTrail.OK, details(i));
                before[i] = System.nanoTime() - started;
            }
        }
        FederationCa ca = FederationCa.load(paths, config.advertiseAddr());
        long[] after = new long[LINES];
        long chained;
        try (ManagerReplication replication = ManagerReplication.start(
                paths.raftDir().resolve("log"),
                paths.state(),
                config.federationId(),
                new ManagerMember("manager-a", "localhost:2377", "127.0.0.1", 0),
                RaftTls.config(ca, config.federationId()),
                ReplicationSettings.DEFAULT)) {
            replication.submit(
                    new StateCommand.ImportFiles(StateStore.load(paths.state()).get()));
            ManagerServer.importOlderFiles(paths, replication);
            try (AuditTrail trail = AuditTrail.replicated(paths, config.federationId(), replication)) {
                long first = System.nanoTime();
                for (int i = 0; i < LINES; i++) {
                    long started = System.nanoTime();
                    trail.record("alice", AuditTrail.ANALYSIS_RUN, AuditTrail.OK, details(i));
                    after[i] = System.nanoTime() - started;
                }
                // newest() waits until the chain holds every line recorded
                assertThat(trail.newest(LINES))
                        .hasSize(LINES)
                        .allSatisfy(l -> assertThat(l.has("pending")).isFalse());
                chained = System.nanoTime() - first;
            }
            assertThat(replication.auditHead().seq()).isEqualTo(LINES);
            AuditVerifier.Result result = AuditVerifier.verify(paths.auditLog(), config.federationId());
            assertThat(result.ok()).as(result.problem()).isTrue();
            assertThat(result.lines()).isEqualTo(LINES);
        }
        report("before (audit.log appended and synced)", before);
        report("group of one (audit.journal appended and synced)", after);
        System.out.printf(
                "[s9-audit] %d lines recorded one after the other were all in the federation's chain %.0f ms after the"
                        + " first was recorded%n",
                LINES, chained / 1e6);
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode details(int i) {
        return Json.mapper()
                .createObjectNode()
                .put("experiment_id", "00000000-0000-0000-0000-" + String.format("%012d", i))
                .put("data_model", "dementia:0.1")
                .put("algorithm", "descriptive_stats");
    }

    private static void report(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf(
                "[s9-audit] an audited action's wait for its line, %s: median %.2f ms, p90 %.2f ms (%d lines)%n",
                what, sorted[sorted.length / 2] / 1e6, sorted[sorted.length * 9 / 10] / 1e6, sorted.length);
    }
}
