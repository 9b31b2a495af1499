package dev.cairn.node;

import dev.cairn.common.config.ConfigDef;
import dev.cairn.common.config.ConfigKey;
import java.time.Duration;
import java.util.List;

/**
 * Every configuration key of a Cairn node, declared once with its type, default and doc. This is
 * the single source: {@code bin/cairn config} prints it as a commented YAML file, and
 * {@code conf/cairn.yaml} in the repository is that output (a test keeps them equal).
 */
public final class NodeConfig {
    private NodeConfig() {}

    public static final ConfigKey<String> NODE_ID = ConfigKey.stringKey("node.id", null,
            "Name of this node in logs, cluster status and job errors. Unset: 'node-' followed by the RPC port.");
    public static final ConfigKey<List<String>> NODE_ROLES = ConfigKey.listKey("node.roles", List.of("coord", "master", "worker", "store"),
            "Roles this node plays: 'coord' (a member of the Raft-replicated coordination service), 'master' (job manager), 'worker' (task executor) "
                    + "and/or 'store' (holds blocks of the distributed store; needs coord).");
    public static final ConfigKey<String> NODE_HOST = ConfigKey.stringKey("node.host", "127.0.0.1",
            "Address to listen on and to advertise to other nodes.");
    public static final ConfigKey<Integer> NODE_PORT = ConfigKey.intKey("node.port", 7070,
            "RPC port for every role of this node; 0 lets the operating system choose one.");
    public static final ConfigKey<String> NODE_DIR = ConfigKey.stringKey("node.dir", "cairn-data",
            "Directory for this node's working files (job jars, map outputs, shuffle scratch). Wiped of stale job files at start.");
    public static final ConfigKey<String> NODE_ENDPOINT_FILE = ConfigKey.stringKey("node.endpoint-file", null,
            "If set, the node writes its host:port here once it is serving (used by 'cluster up' with port 0).");

    public static final ConfigKey<List<String>> COORD_MEMBERS = ConfigKey.listKey("coord.members", List.of(),
            "The coord group as id@host:raftPort:clientPort entries (1, 3 or 5); a coord node finds itself by node.id. "
                    + "Empty: a coord node forms a group of one on coord.raft-port and coord.client-port.");
    public static final ConfigKey<Integer> COORD_RAFT_PORT = ConfigKey.intKey("coord.raft-port", 7071,
            "Raft port of a coord node that is a group of one (coord.members empty); 0 lets the operating system choose.");
    public static final ConfigKey<Integer> COORD_CLIENT_PORT = ConfigKey.intKey("coord.client-port", 2181,
            "ZooKeeper-protocol client port of a coord node that is a group of one (coord.members empty); 0 lets the operating system choose.");
    public static final ConfigKey<String> COORD_CONNECT = ConfigKey.stringKey("coord.connect", null,
            "ZooKeeper connect string (host:port,...) this node's master and worker roles use. Unset: the client ports of coord.members, "
                    + "or this node's own coord; with neither, masters run without election and workers use master.address.");
    public static final ConfigKey<Boolean> COORD_JOIN = ConfigKey.boolKey("coord.join", false,
            "Start this coord node as a new member of a running group (it waits to be added with 'cairn coord members add'); "
                    + "coord.members lists the running members and this one. Only matters on first start.");
    public static final ConfigKey<Duration> COORD_TICK = ConfigKey.durationKey("coord.tick", Duration.ofSeconds(2),
            "ZooKeeper's tickTime: client session timeouts are negotiated into [2, 20] ticks.");
    public static final ConfigKey<Duration> COORD_ELECTION_TIMEOUT = ConfigKey.durationKey("coord.election-timeout", Duration.ofSeconds(1),
            "Minimum Raft election timeout (the maximum is twice it): how long followers wait for a silent leader.");
    public static final ConfigKey<Duration> COORD_REQUEST_TIMEOUT = ConfigKey.durationKey("coord.request-timeout", Duration.ofSeconds(10),
            "How long a member waits for the group to commit a client's write before dropping the client's connection.");
    public static final ConfigKey<Integer> COORD_SNAPSHOT_EVERY = ConfigKey.intKey("coord.snapshot-every", 10_000,
            "Log entries between snapshots; the log up to a snapshot is purged, which bounds disk use.");
    public static final ConfigKey<Long> COORD_LOG_SEGMENT_SIZE = ConfigKey.sizeKey("coord.log-segment-size", 8L << 20,
            "Size at which a coord member closes a Raft log segment and starts the next; the log is purged up to the last snapshot "
                    + "a closed segment at a time, so a follower that falls further behind than that is sent a snapshot.");
    public static final ConfigKey<Long> COORD_MAX_DATA = ConfigKey.sizeKey("coord.max-data", 1L << 20,
            "Largest znode data and client packet (ZooKeeper's jute.maxbuffer).");
    public static final ConfigKey<Duration> COORD_SESSION_TIMEOUT = ConfigKey.durationKey("coord.session-timeout", Duration.ofSeconds(10),
            "Session timeout of this node's own coord client: a master or worker that is silent this long loses its leadership or registration.");

