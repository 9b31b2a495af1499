package dev.cairn.batch;

import dev.cairn.common.config.ConfigKey;
import java.time.Duration;
import java.util.List;

/**
 * Configuration keys of the batch master and worker roles, declared once with type, default,
 * range and doc; read by {@link BatchMaster.Settings#from} and {@link BatchWorker.Settings#from}.
 */
public final class BatchConfig {
    private BatchConfig() {}

    public static final ConfigKey<Duration> MASTER_WORKER_TIMEOUT = ConfigKey.durationKey(
                    "master.worker-timeout",
                    Duration.ofSeconds(10),
                    "A worker that sends no heartbeat for this long is declared dead; its tasks and map outputs are re-run elsewhere.")
            .min(Duration.ofMillis(100));
    public static final ConfigKey<Long> MASTER_SPLIT_SIZE = ConfigKey.sizeKey(
                    "master.split-size", 64L << 20, "Default input split size: one map task per split.")
            .min(1L);
    public static final ConfigKey<Duration> MASTER_LOCALITY_WAIT = ConfigKey.durationKey(
            "master.locality-wait",
            Duration.ofSeconds(2),
            "How long a map task whose input block lies on live workers waits for a free slot on one of them before it may run "
                    + "anywhere (delay scheduling); 0 gives every task to the first free slot.");
    public static final ConfigKey<Integer> MASTER_MAX_ATTEMPTS = ConfigKey.intKey(
                    "master.max-attempts", 4, "Default attempts per task before its job fails.")
            .min(1)
            .max(100);
    public static final ConfigKey<Integer> MASTER_JOB_HISTORY = ConfigKey.intKey(
                    "master.job-history", 100, "Finished jobs the master remembers for 'job list' and 'job status'.")
            .min(0);

    public static final ConfigKey<Boolean> MASTER_SPECULATION = ConfigKey.boolKey(
            "master.speculation",
            true,
            "Whether a straggling task gets a speculative copy on a free slot of another worker; the first attempt"
                    + " to finish is the task's, the other is killed.");
    public static final ConfigKey<Double> MASTER_SPECULATION_MULTIPLIER = ConfigKey.doubleKey(
                    "master.speculation-multiplier",
                    1.5,
                    "A task is a straggler once it has run this many times the median run time of its stage's finished"
                            + " tasks (half of them must have finished) and its progress predicts more than that median"
                            + " still to go.")
            .min(1.0)
            .max(100.0);
    public static final ConfigKey<Duration> MASTER_SPECULATION_MIN_RUNTIME = ConfigKey.durationKey(
            "master.speculation-min-runtime",
            Duration.ofSeconds(1),
            "No task that has run less than this is copied, however short its stage's median.");

    public static final ConfigKey<Boolean> MASTER_ADAPTIVE = ConfigKey.boolKey(
            "master.adaptive",
            true,
            "Whether jobs adapt while they run: a running task reading a file gives the rest of its input to a free slot"
                    + " when that finishes its stage sooner (re-splitting), and a stage that allows it is re-planned once its"
                    + " input partitions' sizes are known (small ones coalesced, a skewed one split).");
    public static final ConfigKey<Duration> MASTER_RESPLIT_MIN_GAIN = ConfigKey.durationKey(
                    "master.resplit-min-gain",
                    Duration.ofSeconds(2),
                    "A running task's input is split only if that is predicted to finish it at least this much sooner.")
            .min(Duration.ZERO);
    public static final ConfigKey<Long> MASTER_TARGET_PARTITION_SIZE = ConfigKey.sizeKey(
                    "master.target-partition-size",
                    64L << 20,
                    "Adjacent partitions smaller than this in all are read by one task (never leaving the cluster's slots idle).")
            .min(1L);
    public static final ConfigKey<Double> MASTER_SKEW_FACTOR = ConfigKey.doubleKey(
                    "master.skew-factor",
                    2.0,
                    "A partition this many times larger than its stage's median (and than master.skew-min-size) is skewed:"
                            + " a join splits it among several tasks.")
            .min(1.0)
            .max(1000.0);
    public static final ConfigKey<Long> MASTER_SKEW_MIN_SIZE = ConfigKey.sizeKey(
                    "master.skew-min-size", 4L << 20, "No partition smaller than this is treated as skewed.")
            .min(0L);

    public static final ConfigKey<Integer> WORKER_SLOTS = ConfigKey.intKey(
                    "worker.slots", 0, "Task attempts a worker runs at once; 0 means one per available processor.")
            .min(0)
            .max(4096);
    public static final ConfigKey<Duration> WORKER_HEARTBEAT_INTERVAL = ConfigKey.durationKey(
                    "worker.heartbeat-interval",
                    Duration.ofSeconds(1),
                    "How often workers heartbeat to the master (they also report at once when a task ends).")
            .min(Duration.ofMillis(10));
    public static final ConfigKey<Long> WORKER_SORT_BUFFER = ConfigKey.sizeKey(
                    "worker.sort-buffer",
                    64L << 20,
                    "Size of each map task's circular sort buffer; fuller than 80% it spills a sorted run to disk.")
            .min(4L << 10)
            .max((long) Integer.MAX_VALUE);
    public static final ConfigKey<Integer> WORKER_COMBINE_ENTRIES = ConfigKey.intKey(
                    "worker.combine-entries",
                    1 << 18,
                    "Distinct keys a map task with a combiner pre-aggregates in memory before draining them into the sort buffer.")
            .min(0);
    public static final ConfigKey<Long> WORKER_SHUFFLE_MEMORY = ConfigKey.sizeKey(
            "worker.shuffle-memory",
            128L << 20,
            "Fetched map output each reduce task keeps in memory; beyond it, segments go to local disk.");
    public static final ConfigKey<Integer> WORKER_FETCH_PARALLELISM = ConfigKey.intKey(
                    "worker.fetch-parallelism", 4, "Map outputs a reduce task fetches at once.")
            .min(1)
            .max(256);

    /** The master's keys, in the order {@code bin/cairn config} prints them. */
    public static final List<ConfigKey<?>> MASTER_KEYS = List.of(
            MASTER_WORKER_TIMEOUT,
            MASTER_SPLIT_SIZE,
            MASTER_LOCALITY_WAIT,
            MASTER_MAX_ATTEMPTS,
            MASTER_JOB_HISTORY,
            MASTER_SPECULATION,
            MASTER_SPECULATION_MULTIPLIER,
            MASTER_SPECULATION_MIN_RUNTIME,
            MASTER_ADAPTIVE,
            MASTER_RESPLIT_MIN_GAIN,
            MASTER_TARGET_PARTITION_SIZE,
            MASTER_SKEW_FACTOR,
            MASTER_SKEW_MIN_SIZE);
    /** The worker's keys, in the order {@code bin/cairn config} prints them. */
    public static final List<ConfigKey<?>> WORKER_KEYS = List.of(
            WORKER_SLOTS,
            WORKER_HEARTBEAT_INTERVAL,
            WORKER_SORT_BUFFER,
            WORKER_COMBINE_ENTRIES,
            WORKER_SHUFFLE_MEMORY,
            WORKER_FETCH_PARALLELISM);
}
