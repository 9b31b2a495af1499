package dev.cairn.coord.internal.raft;

/** A member of the coord Raft group: its stable id and the host:port of its Raft transport. */
public record RaftPeerAddress(String id, String host, int port) {
    public RaftPeerAddress {
        if (id == null || !id.matches("[A-Za-z0-9_-]+"))
            throw new IllegalArgumentException("bad coord member id: " + id);
        if (port <= 0 || port > 65535)
            throw new IllegalArgumentException("bad port for coord member " + id + ": " + port);
    }

    /** Parses {@code id@host:port}. */
    public static RaftPeerAddress parse(String s) {
        int at = s.indexOf('@');
        int colon = s.lastIndexOf(':');
        if (at <= 0 || colon < at) throw new IllegalArgumentException("expected ID@HOST:PORT, got '" + s + "'");
        try {
            return new RaftPeerAddress(
                    s.substring(0, at), s.substring(at + 1, colon), Integer.parseInt(s.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + s + "'");
        }
    }

    public String address() {
        return host + ":" + port;
    }

    @Override
    public String toString() {
        return id + "@" + address();
    }
}
