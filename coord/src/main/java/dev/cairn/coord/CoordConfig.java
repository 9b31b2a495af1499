package dev.cairn.coord;

import dev.cairn.common.config.ConfigKey;
import java.time.Duration;
import java.util.List;

/**
 * Configuration keys of a coord member, declared once with type, default, range and doc; the
 * node reads them through {@link CoordService.Settings#from}. The keys of a node's own coord
 * client ({@code coord.connect}, {@code coord.session-timeout}) belong to the node, which reads them.
 */
public final class CoordConfig {
    private CoordConfig() {}

    public static final ConfigKey<List<String>> MEMBERS = ConfigKey.listKey(
            "coord.members",
            List.of(),
            "The coord group as id@host:raftPort:clientPort entries (1, 3 or 5); a coord node finds itself by node.id. "
                    + "Empty: a coord node forms a group of one on coord.raft-port and coord.client-port.");
    public static final ConfigKey<Integer> RAFT_PORT = ConfigKey.intKey(
                    "coord.raft-port",
                    7071,
                    "Raft port of a coord node that is a group of one (coord.members empty); 0 lets the operating system choose.")
            .min(0)
            .max(65535);
    public static final ConfigKey<Integer> CLIENT_PORT = ConfigKey.intKey(
                    "coord.client-port",
                    2181,
                    "ZooKeeper-protocol client port of a coord node that is a group of one (coord.members empty); 0 lets the operating system choose.")
            .min(0)
            .max(65535);
    public static final ConfigKey<Boolean> JOIN = ConfigKey.boolKey(
            "coord.join",
            false,
            "Start this coord node as a new member of a running group (it waits to be added with 'cairn coord members add'); "
                    + "coord.members lists the running members and this one. Only matters on first start.");
    public static final ConfigKey<Duration> TICK = ConfigKey.durationKey(
                    "coord.tick",
                    Duration.ofSeconds(2),
                    "ZooKeeper's tickTime: client session timeouts are negotiated into [2, 20] ticks.")
            .min(Duration.ofMillis(10))
            .max(Duration.ofMinutes(1));
    public static final ConfigKey<Duration> ELECTION_TIMEOUT = ConfigKey.durationKey(
                    "coord.election-timeout",
                    Duration.ofSeconds(1),
                    "Minimum Raft election timeout (the maximum is twice it): how long followers wait for a silent leader.")
            .min(Duration.ofMillis(50))
            .max(Duration.ofMinutes(1));
    public static final ConfigKey<Duration> REQUEST_TIMEOUT = ConfigKey.durationKey(
                    "coord.request-timeout",
                    Duration.ofSeconds(10),
                    "How long a member waits for the group to commit a client's write before dropping the client's connection.")
            .min(Duration.ofMillis(100))
            .max(Duration.ofMinutes(10));
    public static final ConfigKey<Integer> SNAPSHOT_EVERY = ConfigKey.intKey(
                    "coord.snapshot-every",
                    10_000,
                    "Log entries between snapshots; the log up to a snapshot is purged, which bounds disk use.")
            .min(1);
    public static final ConfigKey<Long> LOG_SEGMENT_SIZE = ConfigKey.sizeKey(
                    "coord.log-segment-size",
                    8L << 20,
                    "Size at which a coord member closes a Raft log segment and starts the next; the log is purged up to the last snapshot "
                            + "a closed segment at a time, so a follower that falls further behind than that is sent a snapshot.")
            .min(1024L)
            .max(1L << 30);
    public static final ConfigKey<Long> MAX_DATA = ConfigKey.sizeKey(
                    "coord.max-data", 1L << 20, "Largest znode data and client packet (ZooKeeper's jute.maxbuffer).")
            .min(1L)
            .max(64L << 20);
    public static final ConfigKey<Integer> MAX_OUTSTANDING_REQUESTS = ConfigKey.intKey(
                    "coord.max-outstanding-requests",
                    1000,
                    "Changes a member has read from its clients and not yet answered, over all its connections, at which it "
                            + "stops reading changes until some are answered (ZooKeeper's globalOutstandingLimit). A throttled "
                            + "client's requests wait in its connection; it sees slower answers, not errors.")
            .min(1)
            .max(1_000_000);
    public static final ConfigKey<Long> MAX_OUTSTANDING_BYTES = ConfigKey.sizeKey(
                    "coord.max-outstanding-bytes",
                    16L << 20,
                    "Bytes of changes a member has read from its clients and not yet answered at which it stops reading "
                            + "changes, like coord.max-outstanding-requests: it bounds the memory pipelined large writes take "
                            + "(each is copied a few times on its way to the log). One change is always let through.")
            .min(1024L)
            .max(1L << 30);

    public static final ConfigKey<Boolean> PIPELINE_WRITES = ConfigKey.boolKey(
            "coord.pipeline-writes",
            true,
            "Propose a session's changes while its earlier ones are still pending, as ZooKeeper does (several times the "
                    + "writes when clients pipeline); they are applied in the order sent, and none after an earlier one "
                    + "of its connection was lost. Off: a session has one change in flight at a time.");

    public static final ConfigKey<Duration> CONNECT_TIMEOUT = ConfigKey.durationKey(
                    "coord.connect-timeout",
                    Duration.ofSeconds(10),
                    "How long a new client connection may take to send its ZooKeeper connect request (after its TLS handshake, "
                            + "when secured) before the member closes it (ZooKeeper's zookeeper.nio.sessionlessCnxnTimeout).")
            .min(Duration.ofMillis(100))
            .max(Duration.ofMinutes(10));

    /** Every key above, in the order {@code bin/cairn config} prints them. */
    public static final List<ConfigKey<?>> KEYS = List.of(
            MEMBERS,
            RAFT_PORT,
            CLIENT_PORT,
            JOIN,
            TICK,
            ELECTION_TIMEOUT,
            REQUEST_TIMEOUT,
            SNAPSHOT_EVERY,
            LOG_SEGMENT_SIZE,
            MAX_DATA,
            MAX_OUTSTANDING_REQUESTS,
            MAX_OUTSTANDING_BYTES,
            PIPELINE_WRITES,
            CONNECT_TIMEOUT);
}
