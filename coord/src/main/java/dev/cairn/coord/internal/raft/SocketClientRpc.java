package dev.cairn.coord.internal.raft;

import dev.cairn.common.security.TransportSecurity;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.client.impl.RaftClientRpcWithProxy;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyServerReplyProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyServerRequestProto;
import org.apache.ratis.protocol.GroupInfoRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.util.PeerProxyMap;
import org.apache.ratis.util.ProtoUtils;

/**
 * A member's Raft client transport when the Raft port speaks mutual TLS: Ratis' Netty client
 * cannot, so requests go through {@link SocketRpcProxy} connections in the same framing. It
 * carries what members send through their client: proposals to the leader, and the membership
 * changes and queries of {@code RaftMember}.
 */
final class SocketClientRpc extends RaftClientRpcWithProxy<SocketRpcProxy> {
    private final long timeoutMs;

    SocketClientRpc(RaftProperties properties, TransportSecurity security) {
        this(RaftClientConfigKeys.Rpc.requestTimeout(properties).toLong(TimeUnit.MILLISECONDS), security);
    }

    private SocketClientRpc(long timeoutMs, TransportSecurity security) {
        super(new PeerProxyMap<>("raft-client", peer -> new SocketRpcProxy(peer, security, timeoutMs)));
        this.timeoutMs = timeoutMs;
    }

    @Override
    public CompletableFuture<RaftClientReply> sendRequestAsync(RaftClientRequest request) {
        RaftNettyServerRequestProto proto = proto(request);
        RaftRpcRequestProto header = SocketServerRpc.header(proto);
        try {
            return getProxies()
                    .getProxy(request.getServerId())
                    .sendAsync(header, proto)
                    .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                    .thenApply(SocketClientRpc::reply)
                    .thenApply(SocketClientRpc::leaderExceptionAsFailure);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public RaftClientReply sendRequest(RaftClientRequest request) throws IOException {
        RaftNettyServerRequestProto proto = proto(request);
        try {
            return reply(getProxies().getProxy(request.getServerId()).send(SocketServerRpc.header(proto), proto));
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    /**
     * An asynchronous reply that says the member is not (or not yet) the leader fails the call
     * instead, as Ratis' own Netty and gRPC clients do: only a failure makes Ratis' ordered async
     * client move to the suggested leader and send again. Returned as a reply, it went to the
     * caller as a failure and the client kept sending to the old leader: after the first leader
     * changed, every liveness relay of a follower's clients failed, and the new leader expired
     * their sessions.
     */
    private static RaftClientReply leaderExceptionAsFailure(RaftClientReply reply) {
        IOException notLeader = reply.getNotLeaderException();
        if (notLeader == null) notLeader = reply.getLeaderNotReadyException();
        if (notLeader != null) throw new java.util.concurrent.CompletionException(notLeader);
        return reply;
    }

    private static RaftNettyServerRequestProto proto(RaftClientRequest request) {
        RaftNettyServerRequestProto.Builder b = RaftNettyServerRequestProto.newBuilder();
        if (request instanceof SetConfigurationRequest r) {
            b.setSetConfigurationRequest(ClientProtoUtils.toSetConfigurationRequestProto(r));
        } else if (request instanceof TransferLeadershipRequest r) {
            b.setTransferLeadershipRequest(ClientProtoUtils.toTransferLeadershipRequestProto(r));
        } else if (request instanceof GroupInfoRequest r) {
            b.setGroupInfoRequest(ClientProtoUtils.toGroupInfoRequestProto(r));
        } else {
            b.setRaftClientRequest(ClientProtoUtils.toRaftClientRequestProto(request));
        }
        return b.build();
    }

    /** The reply a request's answer carries; an exception answer becomes the exception it names. */
    private static RaftClientReply reply(RaftNettyServerReplyProto proto) {
        return switch (proto.getRaftNettyServerReplyCase()) {
            case RAFTCLIENTREPLY -> ClientProtoUtils.toRaftClientReply(proto.getRaftClientReply());
            case GROUPINFOREPLY -> ClientProtoUtils.toGroupInfoReply(proto.getGroupInfoReply());
            case EXCEPTIONREPLY -> {
                Object e = ProtoUtils.toObject(proto.getExceptionReply().getException());
                throw new java.util.concurrent.CompletionException(
                        e instanceof IOException io ? io : new IOException(String.valueOf(e)));
            }
            default ->
                throw new java.util.concurrent.CompletionException(
                        new IOException("unexpected reply on the Raft port: " + proto.getRaftNettyServerReplyCase()));
        };
    }
}
