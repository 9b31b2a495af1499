package dev.cairn.dataflow;

import java.io.Serializable;
import java.time.Duration;

/**
 * How a stream's watermarks follow its timestamps. With bounded out-of-orderness {@code d} the
 * watermark is {@code maxTimestampSeen - d - 1}: a record is on time as long as it is at most
 * {@code d} older than the newest record before it. Watermarks are emitted every
 * {@link DataflowOptions#watermarkIntervalRecords()} records and on processing-time ticks, and
 * never go back.
 *
 * <p>With idleness {@code i}, a source subtask that has produced no record for {@code i} of
 * processing time declares itself idle: downstream operators stop waiting for its watermark until
 * it produces again. Plain data.
 *
 * @param idlenessMillis 0 for never idle
 */
public record WatermarkStrategy(long maxOutOfOrdernessMillis, long idlenessMillis) implements Serializable {
    public WatermarkStrategy {
        if (maxOutOfOrdernessMillis < 0)
            throw new IllegalArgumentException("out-of-orderness must not be negative: " + maxOutOfOrdernessMillis);
        if (idlenessMillis < 0) throw new IllegalArgumentException("idleness must not be negative: " + idlenessMillis);
    }

    public static WatermarkStrategy boundedOutOfOrderness(Duration maxOutOfOrderness) {
        return new WatermarkStrategy(maxOutOfOrderness.toMillis(), 0);
    }

    /** Timestamps never decrease: the watermark follows the latest one. */
    public static WatermarkStrategy monotonousTimestamps() {
        return new WatermarkStrategy(0, 0);
    }

    public WatermarkStrategy withIdleness(Duration idleness) {
        if (idleness.isZero() || idleness.isNegative())
            throw new IllegalArgumentException("idleness must be positive: " + idleness);
        return new WatermarkStrategy(maxOutOfOrdernessMillis, idleness.toMillis());
    }
}
