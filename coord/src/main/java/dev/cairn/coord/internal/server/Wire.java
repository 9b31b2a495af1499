package dev.cairn.coord.internal.server;

import dev.cairn.common.security.RefusalLog;
import dev.cairn.common.security.TransportSecurity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * What a client connection ({@link ZkConnection}) reads its requests from and writes its replies
 * to: the non-blocking socket itself, or TLS over it ({@link TlsWire}). Reads happen on the
 * selector thread only; writes and {@link #flush} under the connection's output lock, from any
 * thread. Neither ever blocks.
 */
sealed interface Wire permits Wire.Plain, TlsWire {
    /** The wire of a newly accepted channel, as {@code security} wants it. */
    static Wire of(SocketChannel channel, TransportSecurity security, RefusalLog refusals, String port) {
        return security.enabled() ? new TlsWire(channel, security.serverEngine(), refusals, port) : new Plain(channel);
    }

    /**
     * Reads what is available into {@code dst}, without blocking.
     *
     * @return bytes read (0: nothing yet), or -1 once the peer has closed
     */
    int read(ByteBuffer dst) throws IOException;

    /** Whether bytes already received wait to be read without anything new arriving on the socket. */
    boolean hasBufferedInput();

    /**
     * Takes as much of {@code src} as it can without blocking.
     *
     * @return bytes of {@code src} taken
     */
    int write(ByteBuffer src) throws IOException;

    /** Writes out bytes taken earlier that the socket did not take yet; true when none are left. */
    boolean flush() throws IOException;

    /** Whether bytes taken by {@link #write} (or by the TLS handshake) still wait for the socket. */
    boolean pendingOutput();

    /** Whether a TLS handshake is under way: it may need writes from the input side. */
    boolean handshaking();

    /** The authenticated TLS session, once the handshake is done; empty on a plain wire. */
    Optional<SSLSession> session();

    /** Closes the channel (with TLS, sending close_notify first if the socket takes it). */
    void close() throws IOException;

    /** A wire without TLS: the channel as it is. */
    record Plain(SocketChannel channel) implements Wire {
        @Override
        public int read(ByteBuffer dst) throws IOException {
            return channel.read(dst);
        }

        @Override
        public boolean hasBufferedInput() {
            return false;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return channel.write(src);
        }

        @Override
        public boolean flush() {
            return true;
        }

        @Override
        public boolean pendingOutput() {
            return false;
        }

        @Override
        public boolean handshaking() {
            return false;
        }

        @Override
        public Optional<SSLSession> session() {
            return Optional.empty();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
