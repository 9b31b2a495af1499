package dev.cairn.coord;

import dev.cairn.common.config.Config;
import dev.cairn.common.net.FreePorts;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.time.Clock;
import dev.cairn.coord.internal.raft.RaftMember;
import dev.cairn.coord.internal.raft.RaftPeerAddress;
import dev.cairn.coord.internal.server.CoordServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A member of the coord group: a Raft member replicating ZooKeeper's data model, with a
 * listener speaking the ZooKeeper wire protocol to clients. The entry point a node starts; the
 * machinery is in {@code dev.cairn.coord.internal}.
 */
public final class CoordService implements AutoCloseable {
    /**
     * What a coord member needs.
     *
     * @param memberId this member's id, one of {@code group}'s
     * @param group every member of the group, this one included (one, three or five)
     * @param dir where the Raft log and snapshots are kept
     * @param snapshotEvery log entries between snapshots
     * @param electionTimeout minimum Raft election timeout
     * @param requestTimeout how long a member waits for a client's write to commit
     * @param join whether this member starts as a new member of a running group
     * @param logSegmentBytes size at which a log segment is closed
     * @param tick ZooKeeper's tickTime, the unit of negotiated session timeouts
     * @param maxDataBytes largest znode data and client packet
     * @param maxOutstandingRequests clients' changes read and not yet answered at which reading changes stops
     * @param maxOutstandingBytes bytes of such changes at which reading changes stops
     * @param pipelineWrites whether a session's changes are proposed while its earlier ones are pending
     * @param security how clients and the other members connect: with mutual TLS, the client port and
     *     the Raft port speak only TLS, a client's certificate subject is its {@code x509} ACL identity,
     *     and only node certificates are taken on the Raft port
     * @param admins user names whose certificates make them super users of the tree (as node
     *     certificates do), whatever a znode's ACL says
     */
    public record Settings(
            String memberId,
            List<CoordMember> group,
            Path dir,
            int snapshotEvery,
            Duration electionTimeout,
            Duration requestTimeout,
            boolean join,
            long logSegmentBytes,
            Duration tick,
            int maxDataBytes,
            int maxOutstandingRequests,
            long maxOutstandingBytes,
            boolean pipelineWrites,
            TransportSecurity security,
            List<String> admins,
            Duration connectTimeout) {
        public Settings {
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(memberId, "memberId");
            Objects.requireNonNull(security, "security");
            admins = List.copyOf(admins);
            group = List.copyOf(group);
            if (group.stream().noneMatch(m -> m.id().equals(memberId))) {
                throw new IllegalArgumentException("node.id '" + memberId + "' is not among coord.members " + group
                        + "; a coord node must be listed there (or leave coord.members empty for a group of one)");
            }
        }

        /**
         * The settings {@link CoordConfig}'s keys give a node. With {@code coord.members} empty the
         * node is a group of one on {@code coord.raft-port} and {@code coord.client-port} (0: a free
         * port each); otherwise it finds itself in the list by {@code nodeId}.
         *
         * @throws IOException when no free port can be found
         */
        public static Settings from(Config config, String nodeId, String host, Path dir) throws IOException {
            return from(config, nodeId, host, dir, TransportSecurity.plain(), List.of());
        }

        /**
         * Like {@link #from(Config, String, String, Path)}, with the node's transport security and
         * its admins (the node reads the security settings, such as {@code security.admins}; the
         * coord never does).
         */
        public static Settings from(
                Config config, String nodeId, String host, Path dir, TransportSecurity security, List<String> admins)
                throws IOException {
            List<CoordMember> members = CoordMember.parseAll(config.get(CoordConfig.MEMBERS));
            String memberId = nodeId;
            if (members.isEmpty()) {
                memberId = nodeId.replaceAll("[^A-Za-z0-9_-]", "_");
                int raftPort = config.get(CoordConfig.RAFT_PORT);
                int clientPort = config.get(CoordConfig.CLIENT_PORT);
                members = List.of(new CoordMember(
                        memberId,
                        host,
                        raftPort == 0 ? FreePorts.pick(host) : raftPort,
                        clientPort == 0 ? FreePorts.pick(host) : clientPort));
            }
            return new Settings(
                    memberId,
                    members,
                    dir,
                    config.get(CoordConfig.SNAPSHOT_EVERY),
                    config.get(CoordConfig.ELECTION_TIMEOUT),
                    config.get(CoordConfig.REQUEST_TIMEOUT),
                    config.get(CoordConfig.JOIN),
                    config.get(CoordConfig.LOG_SEGMENT_SIZE),
                    config.get(CoordConfig.TICK),
                    Math.toIntExact(config.get(CoordConfig.MAX_DATA)),
                    config.get(CoordConfig.MAX_OUTSTANDING_REQUESTS),
                    config.get(CoordConfig.MAX_OUTSTANDING_BYTES),
                    config.get(CoordConfig.PIPELINE_WRITES),
                    security,
                    admins,
                    config.get(CoordConfig.CONNECT_TIMEOUT));
        }

        public CoordMember self() {
            return group.stream()
                    .filter(m -> m.id().equals(memberId))
                    .findFirst()
                    .orElseThrow();
        }
    }

