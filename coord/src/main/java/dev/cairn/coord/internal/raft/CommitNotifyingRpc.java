package dev.cairn.coord.internal.raft;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.client.ClientFactory;
import org.apache.ratis.client.RaftClientRpc;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.client.NettyClientRpc;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.server.ServerFactory;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpc;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;

/**
 * Ratis' Netty transport, with a way for the leader to tell followers at once that the commit
 * index moved. Ratis learns followers of commits either through a <em>metadata entry</em> it
 * appends to the log after every commit — which every member must fsync, a second fsync per
 * write, in series with the next — or through the next heartbeat, up to half an election timeout
 * later. Here the log metadata is off, and each of the leader's log appenders sends a heartbeat
 * as soon as the commit index moves past what its follower was last told (Ratis wakes them when
 * it commits), which carries the new commit index without touching any disk and which the
 * follower does not answer ({@link PipelinedLogAppender#ONE_WAY}). Raft does not need
 * the commit index persisted: a restarted member relearns it from the leader.
 *
 * <p>Its log appenders ({@link PipelinedLogAppender}) and server side ({@link SocketServerRpc}) are
 * Cairn's own, speaking Ratis' Netty framing: several appendEntries in flight per follower, every
 * request but the rare ones handled asynchronously, every reply written or applied by the thread
 * that has it. Ratis' Netty client (which members use for touches and `sync`) is unchanged.
 *
 * <p>Ratis finds this class by name ({@code raft.rpc.type}) and makes it with its no-argument constructor.
 */
public final class CommitNotifyingRpc implements RpcType {
    /** Where each member in this process takes the changes other members forward to it, by its peer id. */
    private static final Map<RaftPeerId, java.util.function.Consumer<byte[]>> SEGMENT_TARGETS = new ConcurrentHashMap<>();

    public CommitNotifyingRpc() {}

    /** Makes {@code target} take the segments forwarded to the member {@code id} ({@link SegmentForwarder}). */
    static void registerSegmentTarget(RaftPeerId id, java.util.function.Consumer<byte[]> target) {
        SEGMENT_TARGETS.put(id, target);
    }

    static void unregisterSegmentTarget(RaftPeerId id, java.util.function.Consumer<byte[]> target) {
        SEGMENT_TARGETS.remove(id, target);
    }

    static java.util.function.Consumer<byte[]> segmentTarget(RaftPeerId id) {
        return SEGMENT_TARGETS.get(id);
    }

    @Override
    public String name() {
        return CommitNotifyingRpc.class.getName();
    }

    @Override
    public RpcFactory newFactory(Parameters parameters) {
        return new Factory(this);
    }

    /** Netty's factory, making Cairn's server side and pipelined log appenders (and remembering them). */
    static final class Factory implements ServerFactory, ClientFactory {
        private final RpcType type;

        Factory(RpcType type) {
            this.type = type;
        }

        @Override
        public RpcType getRpcType() {
            return type;
        }

        @Override
        public RaftClientRpc newRaftClientRpc(ClientId clientId, RaftProperties properties) {
            return new NettyClientRpc(clientId, properties);
        }

        @Override
        public RaftServerRpc newRaftServerRpc(RaftServer server) {
            return new SocketServerRpc(server, type);
        }

        @Override
        public LogAppender newLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo follower) {
            return new PipelinedLogAppender(server, state, follower);
        }
    }
}
