package dev.cairn.store.internal.transfer;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Where a node's {@link BlockServer} listens. Text form {@code host:port}, with an IPv6 literal in
 * brackets ({@code [::1]:7071}); {@link #parse} reads what {@link #toString} writes.
 *
 * @param host a host name or IP literal (without brackets), 1 to {@value #MAX_HOST_LENGTH} characters
 * @param port 0 to 65535 (0 only as a bind address: "any free port")
 */
public record DataAddress(String host, int port) {
    /** Longest host accepted, here and on the wire: a DNS name has at most 253 characters. */
    public static final int MAX_HOST_LENGTH = 255;

    public DataAddress {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty() || host.length() > MAX_HOST_LENGTH) {
            throw new IllegalArgumentException(
                    "host must have 1 to " + MAX_HOST_LENGTH + " characters, got " + host.length());
        }
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port " + port + " is not in [0, 65535]");
    }

    /**
     * Reads {@code host:port} or {@code [ipv6]:port}.
     *
     * @throws IllegalArgumentException saying what is wrong with {@code text}
     */
    public static DataAddress parse(String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1)
            throw new IllegalArgumentException("expected HOST:PORT, got '" + text + "'");
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        else if (host.indexOf(':') >= 0)
            throw new IllegalArgumentException("an IPv6 host needs brackets: '" + text + "'");
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + text + "'");
        }
        try {
            return new DataAddress(host, port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad address '" + text + "': " + e.getMessage());
        }
    }

    /** Resolves the host now (a name may map to another address later). */
    InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
