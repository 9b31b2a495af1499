package dev.cairn.rpc.grpc;

/** A parsed {@code host:port}. */
public record HostPort(String host, int port) {
    public static HostPort parse(String s) {
        int colon = s == null ? -1 : s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1)
            throw new IllegalArgumentException("expected HOST:PORT, got '" + s + "'");
        try {
            int port = Integer.parseInt(s.substring(colon + 1));
            if (port < 0 || port > 65535) throw new NumberFormatException();
            return new HostPort(s.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + s + "'");
        }
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
