package dev.cairn.store.internal.transfer;

import dev.cairn.common.security.TransportSecurity;
import dev.cairn.store.internal.disk.BlockId;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * One TCP connection of the transfer protocol, at either end: the socket, its buffered streams, and
 * the bound on waiting for the peer. A read waits at most the timeout ({@code SO_TIMEOUT}). A
 * write waits at most the timeout too, though Java's blocking sockets have no write timeout: a
 * watchdog closes the socket under a write that blocks longer, as one does when the peer stopped
 * reading and TCP's window is full. The buffers are bounded, so a slow peer slows the sender
 * (TCP flow control) instead of filling memory.
 *
 * <p>A client connection sends the preamble at once and reads the server's reply to it lazily,
 * with the first reply ({@link #expectOk}), so it costs no round trip. Not thread-safe.
 */
final class Connection implements AutoCloseable {
    private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();
    /** Bounds on {@link #closeWithReply}'s wait for the peer to take the reply and go. */
    private static final Duration LINGER = Duration.ofSeconds(1);

    private static final long LINGER_BYTES = 1 << 20;

    final DataInputStream in;
    final DataOutputStream out;
    /** The server, on a client connection; null on a server's. */
    final DataAddress node;
    /** The peer, for messages. */
    final String peer;

    private final Socket socket;
    private final TimedOutputStream timed;
    private boolean preambleChecked;

    private Connection(Socket socket, DataAddress node, Duration timeout) throws IOException {
        this.socket = socket;
        this.node = node;
        this.peer = node != null ? "node " + node : String.valueOf(socket.getRemoteSocketAddress());
        socket.setTcpNoDelay(
                true); // frames are written in large buffered pieces; small ones are replies someone waits for
        this.timed = new TimedOutputStream(socket, peer);
        setTimeout(timeout);
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), Wire.BUFFER_SIZE));
        this.out = new DataOutputStream(new BufferedOutputStream(timed, Wire.BUFFER_SIZE));
    }

    /**
     * Connects to {@code node} and sends the preamble (buffered: it leaves with the first flush).
     *
     * @throws IOException naming the node, if it cannot be reached within {@code timeout}
     */
    static Connection connect(DataAddress node, Duration timeout, TransportSecurity security) throws IOException {
        Socket socket;
        try {
            // With TLS the handshake (bounded by the same timeout) happens here, on the caller's thread.
            socket = security.connect(node.toSocketAddress(), millis(timeout));
        } catch (IOException e) {
            throw new IOException("cannot connect to node " + node + ": " + Wire.describe(e), e);
        }
        try {
            Connection c = new Connection(socket, node, timeout);
            c.out.writeInt(Wire.MAGIC);
            c.out.writeShort(Wire.VERSION);
            return c;
        } catch (IOException e) {
            socket.close();
            throw new IOException("cannot connect to node " + node + ": " + Wire.describe(e), e);
        }
    }

    static Connection accepted(Socket socket, Duration timeout) throws IOException {
        return new Connection(socket, null, timeout);
    }

    /** Bounds every later wait for the peer, read or write, to {@code timeout}. */
    void setTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout(millis(timeout));
        timed.timeoutNanos = timeout.toNanos();
    }

    /**
     * Client side: reads the status byte of the next reply, after the preamble reply if that was not
     * read yet, and returns it if it is OK. Flushes first, so the request has surely left.
     *
     * @param request what was asked, for messages
     * @param block the block to name if the reply is NOT_FOUND
     * @throws BlockNotFoundException if the node has no such block
     * @throws IOException naming the node and what failed, for any other status
     */
    void expectOk(String request, BlockId block) throws IOException {
        out.flush();
        if (!preambleChecked) {
            int magic;
            try {
                magic = in.readInt();
            } catch (SSLException e) {
                // TLS 1.3: a server that rejects this client's certificate says so after the handshake.
                throw new IOException(peer + " refused the TLS connection: " + e.getMessage(), e);
            }
            if (magic != Wire.MAGIC)
                throw new ProtocolException(peer + " does not speak the Cairn transfer protocol (magic 0x"
                        + Integer.toHexString(magic) + ")");
            int version = in.readUnsignedShort();
            int status = in.readUnsignedByte();
            if (status != Wire.OK) throw new IOException(peer + " refused the connection: " + in.readUTF());
            if (version != Wire.VERSION)
                throw new ProtocolException(
                        peer + " accepted protocol version " + Wire.VERSION + " but answered with " + version);
            preambleChecked = true;
        }
        int status = in.readUnsignedByte();
        switch (status) {
            case Wire.OK -> {}
            case Wire.NOT_FOUND -> {
                in.readUTF();
                throw new BlockNotFoundException(block, node);
            }
            case Wire.FAILED -> throw new IOException(peer + " failed " + request + ": " + in.readUTF());
            case Wire.BAD_REQUEST ->
                throw new IOException(peer + " refused " + request + " as malformed: " + in.readUTF());
            default -> throw new ProtocolException(peer + " answered " + request + " with unknown status " + status);
        }
    }

    /**
     * Server side: sends a final reply, then closes without losing it. Closing a socket with unread
     * input makes TCP reset the connection, and the peer may never see the reply; so the output is
     * shut down first (the reply, then a FIN) and the peer's input read and dropped, a bounded
     * amount for a bounded time, before the socket is closed.
     */
    void closeWithReply(int status, String message) {
        try {
            Wire.writeStatus(out, status, message);
            out.flush();
            socket.shutdownOutput();
            socket.setSoTimeout((int) Math.min(socket.getSoTimeout(), LINGER.toMillis()));
            byte[] scratch = new byte[8192];
            for (long dropped = 0; dropped < LINGER_BYTES; ) {
                int n = in.read(scratch);
                if (n < 0) break;
                dropped += n;
            }
        } catch (IOException e) {
            // The peer is gone or slow: the reply was a courtesy.
        } finally {
            close();
        }
    }

    /** Whether the watchdog closed the socket under a blocked write. */
    boolean writeTimedOut() {
        return timed.expired;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing to do: the socket is released either way.
        }
    }

    static int millis(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero())
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    }

    private static ScheduledThreadPoolExecutor watchdog() {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().daemon().name("cairn-transfer-watchdog").factory());
        e.setRemoveOnCancelPolicy(true); // nearly every deadline is cancelled; don't keep them queued
        return e;
    }

    /** The socket's output, each write under a deadline. */
    private static final class TimedOutputStream extends OutputStream {
        private final Socket socket;
        private final OutputStream out;
        private final String peer;
        volatile long timeoutNanos;
        volatile boolean expired;

        TimedOutputStream(Socket socket, String peer) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
            this.peer = peer;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            long timeout = timeoutNanos;
            ScheduledFuture<?> deadline = WATCHDOG.schedule(this::expire, timeout, TimeUnit.NANOSECONDS);
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                if (expired) {
                    throw new SocketTimeoutException("write to " + peer + " blocked for more than "
                            + TimeUnit.NANOSECONDS.toMillis(timeout) + " ms: it stopped reading");
                }
                throw e;
            } finally {
                deadline.cancel(false);
            }
        }

        private void expire() {
            expired = true;
            try {
                socket.close();
            } catch (IOException e) {
                // Closing is all the watchdog can do.
            }
        }
    }
}
