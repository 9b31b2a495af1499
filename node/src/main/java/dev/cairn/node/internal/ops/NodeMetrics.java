package dev.cairn.node.internal.ops;

import dev.cairn.batch.JobState;
import dev.cairn.batch.JobStatus;
import dev.cairn.batch.StageStatus;
import dev.cairn.batch.WorkerStatus;
import dev.cairn.common.time.Clock;
import dev.cairn.dataflow.StreamJobStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
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
 * A node's Prometheus metrics: the JVM's, plus on a master the state of its jobs. Cairn's gauges
 * read one snapshot of the masters' state, taken at most once a second whatever the scrape rate,
 * so scraping costs the master's loop one short call a second at most.
 *
 * <pre>
 * cairn_node_info{node, roles}                      1
 * cairn_batch_jobs{state}                           jobs the master remembers, by state
 * cairn_batch_tasks{state}                          tasks of those jobs: pending, running, done, stopped
 * cairn_batch_task_failures_total                   failed attempts of those jobs' tasks
 * cairn_batch_workers{state}                        workers by state: alive, dead
 * cairn_stream_jobs{state}                          stream jobs by state
 * cairn_stream_checkpoints_completed_total          checkpoints completed by the stream jobs it remembers
 * </pre>
 */
final class NodeMetrics implements AutoCloseable {
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
            Map<StreamJobStatus.State, Integer> streamJobs,
            long checkpoints) {
        static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of(), 0, Map.of(), Map.of(), 0);
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final OpsSources sources;
    private final Clock clock;
    private Snapshot snapshot = Snapshot.EMPTY;
    private long takenAtNanos;
    private boolean taken;

    NodeMetrics(OpsSources sources, Clock clock) {
        this.sources = sources;
        this.clock = clock;
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Gauge.builder("cairn.node.info", () -> 1)
                .description("This node: its id and roles")
                .tag("node", sources.nodeId())
                .tag("roles", String.join(",", sources.roles()))
                .register(registry);
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
        FunctionCounter.builder(
                        "cairn.stream.checkpoints.completed",
                        this,
                        m -> m.snapshot().checkpoints())
                .description("Checkpoints completed by the stream jobs the active master remembers")
                .register(registry);
    }

    /** The text exposition of every metric. */
    String scrape() {
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
            long checkpoints = 0;
            for (StreamJobStatus s : sources.streamJobs().get()) {
                streams.merge(s.state(), 1, Integer::sum);
                checkpoints += s.completedCheckpoints();
            }
            return new Snapshot(jobs, tasks, failures, workers, streams, checkpoints);
        } catch (RuntimeException e) {
            LOG.debug("cannot take a snapshot for the metrics", e);
            return snapshot;
        }
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
