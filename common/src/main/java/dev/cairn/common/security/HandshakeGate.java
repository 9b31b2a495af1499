package dev.cairn.common.security;

import dev.cairn.common.time.Clock;
import java.io.IOException;
import java.net.Socket;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * The server side of a TLS handshake on an accepted blocking socket, for servers that serve each
 * connection on a thread of its own (the store's data port, the stream exchange): the handshake runs
 * on that thread, bounded by a timeout, and a peer that fails it (plain text, no certificate,
 * another CA, an expired certificate) is closed and logged in one line naming its address and the
 * port. A flood of such peers is logged at most {@link RefusalLog#PER_SECOND} lines a second ({@link RefusalLog}).
 */
public final class HandshakeGate {

    private final String port;
    private final RefusalLog refusals;

    /** @param port what the port is, for the log line: "store data port 7072" */
    public HandshakeGate(String port, Clock clock) {
        this.port = port;
        this.refusals = new RefusalLog(clock, HandshakeGate.class);
    }

    /**
     * Completes the handshake of {@code socket} if it is a TLS one (a plain socket passes as it is).
     *
     * @return the authenticated peer; empty for a plain socket
     * @throws IOException after closing the socket and logging, if the handshake failed or timed out
     */
    public Optional<CairnPrincipal> admit(Socket socket, int timeoutMillis) throws IOException {
        if (!(socket instanceof SSLSocket ssl)) return Optional.empty();
        int before = ssl.getSoTimeout();
        try {
            ssl.setSoTimeout(timeoutMillis);
            ssl.startHandshake();
            ssl.setSoTimeout(before);
            return CairnPrincipal.of(ssl.getSession());
        } catch (IOException e) {
            String line = refusal(String.valueOf(socket.getRemoteSocketAddress()), e);
            try {
                socket.close();
            } catch (IOException ignored) {
                // Refused either way.
            }
            refusals.refused(line);
            throw new IOException(line, e);
        }
    }

    /** The one line a refused peer is logged with. */
    String refusal(String remote, IOException e) {
        boolean plain = e instanceof SSLException && plainText(e);
        return (plain ? "refused a plain-text connection from " : "refused a TLS connection from ") + remote
                + " on the secure " + port + ": " + e.getMessage();
    }

    private static boolean plainText(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("nrecognized SSL message") || m.contains("plaintext connection"))) return true;
        }
        return false;
    }
}
