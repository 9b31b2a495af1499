package dev.cairn.coord.internal.raft;

import dev.cairn.common.security.TransportSecurity;
import org.apache.ratis.client.ClientFactory;
import org.apache.ratis.client.RaftClientRpc;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.client.NettyClientRpc;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpc;
import org.apache.ratis.server.ServerFactory;
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
    /** The {@link Parameters} key of the {@link RaftMember.Forwarding} that takes a member's forwarded segments. */
    private static final String FORWARDING = CommitNotifyingRpc.class.getName() + ".forwarding";
    /** The {@link Parameters} key of the {@link TransportSecurity} of a member's Raft traffic. */
    private static final String SECURITY = CommitNotifyingRpc.class.getName() + ".security";

    public CommitNotifyingRpc() {}

    /**
     * What a member passes to its Ratis server's builder so that its Raft port hands the segments
     * other members forward to it to {@code forwarding} ({@link SegmentForwarder}). Ratis makes
     * this transport by class name, so the builder's parameters are how the member reaches it.
     */
    static Parameters parameters(RaftMember.Forwarding forwarding, TransportSecurity security) {
        Parameters p = new Parameters();
        p.put(FORWARDING, forwarding, RaftMember.Forwarding.class);
        p.put(SECURITY, security, TransportSecurity.class);
        return p;
    }

    @Override
    public String name() {
        return CommitNotifyingRpc.class.getName();
    }

    @Override
    public RpcFactory newFactory(Parameters parameters) {
        RaftMember.Forwarding forwarding =
                parameters == null ? null : parameters.get(FORWARDING, RaftMember.Forwarding.class);
        TransportSecurity security = parameters == null ? null : parameters.get(SECURITY, TransportSecurity.class);
        return new Factory(
                this,
                forwarding == null ? RaftMember.Forwarding.NONE : forwarding,
                security == null ? TransportSecurity.plain() : security);
    }

    /** Netty's factory, making Cairn's server side and pipelined log appenders (and remembering them). */
    static final class Factory implements ServerFactory, ClientFactory {
        private final RpcType type;
        private final RaftMember.Forwarding forwarding;
        private final TransportSecurity security;

        Factory(RpcType type, RaftMember.Forwarding forwarding, TransportSecurity security) {
            this.type = type;
            this.forwarding = forwarding;
            this.security = security;
        }

        @Override
        public RpcType getRpcType() {
            return type;
        }

        @Override
        public RaftClientRpc newRaftClientRpc(ClientId clientId, RaftProperties properties) {
            return security.enabled()
                    ? new SocketClientRpc(properties, security)
                    : new NettyClientRpc(clientId, properties);
        }

        @Override
        public RaftServerRpc newRaftServerRpc(RaftServer server) {
            return new SocketServerRpc(server, type, forwarding, security);
        }

        @Override
        public LogAppender newLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo follower) {
            return new PipelinedLogAppender(server, state, follower, security);
        }
    }
}
