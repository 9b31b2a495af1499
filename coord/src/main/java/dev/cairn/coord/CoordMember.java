package dev.cairn.coord;

import java.util.List;

/** One member of a coord group, as an entry of {@code coord.members} gives it: {@code id@host:raftPort:clientPort}. */
public record CoordMember(String id, String host, int raftPort, int clientPort) {
    public CoordMember {
        if (id == null || !id.matches("[A-Za-z0-9_-]+"))
            throw new IllegalArgumentException("bad coord member id: " + id);
        if (raftPort <= 0 || raftPort > 65535)
            throw new IllegalArgumentException("bad raft port for coord member " + id + ": " + raftPort);
        if (clientPort <= 0 || clientPort > 65535)
            throw new IllegalArgumentException("bad client port for coord member " + id + ": " + clientPort);
    }

    /**
     * Parses one entry.
     *
     * @throws IllegalArgumentException naming the entry and what is wrong with it
     */
    public static CoordMember parse(String s) {
        int at = s.indexOf('@');
        String[] hostPorts = at < 0 ? new String[0] : s.substring(at + 1).split(":");
        if (at <= 0 || hostPorts.length != 3) {
            throw new IllegalArgumentException(
                    "coord.members: expected ID@HOST:RAFT_PORT:CLIENT_PORT, got '" + s + "'");
        }
        try {
            return new CoordMember(
                    s.substring(0, at), hostPorts[0], Integer.parseInt(hostPorts[1]), Integer.parseInt(hostPorts[2]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("coord.members: bad entry '" + s + "': " + e.getMessage(), e);
        }
    }

    /** Parses every entry; ids must be distinct. */
    public static List<CoordMember> parseAll(List<String> entries) {
        List<CoordMember> members = entries.stream().map(CoordMember::parse).toList();
        if (members.stream().map(CoordMember::id).distinct().count() != members.size()) {
            throw new IllegalArgumentException("coord.members: member ids must be distinct: " + entries);
        }
        return members;
    }

    /** The host:port ZooKeeper clients connect to. */
    public String clientEndpoint() {
        return host + ":" + clientPort;
    }

    @Override
    public String toString() {
        return id + "@" + host + ":" + raftPort + ":" + clientPort;
    }
}
