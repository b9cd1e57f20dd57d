package org.mipfed.manager.replication;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One manager of the group, as {@code GET /admin/managers} and {@code mipfed manager ls} show it.
 *
 * @param id its id in the group
 * @param address the {@code host:grpc-port} nodes dial
 * @param raftAddress the {@code host:port} managers dial for Raft
 * @param role {@code leader} or {@code follower}
 * @param status {@code ready}; {@code catching-up} when it answers but has not applied up to the leader's commit
 *     index (it restarted or fell behind; a manager that does not say its applied index within 1 s counts as
 *     catching up); {@code down} when the leader (or this manager) has not heard from it lately
 * @param lag how many log entries the leader committed that it has not applied yet (when it said its applied index;
 *     else how many committed entries it is behind the most advanced manager)
 * @param self whether it is the manager that answered
 * @param appliedIndex the last log index it applied (-1 when it did not answer)
 * @param digest the SHA-256 of the whole replicated state it applied ({@link StateDigest}); null when it did not
 *     answer
 */
public record ManagerStatus(
        String id,
        String address,
        String raftAddress,
        String role,
        String status,
        long lag,
        boolean self,
        @JsonProperty("applied_index") long appliedIndex,
        String digest) {
    /** A manager whose applied index and digest are not known (yet). */
    public ManagerStatus(
            String id, String address, String raftAddress, String role, String status, long lag, boolean self) {
        this(id, address, raftAddress, role, status, lag, self, -1, null);
    }

    /** A manager heard from that has not applied up to the leader's commit index (it restarted or fell behind). */
    public static final String CATCHING_UP = "catching-up";

    /**
     * The same manager with its applied index and digest ({@code d}, null when it did not say them), and, when the
     * leader's commit index is known ({@code leaderCommit} &ge; 0), {@code ready} only once it applied up to it (else
     * {@link #CATCHING_UP}, its lag the entries it has yet to apply).
     */
    ManagerStatus with(StateDigest.Digest d, long leaderCommit) {
        String progress = status;
        long behind = lag;
        if (status.equals("ready") && leaderCommit >= 0) {
            long applied = d == null ? -1 : d.appliedIndex();
            behind = applied < 0 ? lag : Math.max(0, leaderCommit - applied);
            progress = applied >= leaderCommit ? "ready" : CATCHING_UP;
        }
        return d == null
                ? new ManagerStatus(id, address, raftAddress, role, progress, behind, self, -1, null)
                : new ManagerStatus(
                        id, address, raftAddress, role, progress, behind, self, d.appliedIndex(), d.digest());
    }
}
