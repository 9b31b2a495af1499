package dev.cairn.batch.internal.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A batch worker's meters:
 * <pre>
 * cairn_batch_task_attempts_total{outcome}     task attempts that ended here: succeeded, failed, killed
 * cairn_batch_shuffle_served_bytes_total       map output bytes this worker's shuffle server sent
 * cairn_batch_shuffle_fetched_bytes_total      map output bytes this worker's tasks fetched
 * cairn_batch_spilled_bytes_total              bytes of sorted runs this worker's map-side tasks wrote
 * cairn_batch_spills_total                     those runs (the final one of each task included)
 * </pre>
 * Spills and fetches are added when an attempt ends, shuffle bytes served per chunk sent: none of
 * them is on a per-record path.
 */
public final class WorkerMeters {
    /** How a task attempt ended on this worker. */
    public enum Outcome {
        SUCCEEDED,
        FAILED,
        KILLED
    }

    private final Map<Outcome, Counter> attempts = new EnumMap<>(Outcome.class);
    // Counted exactly in longs; the registry reads them when scraped.
    private final LongAdder shuffleServed = new LongAdder();
    private final LongAdder shuffleFetched = new LongAdder();
    private final LongAdder spilledBytes = new LongAdder();
    private final LongAdder spills = new LongAdder();

    public WorkerMeters(MeterRegistry registry) {
        for (Outcome o : Outcome.values()) {
            attempts.put(
                    o,
                    Counter.builder("cairn.batch.task.attempts")
                            .description("Task attempts that ended on this worker, by outcome")
                            .tag("outcome", o.name().toLowerCase(Locale.ROOT))
                            .register(registry));
        }
        FunctionCounter.builder("cairn.batch.shuffle.served", shuffleServed, LongAdder::sum)
                .description("Map output bytes this worker's shuffle server sent to reducers")
                .baseUnit("bytes")
                .register(registry);
        FunctionCounter.builder("cairn.batch.shuffle.fetched", shuffleFetched, LongAdder::sum)
                .description("Map output bytes this worker's tasks fetched, counted when each attempt ends")
                .baseUnit("bytes")
                .register(registry);
        FunctionCounter.builder("cairn.batch.spilled", spilledBytes, LongAdder::sum)
                .description(
                        "Bytes of sorted runs this worker's tasks spilled to local disk, counted when each attempt ends")
                .baseUnit("bytes")
                .register(registry);
        FunctionCounter.builder("cairn.batch.spills", spills, LongAdder::sum)
                .description("Sorted runs this worker's tasks spilled to local disk (each task's final one included)")
                .register(registry);
    }

    void shuffleServed(long bytes) {
        shuffleServed.add(bytes);
    }

    /** An attempt ended: its outcome, and the spills and shuffle fetches it made. */
    void attemptEnded(RunningTask task, Outcome outcome) {
        attempts.get(outcome).increment();
        spills.add(task.spills);
        spilledBytes.add(task.spilledBytes);
        shuffleFetched.add(task.shuffleBytes);
    }
}
