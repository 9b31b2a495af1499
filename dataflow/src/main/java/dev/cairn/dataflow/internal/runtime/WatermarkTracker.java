package dev.cairn.dataflow.internal.runtime;

import java.util.Arrays;

/**
 * The event time of a subtask with several input channels: the minimum of the channels'
 * watermarks, leaving out idle channels (they do not hold event time back) and counting ended
 * ones as {@code Long.MAX_VALUE}; when every channel is idle, the largest of their watermarks. The combined watermark never decreases: a channel that comes
 * back from idleness behind it does not move it back. The subtask is idle when every channel
 * that has not ended is idle. Single-threaded.
 */
public final class WatermarkTracker {
    private final long[] watermarks;
    private final boolean[] idle;
    private final boolean[] ended;
    private int endedCount;
    private long combined = Long.MIN_VALUE;

    public WatermarkTracker(int channels) {
        watermarks = new long[channels];
        Arrays.fill(watermarks, Long.MIN_VALUE);
        idle = new boolean[channels];
        ended = new boolean[channels];
    }

    /**
     * A channel's watermark (a watermark means the channel is active).
     *
     * @return the new combined watermark if it advanced, else {@code Long.MIN_VALUE}
     */
    public long onWatermark(int channel, long watermark) {
        if (watermark > watermarks[channel]) watermarks[channel] = watermark;
        idle[channel] = false;
        return advance();
    }

    /** A channel went idle or active; returns as {@link #onWatermark}. */
    public long onIdleness(int channel, boolean isIdle) {
        idle[channel] = isIdle;
        return advance();
    }

    /** A channel ended; returns as {@link #onWatermark}. */
    public long onEnd(int channel) {
        if (!ended[channel]) {
            ended[channel] = true;
            endedCount++;
        }
        watermarks[channel] = Long.MAX_VALUE;
        idle[channel] = false;
        return advance();
    }

    private long advance() {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        boolean anyActive = false;
        for (int i = 0; i < watermarks.length; i++) {
            if (watermarks[i] > max) max = watermarks[i];
            if (idle[i]) continue;
            anyActive = true;
            if (watermarks[i] < min) min = watermarks[i];
        }
        // With every channel idle, event time moves to the furthest any channel got (as Flink's
        // StatusWatermarkValve does): what was promised before going idle still holds.
        long candidate = anyActive ? min : max;
        if (candidate <= combined) return Long.MIN_VALUE;
        combined = candidate;
        return candidate;
    }

    public long combinedWatermark() {
        return combined;
    }

    /** Every channel that has not ended is idle (and at least one has not ended). */
    public boolean isIdle() {
        if (endedCount == watermarks.length) return false;
        for (int i = 0; i < watermarks.length; i++) if (!ended[i] && !idle[i]) return false;
        return true;
    }

    public boolean allEnded() {
        return endedCount == watermarks.length;
    }
}
