package dev.cairn.node.internal;

import dev.cairn.coord.internal.raft.RaftPeerAddress;
import java.util.List;

/** One entry of {@code coord.members}: {@code id@host:raftPort:clientPort}. */
public record CoordMemberSpec(String id, String host, int raftPort, int clientPort) {
    public static CoordMemberSpec parse(String s) {
        int at = s.indexOf('@');
        String[] hostPorts = at < 0 ? new String[0] : s.substring(at + 1).split(":");
        if (at <= 0 || hostPorts.length != 3) {
            throw new IllegalArgumentException("coord.members: expected ID@HOST:RAFT_PORT:CLIENT_PORT, got '" + s + "'");
        }
        try {
            CoordMemberSpec spec = new CoordMemberSpec(s.substring(0, at), hostPorts[0], Integer.parseInt(hostPorts[1]), Integer.parseInt(hostPorts[2]));
            spec.raftAddress(); // validates id and raft port
            if (spec.clientPort <= 0 || spec.clientPort > 65535) throw new IllegalArgumentException("bad client port");
            return spec;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("coord.members: bad entry '" + s + "': " + e.getMessage(), e);
        }
    }

    public static List<CoordMemberSpec> parseAll(List<String> entries) {
        List<CoordMemberSpec> specs = entries.stream().map(CoordMemberSpec::parse).toList();
        if (specs.stream().map(CoordMemberSpec::id).distinct().count() != specs.size()) {
            throw new IllegalArgumentException("coord.members: member ids must be distinct: " + entries);
        }
        return specs;
    }

    public RaftPeerAddress raftAddress() {
        return new RaftPeerAddress(id, host, raftPort);
    }

    public String clientEndpoint() {
        return host + ":" + clientPort;
    }

    @Override
    public String toString() {
        return id + "@" + host + ":" + raftPort + ":" + clientPort;
    }
}
