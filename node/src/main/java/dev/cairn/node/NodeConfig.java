package dev.cairn.node;

import dev.cairn.batch.BatchConfig;
import dev.cairn.common.config.ConfigDef;
import dev.cairn.common.config.ConfigKey;
import dev.cairn.coord.CoordConfig;
import dev.cairn.dataflow.DataflowConfig;
import dev.cairn.rpc.RpcConfig;
import dev.cairn.store.StoreConfig;
import java.time.Duration;
import java.util.List;

/**
 * The configuration keys the node itself reads (its identity, its own coord client, where a
 * worker finds a master without coord), and {@link #DEF}: every key of a Cairn node, gathered
 * from the modules that declare and read them ({@link CoordConfig}, {@link BatchConfig},
 * {@link StoreConfig}, {@link RpcConfig}, {@link DataflowConfig}). {@code bin/cairn config} prints {@link #DEF} as a
 * commented YAML file, and {@code conf/cairn.yaml} in the repository is that output (a test keeps
 * them equal).
 */
public final class NodeConfig {
    private NodeConfig() {}

    public static final ConfigKey<String> NODE_ID = ConfigKey.stringKey(
            "node.id",
            null,
            "Name of this node in logs, cluster status and job errors. Unset: 'node-' followed by the RPC port.");
    public static final ConfigKey<List<String>> NODE_ROLES = ConfigKey.listKey(
            "node.roles",
            List.of("coord", "master", "worker", "store"),
            "Roles this node plays: 'coord' (a member of the Raft-replicated coordination service), 'master' (job manager), 'worker' (task executor) "
                    + "and/or 'store' (holds blocks of the distributed store; needs coord).");
    public static final ConfigKey<String> NODE_HOST =
            ConfigKey.stringKey("node.host", "127.0.0.1", "Address to listen on and to advertise to other nodes.");
    public static final ConfigKey<Integer> NODE_PORT = ConfigKey.intKey(
                    "node.port", 7070, "RPC port for every role of this node; 0 lets the operating system choose one.")
            .min(0)
            .max(65535);
    public static final ConfigKey<Integer> NODE_HTTP_PORT = ConfigKey.intKey(
                    "node.http-port",
                    0,
                    "HTTP port of a node without the master role, serving Prometheus metrics at /metrics; 0 lets the operating system choose one, -1 serves no HTTP. "
                            + "A master serves on master.http-port instead.")
            .min(-1)
            .max(65535);
    public static final ConfigKey<String> NODE_DIR = ConfigKey.stringKey(
            "node.dir",
            "cairn-data",
            "Directory for this node's working files (job jars, map outputs, shuffle scratch). Wiped of stale job files at start.");
    public static final ConfigKey<String> NODE_ENDPOINT_FILE = ConfigKey.stringKey(
            "node.endpoint-file",
            null,
            "If set, the node writes its RPC host:port here once it is serving, and on a second line 'http=host:port' of its HTTP server if it has one, "
                    + "then a 'port.NAME=N' line for every port it listens on (rpc, http, coord, store, stream; used by 'cluster up' with port 0).");

    public static final ConfigKey<String> NODE_LOG_FILE = ConfigKey.stringKey(
            "node.log-file",
            null,
            "The file this node's output goes to, if it goes to one ('cluster up' sets it): its HTTP server serves the file's tail at /log, "
                    + "and the dashboard's node page shows it.");

    public static final ConfigKey<String> COORD_CONNECT = ConfigKey.stringKey(
            "coord.connect",
            null,
            "ZooKeeper connect string (host:port,...) this node's master and worker roles use. Unset: the client ports of coord.members, "
                    + "or this node's own coord; with neither, masters run without election and workers use master.address.");
    public static final ConfigKey<Duration> COORD_SESSION_TIMEOUT = ConfigKey.durationKey(
                    "coord.session-timeout",
                    Duration.ofSeconds(10),
                    "Session timeout of this node's own coord client: a master or worker that is silent this long loses its leadership or registration.")
            .min(Duration.ofMillis(500))
            .max(Duration.ofMinutes(10));

    public static final ConfigKey<String> MASTER_ADDRESS = ConfigKey.stringKey(
            "master.address",
            "127.0.0.1:7070",
            "host:port of the master that workers register with when there is no coord to find the active master in. A node that is itself a master uses its own endpoint.");

    public static final ConfigKey<Integer> MASTER_HTTP_PORT = ConfigKey.intKey(
                    "master.http-port",
                    8080,
                    "HTTP port of a master: the dashboard at /, the REST API under /api and Prometheus metrics at /metrics (a standby redirects all but /metrics "
                            + "to the active master); 0 lets the operating system choose one, -1 serves no HTTP.")
            .min(-1)
            .max(65535);

    public static final ConfigKey<Boolean> SECURITY_ENABLED = ConfigKey.boolKey(
            "security.enabled",
            false,
            "Mutual TLS on every port of this node (RPC, coord, Raft, store data, stream exchange, HTTPS): peers and clients must present a certificate "
                    + "of the cluster's CA (security.trust); plain-text connections are refused. Make the material with 'cairn security init'.");
    public static final ConfigKey<String> SECURITY_IDENTITY = ConfigKey.stringKey(
            "security.identity",
            null,
            "PEM file with this node's private key and certificate chain (mode 0600). Unset: security/nodes/<node.id>.pem beside node.dir, "
                    + "where 'cairn cluster up --secure' puts it.");
    public static final ConfigKey<String> SECURITY_TRUST = ConfigKey.stringKey(
            "security.trust",
            null,
            "PEM file with the CA certificate(s) this node trusts. Unset: security/ca.pem beside node.dir.");
    public static final ConfigKey<List<String>> SECURITY_ADMINS = ConfigKey.listKey(
            "security.admins",
            List.of("admin"),
            "Users (certificate names) with every right in a secure cluster: super users of coord, and they may see and cancel every job "
                    + "(others only their own). 'cairn security init' makes 'admin'.");
    public static final ConfigKey<Duration> SECURITY_RELOAD_INTERVAL = ConfigKey.durationKey(
                    "security.reload-interval",
                    Duration.ofSeconds(30),
                    "How often, at most, the identity and trust files are checked for changes; rotated files are used for new connections "
                            + "without a restart.")
            .min(Duration.ZERO)
            .max(Duration.ofHours(24));

