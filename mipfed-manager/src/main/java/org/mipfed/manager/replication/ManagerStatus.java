package org.mipfed.manager.replication;

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
 */
public record ManagerStatus(
        String id, String address, String raftAddress, String role, String status, long lag, boolean self) {}
