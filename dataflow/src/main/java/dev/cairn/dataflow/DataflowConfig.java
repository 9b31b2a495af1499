package dev.cairn.dataflow;

import dev.cairn.common.config.ConfigKey;
import java.time.Duration;
import java.util.List;

/**
 * Configuration keys of the dataflow runtime, declared once with type, default, range and doc.
 *
 * <p>The network keys bound the memory of remote exchanges on every node. With buffer size
 * {@code S}, {@code B} buffers per channel and {@code F} floating buffers per gate, a node holds
 * at most {@code (B + 1) * S} bytes per outgoing channel and {@code (B * n + F) * S} bytes per
 * consuming subtask with {@code n} remote input channels, however slow its consumers are.
 */
public final class DataflowConfig {
    private DataflowConfig() {}

    public static final ConfigKey<Long> NETWORK_BUFFER_SIZE = ConfigKey.sizeKey(
                    "dataflow.network.buffer-size",
                    32L << 10,
                    "Size of one network buffer: records of a remote exchange travel in buffers of at most this many bytes, "
                            + "and one record (encoded, with its timestamp) must fit in one.")
            .min(1L << 10)
            .max(16L << 20);
    public static final ConfigKey<Integer> NETWORK_BUFFERS_PER_CHANNEL = ConfigKey.intKey(
                    "dataflow.network.buffers-per-channel",
                    // Two (Flink's default) left Nexmark Q5's keyed exchanges on a loaded 2-core machine with the
                    // producer blocked on a full queue while the consumer waited for input: every credit's round
                    // trip waits for the network threads' turn on a core, and two buffers did not cover it. Eight
                    // took Q5 on a 2-worker cluster from 9.5 s to 7.1 s (bench/README.md, "Stream").
                    8,
                    "Exclusive buffers a consuming subtask grants each remote input channel as credit; a producer also queues at "
                            + "most this many buffers per channel before it blocks (backpressure).")
            .min(1)
            .max(1024);
    public static final ConfigKey<Integer> NETWORK_FLOATING_BUFFERS_PER_GATE = ConfigKey.intKey(
                    "dataflow.network.floating-buffers-per-gate",
                    8,
                    "Buffers a consuming subtask shares among its remote input channels, lent as extra credit to the channels "
                            + "whose producers report a backlog.")
            .min(0)
            .max(1 << 16);
    public static final ConfigKey<Duration> NETWORK_CONNECT_TIMEOUT = ConfigKey.durationKey(
                    "dataflow.network.connect-timeout",
                    Duration.ofSeconds(10),
                    "How long a node waits to connect to a peer and exchange the connection preamble.")
            .min(Duration.ofMillis(10));

    public static final ConfigKey<Duration> CHECKPOINT_INTERVAL = ConfigKey.durationKey(
                    "stream.checkpoint-interval",
                    Duration.ofSeconds(10),
                    "How often the checkpoint coordinator triggers a checkpoint at the sources (aligned barriers), counted from "
                            + "the trigger of the previous one; a checkpoint still in progress delays the next.")
            .min(Duration.ofMillis(1))
            .max(Duration.ofDays(1));
    public static final ConfigKey<Integer> CHECKPOINTS_RETAINED = ConfigKey.intKey(
                    "stream.checkpoints-retained",
                    2,
                    "Completed checkpoints kept in checkpoint storage; older ones are deleted once a newer one completes.")
            .min(1)
            .max(100);
    public static final ConfigKey<Integer> RESTART_ATTEMPTS = ConfigKey.intKey(
                    "stream.restart-attempts",
                    3,
                    "How many times a checkpointed job restarts from its latest completed checkpoint after a subtask fails; "
                            + "one more failure fails the job with the root cause.")
            .min(0)
            .max(1_000_000);
    public static final ConfigKey<String> STATE_BACKEND = ConfigKey.stringKey(
                    "stream.state-backend",
                    "heap",
                    "Where a stream job keeps its keyed state: 'heap' (objects on the heap) or 'rocksdb' (a RocksDB instance "
                            + "per subtask in a local directory, for keyed state larger than the heap; checkpoints upload "
                            + "only the SST files a previous checkpoint did not).")
            .validate(v -> v.equals("heap") || v.equals("rocksdb"), "must be heap or rocksdb");

