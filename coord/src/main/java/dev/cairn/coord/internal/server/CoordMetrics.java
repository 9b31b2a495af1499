package dev.cairn.coord.internal.server;

import dev.cairn.coord.internal.raft.CountingMetricRegistries;
import dev.cairn.coord.internal.tree.DataTree;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A coord member's meters:
 * <pre>
 * cairn_coord_requests_total{type}         requests its clients sent, by ZooKeeper request type
 * cairn_coord_request_seconds{type}        time from reading a request to writing its answer (histogram)
 * cairn_coord_leader                       1 while this member leads the Raft group, else 0
 * cairn_coord_last_zxid                    zxid of the last change this member applied
 * cairn_coord_last_applied_index           Raft log index of the last entry it applied
 * cairn_coord_log_flush_seconds            Raft log flushes (fsync) and their time (count and sum)
 * cairn_coord_sessions                     sessions open in the group, as this member's tree shows them
 * cairn_coord_connected_sessions           sessions whose client is connected to this member
 * cairn_coord_watches                      watches set by this member's clients
 * </pre>
 * Request types are ZooKeeper's names ({@code create}, {@code getData}, {@code setData},
 * {@code multi}, {@code ping}, ...); codes this member does not know count as {@code other}.
 * Gauges read the member's state only when scraped.
 */
final class CoordMetrics {
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(1),
        Duration.ofMillis(2),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofSeconds(1),
        Duration.ofSeconds(5)
    };

    /** A request type's counter and timer, made once. */
    private record Meters(Counter count, Timer latency) {}

    private final Map<Integer, Meters> byType = new HashMap<>();
    private final Meters other;

    CoordMetrics(MeterRegistry registry, CoordServer server, String memberId) {
        Map<Integer, String> names = typeNames();
        names.forEach((code, name) -> byType.put(code, meters(registry, name)));
        other = meters(registry, "other");
        Gauge.builder("cairn.coord.leader", server, s -> s.raft().isLeader() ? 1 : 0)
                .description("1 while this member leads the coord group's Raft log, else 0")
                .register(registry);
        Gauge.builder("cairn.coord.last.zxid", server, s -> s.state().lastZxid())
                .description("The zxid of the last change this member applied")
                .register(registry);
        Gauge.builder("cairn.coord.last.applied.index", server, s -> s.state().lastApplied())
                .description("The Raft log index of the last entry this member applied")
                .register(registry);
        Gauge.builder("cairn.coord.sessions", server, s -> s.state().read(DataTree::sessionCount))
                .description("Sessions open in the coord group, as this member's applied state shows them")
                .register(registry);
        Gauge.builder("cairn.coord.connected.sessions", server, CoordServer::connectedSessions)
                .description("Sessions whose client is connected to this member")
                .register(registry);
        Gauge.builder("cairn.coord.watches", server, CoordServer::watchCount)
                .description("Watches set by the clients connected to this member")
                .register(registry);
        FunctionTimer.builder(
                        "cairn.coord.log.flush",
                        memberId,
                        id -> CountingMetricRegistries.timer(id, "log_worker", "flushTime")
                                .count(),
                        id -> CountingMetricRegistries.timer(id, "log_worker", "flushTime")
                                .nanos(),
                        TimeUnit.NANOSECONDS)
                .description("Flushes (fsync) of this member's Raft log and the time they took")
                .register(registry);
    }

    private static Meters meters(MeterRegistry registry, String type) {
        return new Meters(
                Counter.builder("cairn.coord.requests")
                        .description("Requests from clients of this member, by type")
                        .tag("type", type)
                        .register(registry),
                Timer.builder("cairn.coord.request")
                        .description("Time from reading a client's request to writing its answer, by type")
                        .tag("type", type)
                        .serviceLevelObjectives(BUCKETS)
                        .register(registry));
    }

    /** A request of {@code type} was read. */
    void received(int type) {
        byType.getOrDefault(type, other).count().increment();
    }

    /** A request of {@code type} read {@code nanos} ago was answered. */
    void answered(int type, long nanos) {
        byType.getOrDefault(type, other).latency().record(nanos, TimeUnit.NANOSECONDS);
    }

    /** ZooKeeper's names of the request types (as its {@code ZooDefs.OpCode} and four-letter stats spell them). */
    private static Map<Integer, String> typeNames() {
        Map<Integer, String> m = new HashMap<>();
        m.put(OpCode.CREATE, "create");
        m.put(OpCode.DELETE, "delete");
        m.put(OpCode.EXISTS, "exists");
        m.put(OpCode.GET_DATA, "getData");
        m.put(OpCode.SET_DATA, "setData");
        m.put(OpCode.GET_ACL, "getACL");
        m.put(OpCode.SET_ACL, "setACL");
        m.put(OpCode.GET_CHILDREN, "getChildren");
        m.put(OpCode.SYNC, "sync");
        m.put(OpCode.PING, "ping");
        m.put(OpCode.GET_CHILDREN2, "getChildren2");
        m.put(OpCode.CHECK, "check");
        m.put(OpCode.MULTI, "multi");
        m.put(OpCode.CREATE2, "create2");
        m.put(OpCode.RECONFIG, "reconfig");
        m.put(OpCode.CHECK_WATCHES, "checkWatches");
        m.put(OpCode.REMOVE_WATCHES, "removeWatches");
        m.put(OpCode.CREATE_CONTAINER, "createContainer");
        m.put(OpCode.DELETE_CONTAINER, "deleteContainer");
        m.put(OpCode.CREATE_TTL, "createTTL");
        m.put(OpCode.MULTI_READ, "multiRead");
        m.put(OpCode.AUTH, "auth");
        m.put(OpCode.SET_WATCHES, "setWatches");
        m.put(OpCode.SASL, "sasl");
        m.put(OpCode.GET_EPHEMERALS, "getEphemerals");
        m.put(OpCode.GET_ALL_CHILDREN_NUMBER, "getAllChildrenNumber");
        m.put(OpCode.SET_WATCHES2, "setWatches2");
        m.put(OpCode.ADD_WATCH, "addWatch");
        m.put(OpCode.WHO_AM_I, "whoAmI");
        m.put(OpCode.CLOSE_SESSION, "closeSession");
        return m;
    }
}
