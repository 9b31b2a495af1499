package dev.cairn.coord.internal.raft;

import dev.cairn.common.security.TransportSecurity;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyServerReplyProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyServerRequestProto;
import org.apache.ratis.util.ProtoUtils;

/**
 * One TCP connection from a leader to a follower's Raft port, carrying appendEntries requests in
 * the framing of Ratis' Netty transport (a varint length, then a {@code RaftNettyServerRequestProto}),
 * which the follower answers in request order.
 *
 * <p>Why not Ratis' own Netty client: it writes through the event loop and hands every reply to
 * the waiting thread — two thread hand-offs per message that this machine pays 0.1–0.25 ms each
 * for — and it never notices a connection that closed, so a request to a dead follower waits for
 * its timeout. Here the caller of {@link #send} writes to the socket itself, one reader thread
 * hands each reply straight to the {@link Listener}, and a connection that ends tells the listener
 * at once.
 *
 * <p>{@link #send} is called by one thread at a time (the log appender's). Replies come from the
 * reader thread; the one {@link Listener#onClosed} call from whichever thread saw the connection
 * end (the reader, a failed {@code send}, the watchdog, or {@link #close}); no reply is handed on
 * after it.
 */
final class FollowerConnection implements Closeable {
    /** Where replies go; must not block on replication. */
    interface Listener {
        void onReply(FollowerConnection connection, AppendEntriesReplyProto reply);

        /**
         * Asked every {@code checkEveryMs} by a watchdog thread: whether a request on this connection
         * has gone unanswered too long. The watchdog, never blocked on a read or a write, is what
         * enforces the request timeout even while the sender is stuck writing to a frozen follower.
         */
        boolean isOverdue(FollowerConnection connection);

        /** The connection ended: closed by either side, a write or read failed, or the follower answered with an error. */
        void onClosed(FollowerConnection connection, IOException cause);
    }

    /**
     * Checks every connection of this process for overdue replies; one daemon thread, idle but for
     * a lock-protected look at an appender's oldest request every few hundred milliseconds.
     */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("coord-follower-reply-watchdog").factory());

    private final Socket socket;
    private final NettyFrames.Writer out;
    private final NettyFrames.Reader in;
    private final Listener listener;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread reader;
    private final int checkEveryMs;
    private volatile ScheduledFuture<?> watchdog;

    private FollowerConnection(Socket socket, int checkEveryMs, Listener listener, String name) throws IOException {
        this.socket = socket;
        this.checkEveryMs = checkEveryMs;
        this.out = new NettyFrames.Writer(socket.getOutputStream());
        this.in = new NettyFrames.Reader(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.listener = listener;
        // A platform thread: a virtual one would be woken by the poller and then again by a carrier.
        this.reader = Thread.ofPlatform().daemon().name(name).unstarted(this::readReplies);
    }

    /**
     * Connects, waiting at most {@code connectTimeoutMs}; replies are read once {@link #start}ed
     * (after the caller has recorded the connection, so that its listener knows it).
     *
     * @param checkEveryMs how often the watchdog asks {@link Listener#isOverdue}
     */
    static FollowerConnection open(
            InetSocketAddress address,
            TransportSecurity security,
            int connectTimeoutMs,
            int checkEveryMs,
            Listener listener,
            String name)
            throws IOException {
        // With TLS the handshake is done here too, bounded by the same timeout.
        Socket socket = security.connect(address, connectTimeoutMs);
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            // No read timeout: with one the JDK makes the socket non-blocking, and every read of a
            // reply becomes a failed read, a poll and a read again. The watchdog enforces the timeout.
            return new FollowerConnection(socket, Math.max(1, checkEveryMs), listener, name);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Starts reading replies, and watching for overdue ones. */
    void start() {
        reader.start();
        watchdog =
                WATCHDOG.scheduleWithFixedDelay(this::checkOverdue, checkEveryMs, checkEveryMs, TimeUnit.MILLISECONDS);
        if (closed.get()) watchdog.cancel(false); // closed before it was scheduled
    }

    /** The watchdog's check; once the connection is closed, {@link #fail} or {@link #start} has cancelled it. */
    private void checkOverdue() {
        try {
            if (!closed.get() && listener.isOverdue(this)) {
                fail(new IOException("no reply from the follower within the request timeout"));
            }
        } catch (RuntimeException e) {
            fail(new IOException(
                    "failed checking the follower's replies", e)); // a periodic task that throws is never run again
        }
    }

    /**
     * Writes one request; blocks only while the socket's send buffer is full. A failure closes the
     * connection (so the listener hears of it) and is rethrown.
     */
    void send(AppendEntriesRequestProto request) throws IOException {
        if (closed.get()) {
            IOException e = new IOException("connection to the follower is closed");
            fail(e); // a no-op unless nothing told the listener yet
            throw e;
        }
        try {
            out.write(RaftNettyServerRequestProto.newBuilder()
                    .setAppendEntriesRequest(request)
                    .build());
        } catch (IOException e) {
            fail(e);
            throw e;
        }
    }

    private void readReplies() {
        try {
            while (!closed.get()) {
                RaftNettyServerReplyProto reply = in.read(RaftNettyServerReplyProto.parser());
                if (reply == null) throw new EOFException("the follower closed the connection");
                switch (reply.getRaftNettyServerReplyCase()) {
                    case APPENDENTRIESREPLY -> {
                        if (closed.get()) return;
                        listener.onReply(this, reply.getAppendEntriesReply());
                    }
                    case EXCEPTIONREPLY -> throw asIoException(reply);
                    default ->
                        throw new IOException(
                                "unexpected reply to appendEntries: " + reply.getRaftNettyServerReplyCase());
                }
            }
        } catch (IOException e) {
            fail(e);
        } catch (RuntimeException e) {
            fail(new IOException("failed handling a follower's reply", e));
        }
    }

    private static IOException asIoException(RaftNettyServerReplyProto reply) {
        try {
            Object e = ProtoUtils.toObject(reply.getExceptionReply().getException());
            return e instanceof IOException io ? io : new IOException("the follower failed the request: " + e);
        } catch (RuntimeException e) {
            return new IOException("the follower failed the request (its error could not be read)", e);
        }
    }

    private void fail(IOException cause) {
        if (!closed.compareAndSet(false, true)) return;
        ScheduledFuture<?> w = watchdog;
        if (w != null) w.cancel(false);
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is best effort; the cause below is what matters
        }
        listener.onClosed(this, cause);
    }

    boolean isOpen() {
        return !closed.get();
    }

    /** Closes the connection; the listener hears {@code onClosed} unless it already did. */
    @Override
    public void close() {
        fail(new IOException("connection to the follower closed by the leader"));
    }
}
