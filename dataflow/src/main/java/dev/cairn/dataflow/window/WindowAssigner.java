package dev.cairn.dataflow.window;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides which event-time windows a record belongs to. Plain data: the three kinds below.
 * Windows are aligned to the epoch (timestamp 0) plus an optional offset, so every subtask, and
 * every run, cuts the same windows.
 * <ul>
 *   <li>{@link Tumbling}: one window of {@code size} per record.
 *   <li>{@link Sliding}: windows of {@code size} starting every {@code slide}; a record belongs to
 *       {@code size / slide} of them (rounded up when slide does not divide size).
 *   <li>{@link Session}: a window {@code [ts, ts + gap)} per record, merged with every window it
 *       overlaps, so a session ends after {@code gap} without records of its key.
 * </ul>
 */
public sealed interface WindowAssigner extends Serializable {

    static Tumbling tumbling(Duration size) {
        return new Tumbling(size.toMillis(), 0);
    }

    static Sliding sliding(Duration size, Duration slide) {
        return new Sliding(size.toMillis(), slide.toMillis(), 0);
    }

    static Session session(Duration gap) {
        return new Session(gap.toMillis());
    }

    /** Whether windows of this kind merge (only sessions). */
    default boolean isMerging() {
        return false;
    }

    /** The windows holding a record with this timestamp, earliest start first. */
    List<TimeWindow> assignWindows(long timestamp);

    record Tumbling(long sizeMillis, long offsetMillis) implements WindowAssigner {
        public Tumbling {
            if (sizeMillis <= 0)
                throw new IllegalArgumentException("tumbling window size must be positive: " + sizeMillis);
            if (Math.abs(offsetMillis) >= sizeMillis)
                throw new IllegalArgumentException(
                        "offset " + offsetMillis + " must be smaller than the size " + sizeMillis);
        }

        /** Shifts the windows' alignment by {@code offset} (e.g. time zones, or -8h). */
        public Tumbling withOffset(Duration offset) {
            return new Tumbling(sizeMillis, offset.toMillis());
        }

        public long windowStart(long timestamp) {
            return TimeWindow.alignedStart(timestamp, offsetMillis, sizeMillis);
        }

        @Override
        public List<TimeWindow> assignWindows(long timestamp) {
            long start = windowStart(timestamp);
            return List.of(new TimeWindow(start, start + sizeMillis));
        }
    }

    record Sliding(long sizeMillis, long slideMillis, long offsetMillis) implements WindowAssigner {
        public Sliding {
            if (sizeMillis <= 0 || slideMillis <= 0)
                throw new IllegalArgumentException(
                        "sliding window size and slide must be positive: " + sizeMillis + ", " + slideMillis);
            if (Math.abs(offsetMillis) >= slideMillis)
                throw new IllegalArgumentException(
                        "offset " + offsetMillis + " must be smaller than the slide " + slideMillis);
        }

        public Sliding withOffset(Duration offset) {
            return new Sliding(sizeMillis, slideMillis, offset.toMillis());
        }

        @Override
        public List<TimeWindow> assignWindows(long timestamp) {
            List<TimeWindow> windows = new ArrayList<>((int) ((sizeMillis + slideMillis - 1) / slideMillis));
            long lastStart = TimeWindow.alignedStart(timestamp, offsetMillis, slideMillis);
            long first = lastStart;
            while (first - slideMillis > timestamp - sizeMillis) first -= slideMillis;
            for (long start = first; start <= lastStart; start += slideMillis)
                windows.add(new TimeWindow(start, start + sizeMillis));
            return windows;
        }
    }

    record Session(long gapMillis) implements WindowAssigner {
        public Session {
            if (gapMillis <= 0) throw new IllegalArgumentException("session gap must be positive: " + gapMillis);
        }

        @Override
        public boolean isMerging() {
            return true;
        }

        @Override
        public List<TimeWindow> assignWindows(long timestamp) {
            return List.of(new TimeWindow(timestamp, timestamp + gapMillis));
        }
    }
}
