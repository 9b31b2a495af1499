package dev.cairn.dataflow.internal.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** The stream runtime's meters, on a worker ({@link Worker}) and on a master ({@link Master}). */
public final class StreamMeters {
    private StreamMeters() {}

    /**
     * A stream worker's totals over every run it has had, the running ones included:
     * <pre>
     * cairn_stream_records_in_total               records taken in by the operators of its subtasks (summed over operators)
     * cairn_stream_records_out_total              records emitted by those operators
     * cairn_stream_backpressure_seconds_total     time its subtasks spent blocked on full output channels
     * </pre>
     * The record path counts in the subtasks' own plain counters ({@code SubtaskMetrics}), as
     * before; these counters only add them up when scraped, so the record path pays nothing more.
     * Per-job and per-operator rates are in the REST API and {@code job status}.
     */
    public static final class Worker {
        private final Set<DeployedRun> live = new HashSet<>();
        private long retiredIn;
        private long retiredOut;
        private long retiredBlockedNanos;

        public Worker(MeterRegistry registry) {
            FunctionCounter.builder("cairn.stream.records.in", this, w -> w.total(0))
                    .description(
                            "Records taken in by the operators of this worker's stream subtasks, summed over operators")
                    .register(registry);
            FunctionCounter.builder("cairn.stream.records.out", this, w -> w.total(1))
                    .description(
                            "Records emitted by the operators of this worker's stream subtasks, summed over operators")
                    .register(registry);
            FunctionCounter.builder(
                            "cairn.stream.backpressure", this, w -> w.total(2) / (double) TimeUnit.SECONDS.toNanos(1))
                    .description("Time this worker's stream subtasks spent blocked on full output channels")
                    .baseUnit("seconds")
                    .register(registry);
        }

        synchronized void started(DeployedRun run) {
            live.add(run);
        }

        /** The run's subtasks have all ended: its final counts join the totals. */
        synchronized void ended(DeployedRun run) {
            if (!live.remove(run)) return;
            long[] t = run.totals();
            retiredIn += t[0];
            retiredOut += t[1];
            retiredBlockedNanos += t[2];
        }

        private synchronized long total(int which) {
            long sum = which == 0 ? retiredIn : which == 1 ? retiredOut : retiredBlockedNanos;
            for (DeployedRun r : live) sum += r.totals()[which];
            return sum;
        }
    }

    /**
     * A stream master's checkpoints, over every job it ran while active:
     * <pre>
     * cairn_stream_checkpoints_total{outcome}     completed, failed (declined by a subtask or timed out)
     * cairn_stream_checkpoint_seconds             from trigger to completion (histogram)
     * cairn_stream_checkpoint_size_bytes          state bytes of each completed checkpoint (histogram)
     * </pre>
     * Recorded on the master's loop thread, once per checkpoint.
     */
    public static final class Master {
        private static final Duration[] DURATION_BUCKETS = {
            Duration.ofMillis(10),
            Duration.ofMillis(50),
            Duration.ofMillis(100),
            Duration.ofMillis(250),
            Duration.ofMillis(500),
            Duration.ofSeconds(1),
            Duration.ofSeconds(5),
            Duration.ofSeconds(30),
            Duration.ofMinutes(2)
        };
        private static final double[] SIZE_BUCKETS = {
            1 << 10, 64 << 10, 1 << 20, 16 << 20, 256 << 20, 1L << 30, 16L << 30
        };

        private final Counter completed;
        private final Counter failed;
        private final Timer duration;
        private final DistributionSummary size;

        public Master(MeterRegistry registry) {
            completed = outcome(registry, "completed");
            failed = outcome(registry, "failed");
            duration = Timer.builder("cairn.stream.checkpoint")
                    .description("Time from a checkpoint's trigger to its completion")
                    .serviceLevelObjectives(DURATION_BUCKETS)
                    .register(registry);
            size = DistributionSummary.builder("cairn.stream.checkpoint.size")
                    .description("State bytes of each completed checkpoint")
                    .baseUnit("bytes")
                    .serviceLevelObjectives(SIZE_BUCKETS)
                    .register(registry);
        }

        private static Counter outcome(MeterRegistry registry, String outcome) {
            return Counter.builder("cairn.stream.checkpoints")
                    .description("Checkpoints the active stream master ended, by outcome")
                    .tag("outcome", outcome)
                    .register(registry);
        }

        void completed(long nanos, long bytes) {
            completed.increment();
            duration.record(nanos, TimeUnit.NANOSECONDS);
            size.record((double) bytes);
        }

        void failed() {
            failed.increment();
        }
    }
}
