package dev.cairn.dataflow.internal.operators;

import dev.cairn.dataflow.WatermarkStrategy;

/**
 * Bounded out-of-orderness watermarks with idleness, for one source subtask: the watermark is the
 * largest timestamp seen minus the bound minus one, and never decreases. Idleness is measured in
 * processing time: the generator is idle once {@code idleness} has passed since the last record
 * (or since it started), active again with the next record. Single-threaded; no clock of its
 * own, the caller passes the time.
 */
public final class WatermarkGenerator {
    private final long bound;
    private final long idlenessMillis;
    private long maxTimestamp = Long.MIN_VALUE;
    private long emitted = Long.MIN_VALUE;
    private long lastActivity;
    private boolean idle;

    public WatermarkGenerator(WatermarkStrategy strategy, long now) {
        this.bound = strategy.maxOutOfOrdernessMillis();
        this.idlenessMillis = strategy.idlenessMillis();
        this.lastActivity = now;
    }

    /**
     * Records a timestamp seen at processing time {@code now}.
     *
     * @return true if the generator was idle and is now active again
     */
    public boolean onEvent(long timestamp, long now) {
        if (timestamp > maxTimestamp) maxTimestamp = timestamp;
        lastActivity = now;
        if (idle) {
            idle = false;
            return true;
        }
        return false;
    }

    /** Records a timestamp without reading the clock (idleness then counts from the last tick). */
    public void onEvent(long timestamp) {
        if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    }

    /** The watermark to emit now, or {@code Long.MIN_VALUE} if it has not advanced since the last one. */
    public long nextWatermark() {
        if (maxTimestamp == Long.MIN_VALUE) return Long.MIN_VALUE;
        long candidate = maxTimestamp - bound - 1;
        if (candidate <= emitted) return Long.MIN_VALUE;
        emitted = candidate;
        return candidate;
    }

    /**
     * Checks idleness at processing time {@code now}.
     *
     * @return true if the generator has just become idle
     */
    public boolean checkIdle(long now) {
        if (idle || idlenessMillis == 0 || now - lastActivity < idlenessMillis) return false;
        idle = true;
        return true;
    }

    public boolean isIdle() {
        return idle;
    }

    /** The largest watermark emitted so far. */
    public long currentWatermark() {
        return emitted;
    }
}
