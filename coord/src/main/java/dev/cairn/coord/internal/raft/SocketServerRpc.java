package dev.cairn.coord.internal.raft;

import dev.cairn.common.security.CairnPrincipal;
import dev.cairn.common.security.RefusalLog;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.time.Clock;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotReplyProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcReplyProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteReplyProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionReplyProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyExceptionReplyProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyServerReplyProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyServerRequestProto;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.RaftServerRpcWithProxy;
import org.apache.ratis.util.IOUtils;
import org.apache.ratis.util.JavaUtils;
import org.apache.ratis.util.PeerProxyMap;
import org.apache.ratis.util.ProtoUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member's Raft port: Ratis' Netty framing and messages, so Ratis' own Netty clients and peers
 * talk to it unchanged, served from a plain server socket with one reader thread per connection.
 *
 * <p>Why not Ratis' {@code NettyRpcService}: it handles every request synchronously on a Netty
 * event loop — a follower's appendEntries blocks its loop until the entries are on disk, and the
 * leader's loop blocks for the whole replication of a write another member forwarded, so two
 * members whose connections share a loop (4 loops, assigned round robin) have their writes
 * replicated one after the other. Here appendEntries and client requests run asynchronously, and
 * each reply is written by the thread that completes it (the follower's log, the leader's
 * state-machine updater) — no hand-off to an event loop. Replies still leave in request order,
 * which Ratis' Netty clients rely on. Other requests (votes, snapshots, administration) are rare
 * and run on the reader thread, as before.
 *
 * <p>Writes block while a peer's socket buffer is full, on whichever thread completed the reply —
 * possibly the state-machine updater, or one holding Ratis' server lock. Every peer on this port
 * is a Ratis component that reads its replies at once, and one whose process is frozen has at
 * most the replies to the few requests it sent before it stopped; a bounded hand-off would be
 * the next step if that ever changed.
 *
 * <p>The port also takes the streams on which other members forward their clients' changes to
 * the leader ({@link SegmentForwarder}); such a stream begins with a byte no Ratis frame begins
 * with, and its segments go to the {@link RaftMember.Forwarding} the member was started with (passed in
 * Ratis' builder parameters, {@link CommitNotifyingRpc#parameters}).
 *
 * <p>Outgoing calls (votes, snapshots, elections) go through {@link SocketRpcProxy}, one per peer,
 * which speaks the same framing over a socket {@link TransportSecurity} opens (Ratis' Netty proxies
 * cannot do TLS); appendEntries to followers go through {@link PipelinedLogAppender}.
 *
 * <p>With mutual TLS the port takes only TLS connections whose certificate is a node's: every
 * member's log appender, proxies and forwarding stream, and nothing else. A refused connection is
 * logged in one line naming the remote address ({@link RefusalLog}).
 */
final class SocketServerRpc extends RaftServerRpcWithProxy<SocketRpcProxy, PeerProxyMap<SocketRpcProxy>> {
    private static final Logger LOG = LoggerFactory.getLogger(SocketServerRpc.class);
    /** How long a peer may take to complete its TLS handshake before its connection is dropped. */
    private static final int HANDSHAKE_TIMEOUT_MS = 10_000;

    private final RaftServer server;
    private final RpcType type;
    /** Takes the segments other members forward to this one. */
    private final RaftMember.Forwarding forwarding;

    private final InetSocketAddress address;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listener;
    /** Plain, or mutual TLS taking only node certificates: for this port and for calls to the other members. */
    private final TransportSecurity security;

    private final RefusalLog refusals;

    SocketServerRpc(RaftServer server, RpcType type, RaftMember.Forwarding forwarding, TransportSecurity security) {
        super(
                server::getId,
                id -> new PeerProxyMap<>(
                        id.toString(),
                        peer -> new SocketRpcProxy(
                                peer,
                                security,
                                RaftServerConfigKeys.Rpc.requestTimeout(server.getProperties())
                                        .toLong(TimeUnit.MILLISECONDS))));
        this.security = security;
        // Ratis makes this class by name, with no way to pass a clock; this one only paces log lines.
        this.refusals = new RefusalLog(Clock.system());
        this.server = server;
        this.type = type;
        this.forwarding = forwarding;
        String host = NettyConfigKeys.Server.host(server.getProperties());
        int port = NettyConfigKeys.Server.port(server.getProperties());
        this.address = host == null || host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    @Override
    public RpcType getRpcType() {
        return type;
    }

    @Override
    protected void startImpl() throws IOException {
        ServerSocket s = security.newServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(address, 64);
        } catch (IOException e) {
            s.close();
            throw new IOException(getId() + ": cannot listen for Raft peers on " + address + ": " + e.getMessage(), e);
        }
        listener = s;
        Thread.ofPlatform().daemon().name(getId() + "-raft-accept").start(this::acceptAll);
    }

    @Override
    public void closeImpl() throws IOException {
        ServerSocket s = listener;
        if (s != null) s.close();
        for (Connection c : connections) c.close();
        super.closeImpl();
    }

    @Override
    public InetSocketAddress getInetSocketAddress() {
        ServerSocket s = listener;
        return s == null ? address : (InetSocketAddress) s.getLocalSocketAddress();
    }

    private void acceptAll() {
        ServerSocket s = listener;
        while (!s.isClosed()) {
            Socket socket = null;
            try {
                socket = s.accept();
                socket.setTcpNoDelay(true);
                // A peer whose host vanished without closing (power, partition) is found by keepalive.
                socket.setKeepAlive(true);
                Connection c = new Connection(socket);
                connections.add(c);
                if (s.isClosed()) {
                    c.close(); // closed while accepting: closeImpl may already have gone through connections
                    return;
                }
                Thread.ofPlatform()
                        .daemon()
                        .name(getId() + "-raft-" + socket.getRemoteSocketAddress())
                        .start(c::serve);
            } catch (IOException | RuntimeException | OutOfMemoryError e) {
                // OutOfMemoryError: typically no native thread to be had; the listener must survive it.
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // already failing
                    }
                }
                if (s.isClosed()) return;
                LOG.warn("{}: accepting a Raft connection failed", getId(), e);
                try {
                    Thread.sleep(100); // typically out of file descriptors: do not spin
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** One peer's or client's connection: requests in, replies out in the same order. */
    private final class Connection {
        private final Socket socket;
        private final NettyFrames.Writer out;
        /** Completes once every earlier reply is written. Reader thread only. */
        private CompletableFuture<Void> written = CompletableFuture.completedFuture(null);

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.out = new NettyFrames.Writer(socket.getOutputStream());
        }

        void serve() {
            try {
                if (socket instanceof SSLSocket tls && !admitted(tls)) return;
                BufferedInputStream buffered = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
                if (SegmentForwarder.startsForwarding(buffered)) {
                    serveForwarded(buffered);
                    return;
                }
                NettyFrames.Reader in = new NettyFrames.Reader(buffered);
                for (RaftNettyServerRequestProto request;
                        (request = in.read(RaftNettyServerRequestProto.parser())) != null; ) {
                    CompletableFuture<RaftNettyServerReplyProto> reply;
                    if (isHeartbeat(request)) {
                        // Handled once everything before it is: a follower caps its commit index at
                        // what it has flushed, so a heartbeat overtaking the append of the entry it
                        // commits would be lost on it, and this member would learn of the commit only
                        // at the next periodic heartbeat — up to half an election timeout later.
                        RaftNettyServerRequestProto heartbeat = request;
                        reply = written.thenCompose(v -> handle(heartbeat));
                        if ((header(request).getCallId() & PipelinedLogAppender.ONE_WAY) != 0) {
                            written = reply.thenApply(r -> null); // a commit notice: not answered
                            continue;
                        }
                    } else {
                        reply = handle(request);
                    }
                    // Should a step ever fail, the chain would write nothing more: close instead, so
                    // the peer notices at once rather than by its timeout.
                    written = written.thenCombine(reply, (previous, r) -> r)
                            .thenAccept(this::write)
                            .exceptionally(t -> {
                                LOG.warn(
                                        "{}: closing a Raft connection from {}: a reply failed",
                                        getId(),
                                        socket.getRemoteSocketAddress(),
                                        t);
                                close();
                                return null;
                            });
                }
            } catch (IOException e) {
                if (!socket.isClosed())
                    LOG.debug("{}: Raft connection from {} ended", getId(), socket.getRemoteSocketAddress(), e);
            } catch (RuntimeException e) {
                LOG.warn(
                        "{}: closing a Raft connection from {} after an unexpected error",
                        getId(),
                        socket.getRemoteSocketAddress(),
                        e);
            } finally {
                close();
            }
        }

        /**
         * Completes the TLS handshake (on this connection's thread, bounded in time) and admits
         * only another member: a certificate of kind node. Anything else is logged and refused.
         */
        private boolean admitted(SSLSocket tls) throws IOException {
            String remote = String.valueOf(socket.getRemoteSocketAddress()).replaceFirst("^/", "");
            String port = String.valueOf(socket.getLocalPort());
            try {
                tls.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
                tls.startHandshake();
                tls.setSoTimeout(0);
            } catch (IOException e) {
                String reason = String.valueOf(e.getMessage());
                // The JDK's words for bytes that cannot begin a TLS record.
                boolean plain = e instanceof SSLException && reason.contains("Unsupported or unrecognized SSL message");
                refusals.refused(
                        plain
                                ? "refused a plain-text connection from " + remote + " on the secure Raft port " + port
                                        + ": it did not start a TLS handshake"
                                : "refused a TLS connection from " + remote + " on the secure Raft port " + port + ": "
                                        + reason);
                return false;
            }
            Optional<CairnPrincipal> peer = CairnPrincipal.of(tls.getSession());
            if (peer.isEmpty() || peer.get().kind() != CairnPrincipal.Kind.NODE) {
                refusals.refused("refused a connection from " + remote + " on the secure Raft port " + port + ": "
                        + peer.map(p -> p + " is not a node").orElse("its certificate names no Cairn node")
                        + " (only coord members may connect here)");
                return false;
            }
            return true;
        }

        /** Another member's changes for this leader's next log entry ({@link SegmentForwarder}). */
        private void serveForwarded(BufferedInputStream in) throws IOException {
            try {
                SegmentForwarder.receive(in, forwarding::forwarded);
            } catch (IllegalArgumentException e) {
                LOG.warn(
                        "{}: closing a forwarding connection from {}: {}",
                        getId(),
                        socket.getRemoteSocketAddress(),
                        e.getMessage());
            }
        }

        private void write(RaftNettyServerReplyProto reply) {
            synchronized (this) {
                if (socket.isClosed()) return;
                try {
                    out.write(reply);
                } catch (IOException | RuntimeException e) {
                    LOG.debug("{}: writing to {} failed", getId(), socket.getRemoteSocketAddress(), e);
                    close();
                }
            }
        }

        void close() {
            connections.remove(this);
            try {
                socket.close();
            } catch (IOException ignored) {
                // already closing
            }
        }
    }

    private static boolean isHeartbeat(RaftNettyServerRequestProto request) {
        return request.hasAppendEntriesRequest()
                && request.getAppendEntriesRequest().getEntriesCount() == 0;
    }

    /** Starts handling one request; the future never fails (a failure becomes an exception reply). */
    private CompletableFuture<RaftNettyServerReplyProto> handle(RaftNettyServerRequestProto proto) {
        RaftRpcRequestProto header = header(proto);
        CompletableFuture<RaftNettyServerReplyProto> reply;
        try {
            reply = switch (proto.getRaftNettyServerRequestCase()) {
                case APPENDENTRIESREQUEST ->
                    server.appendEntriesAsync(proto.getAppendEntriesRequest())
                            .thenApply(r -> RaftNettyServerReplyProto.newBuilder()
                                    .setAppendEntriesReply(r)
                                    .build());
                case RAFTCLIENTREQUEST ->
                    submitLocally(server, ClientProtoUtils.toRaftClientRequest(proto.getRaftClientRequest()))
                            .thenApply(SocketServerRpc::clientReply);
                case REQUESTVOTEREQUEST ->
                    done(RaftNettyServerReplyProto.newBuilder()
                            .setRequestVoteReply(server.requestVote(proto.getRequestVoteRequest()))
                            .build());
                case STARTLEADERELECTIONREQUEST ->
                    done(RaftNettyServerReplyProto.newBuilder()
                            .setStartLeaderElectionReply(
                                    server.startLeaderElection(proto.getStartLeaderElectionRequest()))
                            .build());
                case INSTALLSNAPSHOTREQUEST ->
                    done(RaftNettyServerReplyProto.newBuilder()
                            .setInstallSnapshotReply(server.installSnapshot(proto.getInstallSnapshotRequest()))
                            .build());
                case TRANSFERLEADERSHIPREQUEST ->
                    server.transferLeadershipAsync(
                                    ClientProtoUtils.toTransferLeadershipRequest(proto.getTransferLeadershipRequest()))
                            .thenApply(SocketServerRpc::clientReply);
                case SNAPSHOTMANAGEMENTREQUEST ->
                    server.snapshotManagementAsync(
                                    ClientProtoUtils.toSnapshotManagementRequest(proto.getSnapshotManagementRequest()))
                            .thenApply(SocketServerRpc::clientReply);
                case LEADERELECTIONMANAGEMENTREQUEST ->
                    server.leaderElectionManagementAsync(ClientProtoUtils.toLeaderElectionManagementRequest(
                                    proto.getLeaderElectionManagementRequest()))
                            .thenApply(SocketServerRpc::clientReply);
                case SETCONFIGURATIONREQUEST ->
                    server.setConfigurationAsync(
                                    ClientProtoUtils.toSetConfigurationRequest(proto.getSetConfigurationRequest()))
                            .thenApply(SocketServerRpc::clientReply);
                case GROUPMANAGEMENTREQUEST ->
                    server.groupManagementAsync(
                                    ClientProtoUtils.toGroupManagementRequest(proto.getGroupManagementRequest()))
                            .thenApply(SocketServerRpc::clientReply);
                case GROUPLISTREQUEST ->
                    server.getGroupListAsync(ClientProtoUtils.toGroupListRequest(proto.getGroupListRequest()))
                            .thenApply(r -> RaftNettyServerReplyProto.newBuilder()
                                    .setGroupListReply(ClientProtoUtils.toGroupListReplyProto(r))
                                    .build());
                case GROUPINFOREQUEST ->
                    server.getGroupInfoAsync(ClientProtoUtils.toGroupInfoRequest(proto.getGroupInfoRequest()))
                            .thenApply(r -> RaftNettyServerReplyProto.newBuilder()
                                    .setGroupInfoReply(ClientProtoUtils.toGroupInfoReplyProto(r))
                                    .build());
                case RAFTNETTYSERVERREQUEST_NOT_SET -> throw new IOException("request without a body");
            };
        } catch (IOException | RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        return reply.exceptionally(e -> exceptionReply(header, e));
    }

    /**
     * Hands a client's request to its group's division, which appends it on the calling thread.
     * Through the {@code RaftServer}, Ratis runs it on a thread of its client pool and blocks the
     * caller until that thread has appended it: two thread switches, a reader that reads nothing
     * meanwhile, and a caller holding Ratis' server lock (as a callback run while Ratis steps down
     * does) waiting forever for a thread that needs it. Used for requests arriving on the Raft
     * port and for a leader's own proposals ({@link RaftMember#propose}).
     */
    static CompletableFuture<RaftClientReply> submitLocally(RaftServer server, RaftClientRequest request)
            throws IOException {
        return server.getDivision(request.getRaftGroupId()) instanceof RaftClientAsynchronousProtocol division
                ? division.submitClientRequestAsync(request)
                : server.submitClientRequestAsync(request);
    }

    private static CompletableFuture<RaftNettyServerReplyProto> done(RaftNettyServerReplyProto reply) {
        return CompletableFuture.completedFuture(reply);
    }

    private static RaftNettyServerReplyProto clientReply(RaftClientReply reply) {
        return RaftNettyServerReplyProto.newBuilder()
                .setRaftClientReply(ClientProtoUtils.toRaftClientReplyProto(reply))
                .build();
    }

    /** The header naming the caller and call id, which an exception reply must echo. */
    static RaftRpcRequestProto header(RaftNettyServerRequestProto proto) {
        return switch (proto.getRaftNettyServerRequestCase()) {
            case APPENDENTRIESREQUEST -> proto.getAppendEntriesRequest().getServerRequest();
            case RAFTCLIENTREQUEST -> proto.getRaftClientRequest().getRpcRequest();
            case REQUESTVOTEREQUEST -> proto.getRequestVoteRequest().getServerRequest();
            case STARTLEADERELECTIONREQUEST ->
                proto.getStartLeaderElectionRequest().getServerRequest();
            case INSTALLSNAPSHOTREQUEST -> proto.getInstallSnapshotRequest().getServerRequest();
            case TRANSFERLEADERSHIPREQUEST ->
                proto.getTransferLeadershipRequest().getRpcRequest();
            case SNAPSHOTMANAGEMENTREQUEST ->
                proto.getSnapshotManagementRequest().getRpcRequest();
            case LEADERELECTIONMANAGEMENTREQUEST ->
                proto.getLeaderElectionManagementRequest().getRpcRequest();
            case SETCONFIGURATIONREQUEST -> proto.getSetConfigurationRequest().getRpcRequest();
            case GROUPMANAGEMENTREQUEST -> proto.getGroupManagementRequest().getRpcRequest();
            case GROUPLISTREQUEST -> proto.getGroupListRequest().getRpcRequest();
            case GROUPINFOREQUEST -> proto.getGroupInfoRequest().getRpcRequest();
            case RAFTNETTYSERVERREQUEST_NOT_SET -> RaftRpcRequestProto.getDefaultInstance();
        };
    }

    private static RaftNettyServerReplyProto exceptionReply(RaftRpcRequestProto header, Throwable failure) {
        IOException e = IOUtils.asIOException(JavaUtils.unwrapCompletionException(failure));
        org.apache.ratis.thirdparty.com.google.protobuf.ByteString serialized;
        try {
            serialized = ProtoUtils.writeObject2ByteString(e);
        } catch (RuntimeException notSerializable) {
            serialized = ProtoUtils.writeObject2ByteString(new IOException(e.toString()));
        }
        RaftRpcReplyProto rpcReply = RaftRpcReplyProto.newBuilder()
                .setRequestorId(header.getRequestorId())
                .setReplyId(header.getReplyId())
                .setCallId(header.getCallId())
                .setSuccess(false)
                .build();
        return RaftNettyServerReplyProto.newBuilder()
                .setExceptionReply(RaftNettyExceptionReplyProto.newBuilder()
                        .setRpcReply(rpcReply)
                        .setException(serialized))
                .build();
    }

    // Calls to other members: through Ratis' Netty client proxies, one per peer.

    private RaftNettyServerReplyProto call(RaftRpcRequestProto header, RaftNettyServerRequestProto proto)
            throws IOException {
        RaftPeerId peer = RaftPeerId.valueOf(header.getReplyId());
        try {
            return getProxies().getProxy(peer).send(header, proto);
        } catch (IOException | RuntimeException e) {
            getProxies().handleException(peer, e, false);
            throw e;
        }
    }

    @Override
    public RequestVoteReplyProto requestVote(RequestVoteRequestProto request) throws IOException {
        return call(
                        request.getServerRequest(),
                        RaftNettyServerRequestProto.newBuilder()
                                .setRequestVoteRequest(request)
                                .build())
                .getRequestVoteReply();
    }

    @Override
    public StartLeaderElectionReplyProto startLeaderElection(StartLeaderElectionRequestProto request)
            throws IOException {
        return call(
                        request.getServerRequest(),
                        RaftNettyServerRequestProto.newBuilder()
                                .setStartLeaderElectionRequest(request)
                                .build())
                .getStartLeaderElectionReply();
    }

    @Override
    public AppendEntriesReplyProto appendEntries(AppendEntriesRequestProto request) throws IOException {
        return call(
                        request.getServerRequest(),
                        RaftNettyServerRequestProto.newBuilder()
                                .setAppendEntriesRequest(request)
                                .build())
                .getAppendEntriesReply();
    }

    @Override
    public InstallSnapshotReplyProto installSnapshot(InstallSnapshotRequestProto request) throws IOException {
        return call(
                        request.getServerRequest(),
                        RaftNettyServerRequestProto.newBuilder()
                                .setInstallSnapshotRequest(request)
                                .build())
                .getInstallSnapshotReply();
    }
}
