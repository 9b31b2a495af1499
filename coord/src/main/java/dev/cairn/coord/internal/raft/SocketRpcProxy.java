package dev.cairn.coord.internal.raft;

import dev.cairn.common.security.TransportSecurity;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.netty.NettyRpcProxy;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyServerReplyProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyServerRequestProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.util.NetUtils;

/**
 * A connection to another member's Raft port ({@link SocketServerRpc}) speaking Ratis' Netty
 * framing over a socket that {@link TransportSecurity} opens — with mutual TLS when it is on, which
 * Ratis' own Netty proxies cannot do. Requests are written in order under a lock; one reader
 * thread completes each request's future by its call id, so several calls may be in flight.
 */
final class SocketRpcProxy implements Closeable {
    private final String peer;
    private final Socket socket;
    private final NettyFrames.Writer out;
    private final NettyFrames.Reader in;
    private final long timeoutMs;
    private final Map<Long, CompletableFuture<RaftNettyServerReplyProto>> pending = new ConcurrentHashMap<>();
    private volatile IOException failure;

    SocketRpcProxy(RaftPeer peer, TransportSecurity security, long timeoutMs) throws IOException {
        this.peer = peer.getId() + "@" + peer.getAddress();
        this.timeoutMs = timeoutMs;
        InetSocketAddress address = NetUtils.createSocketAddr(peer.getAddress());
        // An unresolved host would fail the connect with a message naming no address: resolve it here.
        InetSocketAddress resolved = new InetSocketAddress(address.getHostString(), address.getPort());
        this.socket = security.connect(resolved, (int) Math.min(Integer.MAX_VALUE, timeoutMs));
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            this.out = new NettyFrames.Writer(socket.getOutputStream());
            this.in = new NettyFrames.Reader(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        Thread.ofPlatform().daemon().name("raft-proxy-" + this.peer).start(this::readReplies);
    }

    private void readReplies() {
        try {
            for (RaftNettyServerReplyProto reply; (reply = in.read(RaftNettyServerReplyProto.parser())) != null; ) {
                CompletableFuture<RaftNettyServerReplyProto> f = pending.remove(NettyRpcProxy.getCallId(reply));
                if (f != null) f.complete(reply);
            }
            fail(new IOException("the Raft connection to " + peer + " was closed"));
        } catch (IOException | RuntimeException e) {
            fail(new IOException("the Raft connection to " + peer + " failed: " + e.getMessage(), e));
        }
    }

    private void fail(IOException e) {
        if (failure == null) failure = e;
        try {
            socket.close();
        } catch (IOException ignored) {
            // failing anyway
        }
        for (Long id : java.util.List.copyOf(pending.keySet())) {
            CompletableFuture<RaftNettyServerReplyProto> f = pending.remove(id);
            if (f != null) f.completeExceptionally(e);
        }
    }

    /** Sends a request; completes with its reply, or fails when the connection breaks. */
    CompletableFuture<RaftNettyServerReplyProto> sendAsync(
            RaftRpcRequestProto header, RaftNettyServerRequestProto proto) {
        CompletableFuture<RaftNettyServerReplyProto> reply = new CompletableFuture<>();
        IOException failed = failure;
        if (failed != null) return CompletableFuture.failedFuture(failed);
        pending.put(header.getCallId(), reply);
        try {
            synchronized (out) {
                out.write(proto);
            }
        } catch (IOException e) {
            fail(new IOException("writing to " + peer + " failed: " + e.getMessage(), e));
        }
        // Closed meanwhile: fail() may have gone through the map before this request was in it.
        if (failure != null && pending.remove(header.getCallId(), reply)) reply.completeExceptionally(failure);
        return reply;
    }

    /** Sends a request and waits for its reply, at most the request timeout. */
    RaftNettyServerReplyProto send(RaftRpcRequestProto header, RaftNettyServerRequestProto proto) throws IOException {
        try {
            return sendAsync(header, proto).get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted waiting for " + peer);
        } catch (TimeoutException e) {
            pending.remove(header.getCallId());
            throw new IOException("no reply from " + peer + " within " + timeoutMs + " ms", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    @Override
    public void close() {
        fail(new IOException("the Raft connection to " + peer + " is closed"));
    }
}