    public static final ConfigDef DEF = new ConfigDef(
            "Cairn node configuration",
            List.of(
                    NODE_ID,
                    NODE_ROLES,
                    NODE_HOST,
                    NODE_PORT,
                    NODE_HTTP_PORT,
                    NODE_DIR,
                    NODE_ENDPOINT_FILE,
                    NODE_LOG_FILE,
                    CoordConfig.MEMBERS,
                    CoordConfig.RAFT_PORT,
                    CoordConfig.CLIENT_PORT,
                    COORD_CONNECT,
                    CoordConfig.JOIN,
                    CoordConfig.TICK,
                    CoordConfig.ELECTION_TIMEOUT,
                    CoordConfig.REQUEST_TIMEOUT,
                    CoordConfig.SNAPSHOT_EVERY,
                    CoordConfig.LOG_SEGMENT_SIZE,
                    CoordConfig.MAX_DATA,
                    CoordConfig.MAX_OUTSTANDING_REQUESTS,
                    CoordConfig.MAX_OUTSTANDING_BYTES,
                    CoordConfig.PIPELINE_WRITES,
                    CoordConfig.CONNECT_TIMEOUT,
                    COORD_SESSION_TIMEOUT,
                    MASTER_ADDRESS,
                    MASTER_HTTP_PORT,
                    SECURITY_ENABLED,
                    SECURITY_IDENTITY,
                    SECURITY_TRUST,
                    SECURITY_ADMINS,
                    SECURITY_RELOAD_INTERVAL,
                    BatchConfig.MASTER_WORKER_TIMEOUT,
                    BatchConfig.MASTER_SPLIT_SIZE,
                    BatchConfig.MASTER_LOCALITY_WAIT,
                    BatchConfig.MASTER_MAX_ATTEMPTS,
                    BatchConfig.MASTER_JOB_HISTORY,
                    BatchConfig.MASTER_SPECULATION,
                    BatchConfig.MASTER_SPECULATION_MULTIPLIER,
                    BatchConfig.MASTER_SPECULATION_MIN_RUNTIME,
                    BatchConfig.MASTER_ADAPTIVE,
                    BatchConfig.MASTER_RESPLIT_MIN_GAIN,
                    BatchConfig.MASTER_TARGET_PARTITION_SIZE,
                    BatchConfig.MASTER_SKEW_FACTOR,
                    BatchConfig.MASTER_SKEW_MIN_SIZE,
                    BatchConfig.WORKER_SLOTS,
                    BatchConfig.WORKER_HEARTBEAT_INTERVAL,
                    BatchConfig.WORKER_SORT_BUFFER,
                    BatchConfig.WORKER_COMBINE_ENTRIES,
                    BatchConfig.WORKER_SHUFFLE_MEMORY,
                    BatchConfig.WORKER_FETCH_PARALLELISM,
                    StoreConfig.DIRS,
                    StoreConfig.DATA_PORT,
                    StoreConfig.REPORT_INTERVAL,
                    StoreConfig.SCRUB_RATE,
                    StoreConfig.SCRUB_INTERVAL,
                    StoreConfig.MONITOR_INTERVAL,
                    StoreConfig.DEAD_NODE_TIMEOUT,
                    StoreConfig.GC_GRACE,
                    StoreConfig.UMASK,
                    RpcConfig.DEADLINE,
                    DataflowConfig.NETWORK_BUFFER_SIZE,
                    DataflowConfig.NETWORK_BUFFERS_PER_CHANNEL,
                    DataflowConfig.NETWORK_FLOATING_BUFFERS_PER_GATE,
                    DataflowConfig.NETWORK_CONNECT_TIMEOUT,
                    DataflowConfig.CHECKPOINT_INTERVAL,
                    DataflowConfig.CHECKPOINTS_RETAINED,
                    DataflowConfig.RESTART_ATTEMPTS,
                    DataflowConfig.STATE_BACKEND,
                    DataflowConfig.STREAM_DIR,
                    DataflowConfig.STREAM_CHECKPOINT_DIR,
                    DataflowConfig.STREAM_SLOTS,
                    DataflowConfig.STREAM_DATA_PORT,
                    DataflowConfig.STREAM_HEARTBEAT_INTERVAL,
                    DataflowConfig.STREAM_WORKER_TIMEOUT,
                    DataflowConfig.STREAM_RESTART_DELAY));

    static {
        // Every key a module declares is in DEF exactly once, so none is missing from 'cairn config'.
        List<ConfigKey<?>> declared = new java.util.ArrayList<>();
        declared.addAll(CoordConfig.KEYS);
        declared.addAll(BatchConfig.MASTER_KEYS);
        declared.addAll(BatchConfig.WORKER_KEYS);
        declared.addAll(StoreConfig.KEYS);
        declared.addAll(RpcConfig.KEYS);
        declared.addAll(DataflowConfig.KEYS);
        for (ConfigKey<?> k : declared) {
            if (!DEF.keys().contains(k))
                throw new ExceptionInInitializerError("config key " + k + " is declared but not in NodeConfig.DEF");
        }
    }
}
