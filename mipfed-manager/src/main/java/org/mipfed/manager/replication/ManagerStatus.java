package org.mipfed.manager.replication;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One manager of the group, as {@code GET /admin/managers} and {@code mipfed manager ls} show it.
 *
 * @param id its id in the group
 * @param address the {@code host:grpc-port} nodes dial
 * @param raftAddress the {@code host:port} managers dial for Raft
 * @param role {@code leader} or {@code follower}
 * @param status {@code ready}, or {@code down} when the leader (or this manager) has not heard from it lately
 * @param lag how many committed log entries it is behind the most advanced manager
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

    /** The same manager with its applied index and digest. */
    ManagerStatus with(StateDigest.Digest d) {
        return d == null
                ? this
                : new ManagerStatus(id, address, raftAddress, role, status, lag, self, d.appliedIndex(), d.digest());
    }
}