    public static final ConfigKey<String> MASTER_ADDRESS = ConfigKey.stringKey("master.address", "127.0.0.1:7070",
            "host:port of the master that workers register with when there is no coord to find the active master in. A node that is itself a master uses its own endpoint.");
    public static final ConfigKey<Duration> MASTER_WORKER_TIMEOUT = ConfigKey.durationKey("master.worker-timeout", Duration.ofSeconds(10),
            "A worker that sends no heartbeat for this long is declared dead; its tasks and map outputs are re-run elsewhere.");
    public static final ConfigKey<Long> MASTER_SPLIT_SIZE = ConfigKey.sizeKey("master.split-size", 64L << 20,
            "Default input split size: one map task per split.");
    public static final ConfigKey<Duration> MASTER_LOCALITY_WAIT = ConfigKey.durationKey("master.locality-wait", Duration.ofSeconds(2),
            "How long a map task whose input block lies on live workers waits for a free slot on one of them before it may run "
                    + "anywhere (delay scheduling); 0 gives every task to the first free slot.");
    public static final ConfigKey<Integer> MASTER_MAX_ATTEMPTS = ConfigKey.intKey("master.max-attempts", 4,
            "Default attempts per task before its job fails.");
    public static final ConfigKey<Integer> MASTER_JOB_HISTORY = ConfigKey.intKey("master.job-history", 100,
            "Finished jobs the master remembers for 'job list' and 'job status'.");

    public static final ConfigKey<Integer> WORKER_SLOTS = ConfigKey.intKey("worker.slots", 0,
            "Task attempts a worker runs at once; 0 means one per available processor.");
    public static final ConfigKey<Duration> WORKER_HEARTBEAT_INTERVAL = ConfigKey.durationKey("worker.heartbeat-interval", Duration.ofSeconds(1),
            "How often workers heartbeat to the master (they also report at once when a task ends).");
    public static final ConfigKey<Long> WORKER_SORT_BUFFER = ConfigKey.sizeKey("worker.sort-buffer", 64L << 20,
            "Size of each map task's circular sort buffer; fuller than 80% it spills a sorted run to disk.");
    public static final ConfigKey<Integer> WORKER_COMBINE_ENTRIES = ConfigKey.intKey("worker.combine-entries", 1 << 18,
            "Distinct keys a map task with a combiner pre-aggregates in memory before draining them into the sort buffer.");
    public static final ConfigKey<Long> WORKER_SHUFFLE_MEMORY = ConfigKey.sizeKey("worker.shuffle-memory", 128L << 20,
            "Fetched map output each reduce task keeps in memory; beyond it, segments go to local disk.");
    public static final ConfigKey<Integer> WORKER_FETCH_PARALLELISM = ConfigKey.intKey("worker.fetch-parallelism", 4,
            "Map outputs a reduce task fetches at once.");

