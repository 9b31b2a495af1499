package dev.cairn.coord.internal.raft;

import dev.cairn.common.security.TransportSecurity;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The one-way stream on which a member sends the changes its clients proposed to the leader,
 * which puts them in its next log entry. It runs on the leader's Raft port: the stream opens
 * with {@link #PREFACE}, whose first byte — a zero length — no frame of Ratis' Netty transport
 * starts with, and continues with frames of a 4-byte length and one encoded segment.
 *
 * <p>Nothing comes back: the sender learns what became of a segment by applying the log (its
 * results, in the entry that holds it), or by giving up on it — after its timeout, or when the
 * leader it was sent to is replaced (the segment may still be applied, like any request whose
 * answer is lost). Segments are never resent, so none is applied twice; one connection keeps
 * them in order.
 *
 * <p>Thread-safe. The channel is non-blocking, so a client's thread may hand segments over
 * without waiting ({@link #trySend}); what the socket does not take at once is written by the
 * next {@link #send} or {@link #flush}, which may block (bounded by the write timeout).
 * {@link #disconnect} may come from any thread, and ends a send stuck on a leader that stopped
 * reading.
 */
final class SegmentForwarder implements AutoCloseable {
    static final byte[] PREFACE = {0, 'C', 'S', 'E', 'G'};

    /**
     * A connection to one leader: a non-blocking channel and its selector, or with TLS a blocking
     * TLS socket ({@code tls}; then channel and selector are null).
     */
    private record Connection(String leaderId, SocketChannel channel, Selector selector, Socket tls) {
        void close() {
            for (java.io.Closeable c : new java.io.Closeable[] {channel, selector, tls}) {
                if (c == null) continue;
                try {
                    c.close(); // closing the selector wakes a send waiting in select; the socket, one in write
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }

    private final int connectTimeoutMs;
    private final long writeTimeoutMs;
    private final TransportSecurity security;
    private volatile Connection connection;
    /** Bytes {@link #trySend} handed over that the socket did not take yet; guarded by this. */
    private ByteBuffer unsent;

    /**
     * @param writeTimeoutMs how long a send waits for a leader that takes no bytes before it
     *                       gives up on the connection
     */
    SegmentForwarder(int connectTimeoutMs, long writeTimeoutMs) {
        this(connectTimeoutMs, writeTimeoutMs, TransportSecurity.plain());
    }

    /**
     * @param security with mutual TLS, the stream is a blocking TLS socket: {@link #trySend} then
     *                 never sends (it answers false, and the caller sends with {@link #send}), and a
     *                 send stuck on a leader that stopped reading ends when the connection is
     *                 {@link #disconnect}ed (a leader change) or the socket's keepalive gives up
     */
    SegmentForwarder(int connectTimeoutMs, long writeTimeoutMs, TransportSecurity security) {
        this.connectTimeoutMs = connectTimeoutMs;
        this.writeTimeoutMs = writeTimeoutMs;
        this.security = security;
    }

    /**
     * Hands the segments to the connection to {@code leaderId} without blocking, if it can: true
     * when they were written, or partly written with the rest kept for the next {@link #send} or
     * {@link #flush} ({@link #hasUnsent}); false, with nothing done, when that would need a new
     * connection or earlier bytes still wait.
     *
     * @throws IOException when the connection broke (it is closed)
     */
    synchronized boolean trySend(String leaderId, List<byte[]> segments) throws IOException {
        Connection c = connection;
        if (c == null || !c.leaderId().equals(leaderId) || unsent != null || c.tls() != null) return false;
        ByteBuffer frames = frames(segments);
        try {
            c.channel().write(frames);
        } catch (IOException e) {
            throw failed(c, e);
        }
        if (frames.hasRemaining()) unsent = frames;
        return true;
    }

    /** Whether bytes handed over by {@link #trySend} still wait to be written. */
    synchronized boolean hasUnsent() {
        return unsent != null;
    }

    /**
     * Writes the segments to the leader {@code leaderId} at {@code address}, after whatever
     * earlier bytes wait, connecting first if need be (the bytes waiting for a previous
     * connection are then dropped). Blocks while the leader's socket buffer is full.
     */
    synchronized void send(String leaderId, InetSocketAddress address, List<byte[]> segments) throws IOException {
        Connection c = connection;
        if (c == null || !c.leaderId().equals(leaderId)) {
            unsent = null;
            try {
                c = connect(leaderId, address);
            } catch (IOException e) {
                throw new IOException(
                        "cannot connect to the coord leader " + leaderId + " at " + address + ": " + e.getMessage(), e);
            }
        }
        try {
            if (unsent != null) writeFully(c, unsent);
            unsent = null;
            writeFully(c, frames(segments));
        } catch (IOException e) {
            throw failed(c, e);
        }
    }

    /** Writes the bytes {@link #trySend} left, if any; blocks like {@link #send}. */
    synchronized void flush() throws IOException {
        if (unsent == null) return;
        Connection c = connection;
        ByteBuffer bytes = unsent;
        unsent = null;
        if (c == null) throw new IOException("the connection to the coord leader closed with forwarded changes unsent");
        try {
            writeFully(c, bytes);
        } catch (IOException e) {
            throw failed(c, e);
        }
    }

    @SuppressWarnings("ReferenceEquality") // only this very connection is dropped, not an equal one made since
    private IOException failed(Connection c, IOException e) {
        unsent = null;
        if (connection == c) connection = null;
        c.close();
        return new IOException("forwarding to the coord leader " + c.leaderId() + " failed: " + e.getMessage(), e);
    }

    private static ByteBuffer frames(List<byte[]> segments) {
        int size = 0;
        for (byte[] s : segments) size += 4 + s.length;
        ByteBuffer frames = ByteBuffer.allocate(size);
        for (byte[] s : segments) frames.putInt(s.length).put(s);
        return frames.flip();
    }

    private void writeFully(Connection c, ByteBuffer bytes) throws IOException {
        if (c.tls() != null) {
            c.tls().getOutputStream().write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            bytes.position(bytes.limit());
            return;
        }
        long waitedMs = 0;
        while (bytes.hasRemaining()) {
            if (c.channel().write(bytes) > 0) {
                waitedMs = 0;
                continue;
            }
            if (waitedMs >= writeTimeoutMs)
                throw new IOException("the leader took no bytes for " + writeTimeoutMs + " ms");
            long start = System.nanoTime();
            c.selector().select(writeTimeoutMs - waitedMs);
            c.selector().selectedKeys().clear();
            waitedMs += Math.max(1, (System.nanoTime() - start) / 1_000_000);
            if (!c.channel().isOpen()) throw new IOException("the connection was closed");
        }
    }

    private Connection connect(String leaderId, InetSocketAddress address) throws IOException {
        disconnect();
        if (security.enabled()) {
            Socket s = security.connect(address, connectTimeoutMs);
            Connection c = new Connection(leaderId, null, null, s);
            try {
                s.setTcpNoDelay(true);
                s.setKeepAlive(true);
                writeFully(c, ByteBuffer.wrap(PREFACE));
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
            connection = c;
            return c;
        }
        SocketChannel channel = SocketChannel.open();
        Selector selector = null;
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            channel.socket().connect(address, connectTimeoutMs);
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_WRITE);
        } catch (IOException | RuntimeException e) {
            channel.close();
            if (selector != null) selector.close();
            throw e;
        }
        Connection c = new Connection(leaderId, channel, selector, null);
        writeFully(c, ByteBuffer.wrap(PREFACE));
        connection = c;
        return c;
    }

    /** Closes the connection, if any; the next send opens a new one. */
    void disconnect() {
        Connection c = connection;
        connection = null;
        if (c != null) c.close();
    }

    @Override
    public void close() {
        disconnect();
    }

    /**
     * Whether a stream is a forwarding stream: true if its first byte is the preface's, and
     * otherwise leaves the stream where it was (at the first frame of Ratis' transport).
     */
    static boolean startsForwarding(BufferedInputStream in) throws IOException {
        in.mark(1);
        int first = in.read();
        if (first == PREFACE[0]) return true;
        in.reset();
        return false;
    }

    /**
     * Serves a forwarding stream whose first byte {@link #startsForwarding} read: checks the rest
     * of the preface, then hands each segment to {@code segments} until the stream ends.
     *
     * @throws IOException when the stream breaks
     * @throws IllegalArgumentException when the preface or a frame is malformed, or {@code segments} refuses a segment
     */
    static void receive(InputStream in, Consumer<byte[]> segments) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] preface = new byte[PREFACE.length - 1];
        data.readFully(preface);
        if (!Arrays.equals(preface, Arrays.copyOfRange(PREFACE, 1, PREFACE.length))) {
            throw new IllegalArgumentException(
                    "neither a Raft frame nor a forwarding preface: 0 " + Arrays.toString(preface));
        }
        while (true) {
            int first = data.read();
            if (first < 0) return;
            int length = (first << 24)
                    | (data.readUnsignedByte() << 16)
                    | (data.readUnsignedByte() << 8)
                    | data.readUnsignedByte();
            if (length <= 0 || length > NettyFrames.MAX_FRAME)
                throw new IllegalArgumentException("bad segment length " + length);
            byte[] segment = new byte[length];
            data.readFully(segment);
            segments.accept(segment);
        }
    }
}
