package dev.cairn.dataflow.window;

/**
 * The half-open event-time interval {@code [start, end)} in milliseconds. A window fires when the
 * watermark reaches {@link #maxTimestamp()}, i.e. {@code end - 1}.
 */
public record TimeWindow(long start, long end) implements Comparable<TimeWindow> {
    public TimeWindow {
        if (end <= start) throw new IllegalArgumentException("window end " + end + " not after start " + start);
    }

    /** The largest timestamp in the window: {@code end - 1}. */
    public long maxTimestamp() {
        return end - 1;
    }

    public boolean intersects(TimeWindow other) {
        return start <= other.end && other.start <= end;
    }

    /** The smallest window covering both. */
    public TimeWindow cover(TimeWindow other) {
        return new TimeWindow(Math.min(start, other.start), Math.max(end, other.end));
    }

    @Override
    public int compareTo(TimeWindow o) {
        int c = Long.compare(start, o.start);
        return c != 0 ? c : Long.compare(end, o.end);
    }

    /**
     * The start of the window of length {@code size} (aligned to the epoch plus {@code offset})
     * that contains {@code timestamp}; correct for negative timestamps.
     */
    public static long alignedStart(long timestamp, long offset, long size) {
        return timestamp - Math.floorMod(timestamp - offset, size);
    }
}
