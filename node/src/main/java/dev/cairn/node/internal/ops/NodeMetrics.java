package dev.cairn.node.internal.ops;

import dev.cairn.batch.JobState;
import dev.cairn.batch.JobStatus;
import dev.cairn.batch.StageStatus;
import dev.cairn.batch.WorkerStatus;
import dev.cairn.common.time.Clock;
import dev.cairn.dataflow.StreamJobStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's Prometheus metrics: one registry per node (never a static one: tests run several nodes
 * in one JVM), which the node hands to every part it starts, scraped at {@code /metrics}. Names
 * follow Prometheus' conventions: base units (seconds, bytes), counters end in {@code _total},
 * labels are few-valued (never a task, block or job id).
 *
 * <pre>
 * every node
 *   jvm_*, process_*, system_*                  the JVM: memory, GC, threads, classes, CPU, uptime
 *   cairn_node_info{node, roles}                1
 *   cairn_rpc_server_seconds{service, method, status}   calls its RPC server answered (histogram)
 * coord role
 *   cairn_coord_requests_total{type}            client requests by type: create, getData, setData, multi, ...
 *   cairn_coord_request_seconds{type}           time from reading a request to answering it (histogram)
 *   cairn_coord_leader                          1 while this member leads the Raft group
 *   cairn_coord_last_zxid                       zxid of the last change applied here
 *   cairn_coord_last_applied_index              Raft log index of the last entry applied here
 *   cairn_coord_log_flush_seconds               Raft log flushes (fsync) and their time (count, sum)
 *   cairn_coord_sessions                        sessions open in the group
 *   cairn_coord_connected_sessions              sessions whose client is connected here
 *   cairn_coord_watches                         watches set by clients connected here
 * store role
 *   cairn_store_read_bytes_total                block data sent to readers
 *   cairn_store_written_bytes_total             block data received and stored
 *   cairn_store_blocks, cairn_store_used_bytes  finalized blocks held and their bytes
 *   cairn_store_under_replicated_blocks         at the replication monitor's last scan (*)
 *   cairn_store_missing_blocks                  blocks with no live replica, likewise (*)
 *   cairn_store_repair_queue                    repair actions that scan planned (*)
 *   cairn_store_scrubbed_blocks_total, cairn_store_scrubbed_bytes_total   scrubber progress
 *   cairn_store_scrub_corrupt_blocks_total      corrupt blocks the scrubber found
 * worker role
 *   cairn_batch_task_attempts_total{outcome}    attempts ended here: succeeded, failed, killed
 *   cairn_batch_shuffle_served_bytes_total      map output sent to reducers
 *   cairn_batch_shuffle_fetched_bytes_total     map output fetched by tasks here
 *   cairn_batch_spilled_bytes_total, cairn_batch_spills_total   sorted runs spilled to local disk
 *   cairn_stream_records_in_total, cairn_stream_records_out_total   records through the operators of stream subtasks here
 *   cairn_stream_backpressure_seconds_total     time stream subtasks were blocked on full output channels
 * master role (the active master; a standby's read 0)
 *   cairn_batch_jobs{state}                     batch jobs the master remembers, by state
 *   cairn_batch_tasks{state}                    their tasks: pending, running, done, stopped
 *   cairn_batch_task_failures_total             failed attempts of those jobs' tasks
 *   cairn_batch_workers{state}                  workers: alive, dead
 *   cairn_stream_jobs{state}                    stream jobs by state
 *   cairn_stream_checkpoints_total{outcome}     checkpoints completed or failed while this master was active
 *   cairn_stream_checkpoint_seconds             checkpoint duration, trigger to completion (histogram)
 *   cairn_stream_checkpoint_size_bytes          state bytes per completed checkpoint (histogram)
 * </pre>
 * (*) on the store node elected to run the replication monitor; 0 on the others.
 *
 * <p>The master's job gauges read one snapshot of its state, taken at most once a second
 * whatever the scrape rate, so scraping costs the master's loop one short call a second at most.
 */
public final class NodeMetrics implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeMetrics.class);
    private static final long SNAPSHOT_TTL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final List<String> TASK_STATES = List.of("pending", "running", "done", "stopped");
    private static final List<String> WORKER_STATES = List.of("alive", "dead");

    /** What the gauges read: one snapshot of the masters' state. */
    private record Snapshot(
            Map<JobState, Integer> batchJobs,
            Map<String, Long> tasks,
            long taskFailures,
            Map<String, Integer> workers,
            Map<StreamJobStatus.State, Integer> streamJobs) {
        static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of(), 0, Map.of(), Map.of());
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    /** Set once by {@link #bind}; read by the master's gauges, which exist only after it. */
    private OpsSources sources;

    private Clock clock;
    private Snapshot snapshot = Snapshot.EMPTY;
    private long takenAtNanos;
    private boolean taken;

    /** A registry with the JVM's meters and the node's info; parts add theirs as the node starts them. */
    public NodeMetrics(String nodeId, List<String> roles) {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Gauge.builder("cairn.node.info", () -> 1)
                .description("This node: its id and roles")
                .tag("node", nodeId)
                .tag("roles", String.join(",", roles))
                .register(registry);
    }

    /** The node's one registry, for the parts it starts to record into. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Adds, on a master, the gauges read from its state through {@code sources}; once. */
    synchronized void bind(OpsSources sources, Clock clock) {
        if (this.sources != null) throw new IllegalStateException("node metrics already bound");
        this.sources = sources;
        this.clock = clock;
        if (sources.isMaster()) registerMasterMetrics();
    }

    private void registerMasterMetrics() {
        for (JobState s : JobState.values()) {
            Gauge.builder(
                            "cairn.batch.jobs",
                            this,
                            m -> m.snapshot().batchJobs().getOrDefault(s, 0))
                    .description("Batch jobs the active master remembers, by state")
                    .tag("state", s.name().toLowerCase(java.util.Locale.ROOT))
                    .register(registry);
        }
        for (String s : TASK_STATES) {
            Gauge.builder("cairn.batch.tasks", this, m -> m.snapshot().tasks().getOrDefault(s, 0L))
                    .description("Tasks of the batch jobs the active master remembers, by state")
                    .tag("state", s)
                    .register(registry);
        }
        FunctionCounter.builder(
                        "cairn.batch.task.failures", this, m -> m.snapshot().taskFailures())
                .description("Failed task attempts of the batch jobs the active master remembers")
                .register(registry);
        for (String s : WORKER_STATES) {
            Gauge.builder(
                            "cairn.batch.workers",
                            this,
                            m -> m.snapshot().workers().getOrDefault(s, 0))
                    .description("Workers the active master has heard of, by state")
                    .tag("state", s)
                    .register(registry);
        }
        for (StreamJobStatus.State s : StreamJobStatus.State.values()) {
            Gauge.builder(
                            "cairn.stream.jobs",
                            this,
                            m -> m.snapshot().streamJobs().getOrDefault(s, 0))
                    .description("Stream jobs the active master remembers, by state")
                    .tag("state", s.name().toLowerCase(java.util.Locale.ROOT))
                    .register(registry);
        }
    }

    /** The text exposition of every metric. */
    public String scrape() {
        return registry.scrape();
    }

    private synchronized Snapshot snapshot() {
        long now = clock.nanos();
        if (taken && now - takenAtNanos < SNAPSHOT_TTL_NANOS) return snapshot;
        taken = true;
        takenAtNanos = now;
        snapshot = sources.isActiveMaster() ? take() : Snapshot.EMPTY;
        return snapshot;
    }

    private Snapshot take() {
        try {
            Map<JobState, Integer> jobs = new EnumMap<>(JobState.class);
            Map<String, Long> tasks = new java.util.HashMap<>();
            long failures = 0;
            for (JobStatus j : sources.batch().jobs()) {
                jobs.merge(j.state(), 1, Integer::sum);
                for (StageStatus s : j.stages()) {
                    tasks.merge("pending", (long) s.pending(), Long::sum);
                    tasks.merge("running", (long) s.running(), Long::sum);
                    tasks.merge("done", (long) s.done(), Long::sum);
                    tasks.merge("stopped", (long) s.stopped(), Long::sum);
                    failures += s.failed();
                }
            }
            Map<String, Integer> workers = new java.util.HashMap<>();
            for (WorkerStatus w : sources.batch().workers())
                workers.merge(w.state().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum);
            Map<StreamJobStatus.State, Integer> streams = new EnumMap<>(StreamJobStatus.State.class);
            for (StreamJobStatus s : sources.streamJobs().get()) streams.merge(s.state(), 1, Integer::sum);
            return new Snapshot(jobs, tasks, failures, workers, streams);
        } catch (RuntimeException e) {
            LOG.debug("cannot take a snapshot for the metrics", e);
            return snapshot;
        }
    }

    /** Idempotent: the node and its HTTP server may both close it. */
    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
