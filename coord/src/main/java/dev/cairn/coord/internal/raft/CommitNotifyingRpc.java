package dev.cairn.coord.internal.raft;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.netty.NettyFactory;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;

/**
 * Ratis' Netty transport, with a way for the leader to tell followers at once that the commit
 * index moved. Ratis learns followers of commits either through a <em>metadata entry</em> it
 * appends to the log after every commit — which every member must fsync, a second fsync per
 * write, in series with the next — or through the next heartbeat, up to half an election timeout
 * later. Here the log metadata is off, and the leader, having applied an entry, asks each of its
 * log appenders for an immediate heartbeat ({@link #commitAdvanced}), which carries the new commit
 * index without touching any disk. Raft does not need the commit index persisted: a restarted
 * member relearns it from the leader.
 *
 * <p>Its log appenders are Cairn's own ({@link PipelinedLogAppender}): several appendEntries in
 * flight per follower, each reply handled on the thread that read it.
 *
 * <p>Ratis finds this class by name ({@code raft.rpc.type}) and makes it with its no-argument constructor.
 */
public final class CommitNotifyingRpc implements RpcType {
    /** The running log appenders of each leader in this process, by its peer id. */
    private static final Map<RaftPeerId, Set<LogAppender>> APPENDERS = new ConcurrentHashMap<>();

    public CommitNotifyingRpc() {}

    @Override
    public String name() {
        return CommitNotifyingRpc.class.getName();
    }

    @Override
    public RpcFactory newFactory(Parameters parameters) {
        return new Factory(parameters);
    }

    /** Called by the leader's state machine after it applied entries: each follower gets the new commit index now. */
    static void commitAdvanced(RaftPeerId leader) {
        Set<LogAppender> appenders = APPENDERS.get(leader);
        if (appenders == null) return;
        appenders.removeIf(a -> !a.isRunning());
        for (LogAppender a : appenders) a.triggerHeartbeat();
    }

    /** Netty's factory, making pipelined log appenders and remembering them. */
    static final class Factory extends NettyFactory {
        Factory(Parameters parameters) {
            super(parameters);
        }

        @Override
        public LogAppender newLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo follower) {
            LogAppender a = new PipelinedLogAppender(server, state, follower);
            APPENDERS.computeIfAbsent(server.getId(), id -> ConcurrentHashMap.newKeySet()).add(a);
            return a;
        }
    }
}
