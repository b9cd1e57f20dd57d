package org.mipfed.manager.replication;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;

/**
 * Who this manager is in the managers' group and where it is reached.
 *
 * @param id its id in the group (stable across restarts, kept in {@code D/raft/member.json})
 * @param address the {@code host:grpc-port} nodes dial
 * @param raftHost the host other managers reach its Raft port at
 * @param raftPort its Raft port; 0 picks a free one, on loopback (a group of one, which no other manager dials)
 */
public record ManagerMember(String id, String address, String raftHost, int raftPort) {
    public ManagerMember {
        requireNonNull(id, "id is null");
        requireNonNull(address, "address is null");
        requireNonNull(raftHost, "raftHost is null");
        if (id.isBlank() || !id.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("a manager id is 1 to 64 letters, digits, '.', '_' or '-': " + id);
        }
        if (raftPort < 0 || raftPort > 65_535) {
            throw new IllegalArgumentException("raftPort must be 0 to 65535, not " + raftPort);
        }
    }

    /** The {@code host:port} other managers dial for Raft. */
    public String raftAddress() {
        return raftHost + ":" + raftPort;
    }

    /** Where the Raft server listens: loopback for any free port, every interface for a fixed one. */
    InetSocketAddress bindAddress() {
        if (raftPort == 0 || raftHost.equals("127.0.0.1") || raftHost.equals("localhost")) {
            // a loopback member (a group of one, or a test's group on one machine) listens on loopback only
            return new InetSocketAddress("127.0.0.1", raftPort);
        }
        return new InetSocketAddress("0.0.0.0", raftPort);
    }
}
