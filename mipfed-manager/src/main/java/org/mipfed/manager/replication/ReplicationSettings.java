package org.mipfed.manager.replication;

/**
 * The tunable side of the managers' replication, every default in one place.
 *
 * @param snapshotEvery log entries between automatic snapshots (the log is compacted up to each snapshot)
 * @param segmentBytes the size of a log segment (compaction removes whole closed segments)
 * @param startTimeoutMillis how long a starting manager waits for its group to have a leader
 */
public record ReplicationSettings(long snapshotEvery, long segmentBytes, long startTimeoutMillis) {
    public static final long SNAPSHOT_EVERY_DEFAULT = 1_000;
    public static final long SEGMENT_BYTES_DEFAULT = 1024 * 1024;
    public static final long START_TIMEOUT_MILLIS_DEFAULT = 10_000;

    public static final ReplicationSettings DEFAULT =
            new ReplicationSettings(SNAPSHOT_EVERY_DEFAULT, SEGMENT_BYTES_DEFAULT, START_TIMEOUT_MILLIS_DEFAULT);

    public ReplicationSettings {
        if (snapshotEvery < 1) {
            throw new IllegalArgumentException("snapshotEvery must be at least 1, not " + snapshotEvery);
        }
        if (segmentBytes < 64 * 1024) {
            throw new IllegalArgumentException("segmentBytes must be at least 64 KiB, not " + segmentBytes);
        }
    }
}
