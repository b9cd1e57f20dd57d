package org.mipfed.manager.replication;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.grpc.server.GrpcLogAppender;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.raftlog.RaftLogIOException;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The managers' Raft transport: Ratis's gRPC one, with a leader that sends its snapshot to a follower whose next
 * entry comes right after the part of the log a snapshot let it purge.
 *
 * <p>Why: a leader purges its log by whole segments up to its snapshot, and a segment ends wherever its manager
 * last stopped. When all the managers stopped at the same index (a group that lost its majority, a restart of all)
 * and one stays down while the others move on, snapshot and purge, the leader's log can start exactly at the
 * entry that manager needs next. Ratis then neither sends its snapshot (it does so only for a follower behind the
 * log's start) nor entries (it cannot name the entry before them): its appender for that follower stops on a
 * NullPointerException ("Previous TermIndex not found") and is not restarted, so the follower never catches up
 * while that leader leads (TestManagerChaosWithProcesses found a manager 280 entries behind for minutes;
 * {@code TestFollowerAtPurgedLogStart} reproduces it). Here the appender sees that case before it builds the
 * request and moves the follower's next index below the log's start, so that Ratis sends the snapshot, after which
 * the follower takes entries as usual. Nothing else of Ratis's appender changes.
 *
 * <p>Ratis finds the transport by this class's name ({@link RpcType#valueOf}); it needs a public constructor.
 */
public final class RaftRpc implements RpcType {
    private static final Logger LOG = LoggerFactory.getLogger(RaftRpc.class);

    @Override
    public String name() {
        return RaftRpc.class.getName();
    }

    @Override
    public RpcFactory newFactory(Parameters parameters) {
        return new Factory(parameters);
    }

    private static final class Factory extends GrpcFactory {
        Factory(Parameters parameters) {
            super(parameters);
        }

        @Override
        public LogAppender newLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo follower) {
            return new Appender(server, state, follower);
        }
    }

    private static final class Appender extends GrpcLogAppender {
        Appender(RaftServer.Division server, LeaderState state, FollowerInfo follower) {
            super(server, state, follower);
        }

        @Override
        public AppendEntriesRequestProto newAppendEntriesRequest(long callId, boolean heartbeat)
                throws RaftLogIOException {
            if (!heartbeat) {
                long start = entryBeforeNextPurged();
                if (start >= 0) {
                    FollowerInfo follower = getFollower();
                    LOG.info(
                            "{} needs entry {} next, the first this leader's log keeps after its snapshot: it gets"
                                    + " the snapshot instead",
                            follower.getName(),
                            follower.getNextIndex());
                    follower.setNextIndex(start - 1);
                    return null; // the appender's next turn sends the snapshot
                }
            }
            return super.newAppendEntriesRequest(callId, heartbeat);
        }

        /**
         * The log's start index when the follower's next entry is in the log but the one before it is neither in the
         * log nor the snapshot's last (Ratis could not build the request); -1 otherwise.
         */
        private long entryBeforeNextPurged() {
            FollowerInfo follower = getFollower();
            RaftLog log = getRaftLog();
            long next = follower.getNextIndex();
            long start = log.getStartIndex();
            if (next <= RaftLog.LEAST_VALID_LOG_INDEX
                    || next != start
                    || next >= log.getNextIndex()
                    || next == follower.getSnapshotIndex() + 1
                    || log.getTermIndex(next - 1) != null) {
                return -1;
            }
            SnapshotInfo snapshot = getServer().getStateMachine().getLatestSnapshot();
            if (snapshot == null || snapshot.getIndex() == next - 1 || snapshot.getIndex() < next) {
                // nothing to send instead, or Ratis finds the entry before in the snapshot
                return -1;
            }
            return start;
        }
    }
}
