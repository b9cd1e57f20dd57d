package org.mipfed.manager.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.json.Json;
import org.mipfed.manager.experiments.Experiment;

/**
 * The three managers stop at the same log index (each one's log segment then ends there); two start again and move
 * on past a snapshot, which purges their logs up to that index; the third starts. Its next entry is the first the
 * leader's log keeps. Ratis's own appender stops there for good ("Previous TermIndex not found"), and the manager
 * stayed behind for as long as that leader led (TestManagerChaosWithProcesses, 2026-12-07); with {@link RaftRpc} the
 * leader sends it the snapshot and it catches up.
 */
class TestFollowerAtPurgedLogStart {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    /** A snapshot every 50 entries, so that a few hundred writes purge the logs without rolling a segment. */
    private static final ReplicationSettings SETTINGS = new ReplicationSettings(50, 1024 * 1024, PATIENCE.toMillis());

    @TempDir
    Path dir;

    @Test
    void aManagerWhoseNextEntryIsTheFirstTheLeaderKeepsCatchesUpFromTheSnapshot() throws Exception {
        ThreeManagers group = new ThreeManagers(dir, 7200);
        List<ManagerReplication> first = ThreeManagers.startTogether(i -> group.startImporting(i, SETTINGS));
        write(first.get(0), 10);
        ThreeManagers.await(
                PATIENCE,
                "the three managers at the same applied index",
                () -> first.stream()
                        .allMatch(m -> m.appliedIndex() == first.get(0).appliedIndex()));
        long stoppedAt = first.get(0).appliedIndex();
        first.forEach(ManagerReplication::close);

        // two start again and move on: snapshots purge their logs up to the segment that ended where all stopped
        List<ManagerReplication> two = new ArrayList<>();
        try {
            ThreeManagers.startTogether(i -> i < 2 ? group.start(i, SETTINGS) : null).stream()
                    .filter(m -> m != null)
                    .forEach(two::add);
            ThreeManagers.await(
                    PATIENCE, "a leader among the two", () -> two.stream().anyMatch(ManagerReplication::isLeader));
            write(two.get(0), 150);
            ManagerReplication leader = two.stream()
                    .filter(ManagerReplication::isLeader)
                    .findFirst()
                    .orElseThrow();
            ThreeManagers.await(
                    PATIENCE,
                    "the leader's log purged up to where the three stopped (start index " + leader.logStartIndex()
                            + ", stopped at " + stoppedAt + ")",
                    () -> leader.logStartIndex() == stoppedAt + 1);
            assertThat(leader.latestSnapshotIndex()).isGreaterThan(stoppedAt + 1);

            // the third's next entry is the leader's first
            ManagerReplication third = group.start(2, SETTINGS);
            two.add(third);
            ThreeManagers.await(
                    PATIENCE,
                    "the third manager to catch up with the leader (applied " + third.appliedIndex() + ")",
                    () -> third.appliedIndex() >= leader.appliedIndex());
            assertThat(third.latestSnapshotIndex())
                    .as("it took the leader's snapshot")
                    .isGreaterThan(stoppedAt);
            // and takes entries as usual after it
            write(leader, 5);
            ThreeManagers.await(
                    PATIENCE,
                    "the three with the same digest",
                    () -> two.stream()
                                    .map(ManagerReplication::digest)
                                    .distinct()
                                    .count()
                            == 1);
        } finally {
            two.forEach(ManagerReplication::close);
        }
    }

    /** {@code n} writes through {@code m}, one log entry each. */
    private static void write(ManagerReplication m, int n) {
        for (int k = 0; k < n; k++) {
            Experiment e = Experiment.pending(
                    UUID.randomUUID().toString(),
                    "linear_regression",
                    "alice",
                    Json.mapper().createObjectNode());
            m.putExperiments(List.of(e));
        }
    }
}
