package dev.cairn.coord.internal.server;

import dev.cairn.common.security.RefusalLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS over a client's non-blocking channel, with an {@link SSLEngine} that requires a client
 * certificate. Input side (the selector thread): {@link #read} pulls what the socket has,
 * unwraps it, and drives the handshake; output side (under this object's lock, any thread):
 * {@link #write} wraps replies into {@link #netOut} and writes what the socket takes. The engine
 * allows an unwrap and a wrap at the same time; wraps are all made under this lock, including the
 * handshake's, which the input side makes.
 *
 * <p>Delegated tasks (checking the client's certificate chain, computing the key share) run inline
 * on the selector thread: for the coord's EC P-256 certificates they take well under a
 * millisecond, a client handshakes once per connection (sessions survive reconnects only through
 * a new connection anyway), and running them elsewhere would need the selector thread to be told
 * when they finish — a hand-off that costs about what the tasks cost.
 *
 * <p>A connection whose first bytes are not a TLS record is refused with one log line naming the
 * remote address ({@link RefusalLog}, rate-limited, since anyone can open connections).
 */
final class TlsWire implements Wire {
    private static final Logger LOG = LoggerFactory.getLogger(TlsWire.class);

    private final SocketChannel channel;
    private final SSLEngine engine;
    private final RefusalLog refusals;
    private final String port;
    /** Received, not yet unwrapped (write mode); selector thread. */
    private ByteBuffer netIn;
    /** Unwrapped, not yet read (write mode); selector thread. */
    private ByteBuffer appIn;
    /** Wrapped, not yet written (write mode); guarded by this. */
    private ByteBuffer netOut;
    /** Whether a first TLS record arrived (else a failure is reported as a plain-text client); selector thread. */
    private boolean sawRecord;
    /** The first bytes were not TLS; selector thread. */
    private boolean plainText;

    private volatile boolean handshakeDone;
    private boolean inputClosed;

    TlsWire(SocketChannel channel, SSLEngine engine, RefusalLog refusals, String port) {
        this.channel = channel;
        this.engine = engine;
        this.refusals = refusals;
        this.port = port;
        SSLSession s = engine.getSession();
        this.netIn = ByteBuffer.allocate(s.getPacketBufferSize());
        this.appIn = ByteBuffer.allocate(s.getApplicationBufferSize());
        this.netOut = ByteBuffer.allocate(s.getPacketBufferSize());
    }

    /** A connection that failed its TLS handshake, or was not TLS at all; its reason is logged already. */
    static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (inputClosed) return -1;
        int total = 0;
        while (true) {
            if (appIn.position() > 0) {
                appIn.flip();
                int n = Math.min(appIn.remaining(), dst.remaining());
                ByteBuffer slice = appIn.slice(appIn.position(), n);
                dst.put(slice);
                appIn.position(appIn.position() + n);
                appIn.compact();
                total += n;
                if (!dst.hasRemaining()) return total;
            }
            HandshakeStatus hs = engine.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                for (Runnable task; (task = engine.getDelegatedTask()) != null; ) task.run();
                continue;
            }
            if (hs == HandshakeStatus.NEED_WRAP) {
                if (!wrapHandshake()) return total; // the socket takes no more: the output side resumes it
                continue;
            }
            SSLEngineResult r;
            netIn.flip();
            try {
                r = engine.unwrap(netIn, appIn);
            } catch (SSLException e) {
                throw refused(e);
            } finally {
                netIn.compact();
            }
            noteHandshake(r);
            switch (r.getStatus()) {
                case OK -> {}
                case BUFFER_UNDERFLOW -> {
                    int need = engine.getSession().getPacketBufferSize();
                    if (!netIn.hasRemaining() || netIn.capacity() < need) netIn = grow(netIn, need);
                    int n = channel.read(netIn);
                    if (n < 0) {
                        inputClosed = true;
                        if (!sawRecord && netIn.position() == 0 && !handshakeDone) {
                            // Connected and left without a byte (a port probe): nothing to refuse.
                            return total > 0 ? total : -1;
                        }
                        if (!handshakeDone) throw refused(new SSLException("the client closed during the handshake"));
                        return total > 0 ? total : -1;
                    }
                    if (n == 0) return total;
                    if (!sawRecord) checkFirstRecord();
                }
                case BUFFER_OVERFLOW -> {
                    // A record larger than what appIn has room for: grow it only when it holds nothing.
                    if (appIn.position() > 0) continue;
                    appIn = grow(appIn, engine.getSession().getApplicationBufferSize());
                }
                case CLOSED -> {
                    // The client sent close_notify: answer it (the engine asks for a wrap) and end.
                    inputClosed = true;
                    synchronized (this) {
                        engine.closeOutbound();
                        wrapClosing();
                    }
                    return total > 0 ? total : -1;
                }
            }
        }
    }

    /** Refuses at once a client whose first bytes cannot begin a TLS record (a plain ZooKeeper client, nc). */
    private void checkFirstRecord() throws Refused {
        sawRecord = true;
        int type = netIn.get(0) & 0xff;
        // TLS record types: change_cipher_spec 20, alert 21, handshake 22, application data 23.
        if (type < 20 || type > 23) {
            plainText = true;
            throw refused(null);
        }
    }

    private Refused refused(SSLException e) {
        String remote = remote();
        String message;
        if (plainText) {
            message = "refused a plain-text connection from " + remote + " on the secure coord port " + port
                    + ": it did not start a TLS handshake (clients need zookeeper.client.secure=true)";
        } else {
            message = "refused a TLS connection from " + remote + " on the secure coord port " + port + ": "
                    + (e == null ? "not TLS" : e.getMessage());
        }
        refusals.refused(message);
        return new Refused(message, e);
    }

    private String remote() {
        try {
            return String.valueOf(channel.getRemoteAddress()).replaceFirst("^/", "");
        } catch (IOException e) {
            return "an unknown address";
        }
    }

    private void noteHandshake(SSLEngineResult r) {
        if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) handshakeDone = true;
    }

    /** Makes the handshake's next message and writes it; false when the socket did not take all of it. */
    private boolean wrapHandshake() throws IOException {
        synchronized (this) {
            if (!flushLocked()) return false;
            SSLEngineResult r;
            try {
                r = engine.wrap(ByteBuffer.allocate(0), netOut);
            } catch (SSLException e) {
                throw refused(e);
            }
            noteHandshake(r);
            switch (r.getStatus()) {
                case BUFFER_OVERFLOW ->
                    netOut = grow(netOut, engine.getSession().getPacketBufferSize());
                case CLOSED -> {
                    // A fatal alert was made (say, the client's certificate is not trusted): send it, then fail.
                    flushLocked();
                    throw refused(new SSLException("the handshake failed (an alert was sent)"));
                }
                default -> {}
            }
            return flushLocked();
        }
    }

    @Override
    public boolean hasBufferedInput() {
        return appIn.position() > 0 || (netIn.position() > 0 && !inputClosed);
    }

    @Override
    public synchronized int write(ByteBuffer src) throws IOException {
        if (!handshakeDone || !flushLocked()) return 0;
        int taken = 0;
        while (src.hasRemaining()) {
            SSLEngineResult r = engine.wrap(src, netOut);
            taken += r.bytesConsumed();
            switch (r.getStatus()) {
                case OK -> {
                    if (!flushLocked()) return taken;
                }
                case BUFFER_OVERFLOW -> {
                    if (!flushLocked()) return taken;
                    netOut = grow(netOut, engine.getSession().getPacketBufferSize());
                }
                case CLOSED -> throw new IOException("the TLS connection is closed");
                case BUFFER_UNDERFLOW -> throw new IllegalStateException("wrap reported an underflow");
            }
        }
        return taken;
    }

    @Override
    public synchronized boolean flush() throws IOException {
        return flushLocked();
    }

    private boolean flushLocked() throws IOException {
        if (netOut.position() == 0) return true;
        netOut.flip();
        try {
            channel.write(netOut);
        } finally {
            netOut.compact();
        }
        return netOut.position() == 0;
    }

    @Override
    public synchronized boolean pendingOutput() {
        return netOut.position() > 0;
    }

    @Override
    public boolean handshaking() {
        return !handshakeDone;
    }

    @Override
    public Optional<SSLSession> session() {
        return handshakeDone ? Optional.of(engine.getSession()) : Optional.empty();
    }

    @Override
    public void close() throws IOException {
        try {
            synchronized (this) {
                if (channel.isOpen() && handshakeDone) {
                    engine.closeOutbound();
                    wrapClosing();
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.trace("sending close_notify", e);
        } finally {
            channel.close();
        }
    }

    /** Wraps close_notify and writes it if the socket takes it at once; the channel closes either way. */
    private void wrapClosing() throws IOException {
        for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
            SSLEngineResult r = engine.wrap(ByteBuffer.allocate(0), netOut);
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                netOut = grow(netOut, engine.getSession().getPacketBufferSize());
            }
        }
        flushLocked();
    }

    private static ByteBuffer grow(ByteBuffer b, int atLeast) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(atLeast, b.position() + atLeast));
        b.flip();
        bigger.put(b);
        return bigger;
    }
}
