package dev.cairn.dataflow.internal.operators;

import java.util.concurrent.locks.LockSupport;

/**
 * A source subtask's share of a cap on records per second over all subtasks, measured on the
 * injected clock from the first call. A source asks {@link #allowance()} before a batch and
 * reports what it emitted with {@link #emitted}.
 */
final class SourceRateLimit {
    private final double perSubtask;
    private final OperatorContext context;
    private final int batch;
    private long startNanos = -1;
    private long emitted;

    /** @param maxPerSecond records a second over all subtasks; 0: no limit */
    SourceRateLimit(long maxPerSecond, OperatorContext context, int batch) {
        this.perSubtask = (double) maxPerSecond / context.parallelism();
        this.context = context;
        this.batch = batch;
    }

    /**
     * Records this subtask may emit now, at most a batch: its share of the cap times the time since
     * it started, less what it emitted. When none, it parks up to a millisecond, so an idle loop
     * does not spin.
     */
    int allowance() {
        if (perSubtask <= 0) return batch;
        long now = context.clock().nanos();
        if (startNanos < 0) startNanos = now;
        long due = (long) ((now - startNanos) * perSubtask / 1e9) + 1;
        long allowed = Math.min(batch, due - emitted);
        if (allowed <= 0) {
            long wait = (long) ((emitted - due + 1) * 1e9 / perSubtask);
            LockSupport.parkNanos(Math.min(wait, 1_000_000));
        }
        return (int) Math.max(0, allowed);
    }

    void emitted(int records) {
        emitted += records;
    }
}