    private final CoordServer server;
    private final String memberId;

    private CoordService(CoordServer server, String memberId) {
        this.server = server;
        this.memberId = memberId;
    }

    /**
     * A member as it sees itself now.
     *
     * @param leaderId the group's leader as this member knows it; empty if it knows none
     * @param lastZxid the zxid of the last transaction this member applied
     * @param sessions client sessions open in the tree (the group's, replicated to every member)
     * @param znodes nodes in the tree
     */
    public record Status(String memberId, boolean leader, String leaderId, long lastZxid, int sessions, int znodes) {}

    /** This member's status: cheap, read from its own state without asking the group. */
    public Status status() {
        CoordServer.TreeStats tree = server.treeStats();
        String leader = server.raft().leaderId();
        return new Status(
                memberId,
                server.raft().isLeader(),
                leader == null ? "" : leader,
                tree.lastZxid(),
                tree.sessions(),
                tree.znodes());
    }

    /**
     * Starts the member: opens or creates its log, joins the group, and listens for clients.
     *
     * @param clock decides session expiry and request timeouts
     * @throws IOException when the log cannot be opened or a port cannot be bound
     */
    public static CoordService start(Settings settings, Clock clock) throws IOException {
        return start(settings, clock, new SimpleMeterRegistry());
    }

    /**
     * Starts the member as {@link #start(Settings, Clock)} does, recording into {@code meters}:
     * {@code cairn_coord_requests_total{type}}, {@code cairn_coord_request_seconds{type}},
     * {@code cairn_coord_leader}, {@code cairn_coord_last_zxid},
     * {@code cairn_coord_last_applied_index}, {@code cairn_coord_log_flush_seconds},
     * {@code cairn_coord_sessions}, {@code cairn_coord_connected_sessions} and
     * {@code cairn_coord_watches}. The other overload records into a registry of its own.
     */
    public static CoordService start(Settings settings, Clock clock, MeterRegistry meters) throws IOException {
        CoordMember self = settings.self();
        RaftPeerAddress selfAddress = raftAddress(self);
        List<RaftPeerAddress> peers =
                settings.group().stream().map(CoordService::raftAddress).toList();
        RaftMember.Settings raft = new RaftMember.Settings(
                selfAddress,
                peers,
                settings.dir(),
                settings.snapshotEvery(),
                settings.electionTimeout(),
                settings.requestTimeout(),
                settings.join(),
                settings.logSegmentBytes(),
                settings.security());
        return new CoordService(
                CoordServer.start(
                        new CoordServer.Settings(
                                raft,
                                self.host(),
                                self.clientPort(),
                                settings.tick(),
                                settings.maxDataBytes(),
                                settings.maxOutstandingRequests(),
                                settings.maxOutstandingBytes(),
                                settings.pipelineWrites(),
                                settings.security(),
                                java.util.Set.copyOf(settings.admins()),
                                settings.connectTimeout()),
                        clock,
                        meters),
                self.id());
    }

    private static RaftPeerAddress raftAddress(CoordMember m) {
        return new RaftPeerAddress(m.id(), m.host(), m.raftPort());
    }

    /** The host:port ZooKeeper clients connect to. */
    public String clientEndpoint() {
        return server.clientEndpoint();
    }

    @Override
    public void close() {
        server.close();
    }
}