    public static final ConfigKey<String> STREAM_DIR = ConfigKey.stringKey(
            "stream.dir",
            null,
            "Where the stream master keeps submitted stream jobs, their checkpoints unless stream.checkpoint-dir is "
                    + "set, and savepoints; every master and worker of a cluster must see the same directory (cluster up "
                    + "gives them one). Default: 'stream' in the node's directory.");
    public static final ConfigKey<String> STREAM_CHECKPOINT_DIR = ConfigKey.stringKey(
            "stream.checkpoint-dir",
            null,
            "Where stream jobs on a cluster store their checkpoints (state snapshots, RocksDB's shared files), one "
                    + "directory per job under it: a local directory every master and worker sees, or one in Cairn's store "
                    + "such as 'cairn:///cairn/stream/checkpoints' (cluster up uses that). The completed checkpoints are "
                    + "recorded in coord either way; savepoints go to stream.dir unless given a path (which may be "
                    + "cairn://). Default: the jobs' directories under stream.dir.");
    public static final ConfigKey<Integer> STREAM_SLOTS = ConfigKey.intKey(
                    "stream.slots",
                    4,
                    "Stream slots of a worker. A slot runs subtask i of every operator of one job (slot sharing), so a "
                            + "job needs as many slots as its highest parallelism.")
            .min(1)
            .max(1024);
    public static final ConfigKey<Integer> STREAM_DATA_PORT = ConfigKey.intKey(
                    "stream.data-port",
                    0,
                    "Port of a worker's stream network endpoint, where its subtasks' records are exchanged; 0 picks a "
                            + "free one.")
            .min(0)
            .max(65535);
    public static final ConfigKey<Duration> STREAM_HEARTBEAT_INTERVAL = ConfigKey.durationKey(
                    "stream.heartbeat-interval",
                    Duration.ofMillis(100),
                    "How often a worker heartbeats the stream master (at once, too, when a subtask has something to "
                            + "report). Checkpoint triggers reach the sources within one interval.")
            .min(Duration.ofMillis(10))
            .max(Duration.ofSeconds(30));
    public static final ConfigKey<Duration> STREAM_WORKER_TIMEOUT = ConfigKey.durationKey(
                    "stream.worker-timeout",
                    Duration.ofSeconds(5),
                    "A worker the stream master has not heard from this long is lost: the runs with subtasks on it "
                            + "restart from their latest checkpoint.")
            .min(Duration.ofMillis(100))
            .max(Duration.ofHours(1));
    public static final ConfigKey<Duration> STREAM_RESTART_DELAY = ConfigKey.durationKey(
                    "stream.restart-delay",
                    Duration.ofMillis(500),
                    "How long a failed stream job waits before it runs again from its latest checkpoint.")
            .min(Duration.ZERO)
            .max(Duration.ofHours(1));

    /** Every key, in the order {@code bin/cairn config} prints them. */
    public static final List<ConfigKey<?>> KEYS = List.of(
            NETWORK_BUFFER_SIZE,
            NETWORK_BUFFERS_PER_CHANNEL,
            NETWORK_FLOATING_BUFFERS_PER_GATE,
            NETWORK_CONNECT_TIMEOUT,
            CHECKPOINT_INTERVAL,
            CHECKPOINTS_RETAINED,
            RESTART_ATTEMPTS,
            STATE_BACKEND,
            STREAM_DIR,
            STREAM_CHECKPOINT_DIR,
            STREAM_SLOTS,
            STREAM_DATA_PORT,
            STREAM_HEARTBEAT_INTERVAL,
            STREAM_WORKER_TIMEOUT,
            STREAM_RESTART_DELAY);
}