    public static final ConfigKey<List<String>> STORE_DIRS = ConfigKey.listKey("store.dirs", List.of(),
            "Directories a store node keeps its blocks in (one per disk). Empty: node.dir/store.");
    public static final ConfigKey<Integer> STORE_DATA_PORT = ConfigKey.intKey("store.data-port", 0,
            "TCP port a store node receives and serves block data on; 0 lets the operating system choose (the node announces it in coord).");
    public static final ConfigKey<Duration> STORE_REPORT_INTERVAL = ConfigKey.durationKey("store.report-interval", Duration.ofSeconds(5),
            "How often a store node refreshes its free space and block count in coord (writers place blocks by free space).");
    public static final ConfigKey<Long> STORE_SCRUB_RATE = ConfigKey.sizeKey("store.scrub-rate", 8L << 20,
            "Bytes per second the background scrubber re-reads and re-verifies local blocks at; 0 turns it off.");
    public static final ConfigKey<Duration> STORE_SCRUB_INTERVAL = ConfigKey.durationKey("store.scrub-interval", Duration.ofHours(6),
            "Pause between two scrubber passes over all local blocks.");

    public static final ConfigKey<Duration> STORE_MONITOR_INTERVAL = ConfigKey.durationKey("store.monitor-interval", Duration.ofSeconds(3),
            "Pause between two scans of the replication monitor (one store node is elected to run it): each scan asks every store node "
                    + "for its block report and repairs what is under-replicated, corrupt, surplus or garbage.");
    public static final ConfigKey<Duration> STORE_DEAD_NODE_TIMEOUT = ConfigKey.durationKey("store.dead-node-timeout", Duration.ofMinutes(2),
            "How long a store node may be gone (counted from when its coord session ends) before its replicas are copied to other nodes; "
                    + "a node back within it costs no copying. Replication is restored within about its session timeout plus this plus one monitor "
                    + "interval plus the copying time.");
    public static final ConfigKey<Duration> STORE_GC_GRACE = ConfigKey.durationKey("store.gc-grace", Duration.ofMinutes(10),
            "How long a block that no file and no open write refers to (deleted files, writers that died) stays on disk before it is deleted; "
                    + "at least three monitor intervals.");

    public static final ConfigKey<Duration> RPC_DEADLINE = ConfigKey.durationKey("rpc.deadline", Duration.ofSeconds(30),
            "Deadline of control RPCs between nodes (shuffle streams get ten times this).");

    public static final ConfigDef DEF = new ConfigDef("Cairn node configuration", List.of(
            NODE_ID, NODE_ROLES, NODE_HOST, NODE_PORT, NODE_DIR, NODE_ENDPOINT_FILE,
            COORD_MEMBERS, COORD_RAFT_PORT, COORD_CLIENT_PORT, COORD_CONNECT, COORD_JOIN, COORD_TICK, COORD_ELECTION_TIMEOUT,
            COORD_REQUEST_TIMEOUT, COORD_SNAPSHOT_EVERY, COORD_LOG_SEGMENT_SIZE, COORD_MAX_DATA, COORD_SESSION_TIMEOUT,
            MASTER_ADDRESS, MASTER_WORKER_TIMEOUT, MASTER_SPLIT_SIZE, MASTER_LOCALITY_WAIT, MASTER_MAX_ATTEMPTS, MASTER_JOB_HISTORY,
            WORKER_SLOTS, WORKER_HEARTBEAT_INTERVAL, WORKER_SORT_BUFFER, WORKER_COMBINE_ENTRIES, WORKER_SHUFFLE_MEMORY,
            WORKER_FETCH_PARALLELISM,
            STORE_DIRS, STORE_DATA_PORT, STORE_REPORT_INTERVAL, STORE_SCRUB_RATE, STORE_SCRUB_INTERVAL,
            STORE_MONITOR_INTERVAL, STORE_DEAD_NODE_TIMEOUT, STORE_GC_GRACE,
            RPC_DEADLINE));
}
