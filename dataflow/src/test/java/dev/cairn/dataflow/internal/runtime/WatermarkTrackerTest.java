package dev.cairn.dataflow.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WatermarkTrackerTest {
    static final long NONE = Long.MIN_VALUE;

    @Test
    void combinedWatermarkIsTheMinimumOverChannels() {
        WatermarkTracker t = new WatermarkTracker(3);
        assertThat(t.onWatermark(0, 100)).isEqualTo(NONE);
        assertThat(t.onWatermark(1, 50)).isEqualTo(NONE);
        assertThat(t.onWatermark(2, 70)).isEqualTo(50);
        assertThat(t.onWatermark(1, 200)).isEqualTo(70);
        assertThat(t.onWatermark(2, 300)).isEqualTo(100);
        assertThat(t.combinedWatermark()).isEqualTo(100);
    }

    @Test
    void neverGoesBackNotEvenWhenAChannelDoes() {
        WatermarkTracker t = new WatermarkTracker(2);
        t.onWatermark(0, 100);
        assertThat(t.onWatermark(1, 100)).isEqualTo(100);
        assertThat(t.onWatermark(0, 40)).isEqualTo(NONE); // a channel's own watermark does not regress either
        assertThat(t.onWatermark(1, 150)).isEqualTo(NONE);
        assertThat(t.onWatermark(0, 120)).isEqualTo(120);
    }

    @Test
    void idleChannelsDoNotHoldTheWatermarkBackUntilTheyResume() {
        WatermarkTracker t = new WatermarkTracker(2);
        t.onWatermark(0, 100);
        assertThat(t.onIdleness(1, true)).isEqualTo(100);
        assertThat(t.isIdle()).isFalse();
        assertThat(t.onWatermark(0, 200)).isEqualTo(200);
        // Channel 1 resumes behind: the combined watermark stays, and waits for it.
        assertThat(t.onWatermark(1, 150)).isEqualTo(NONE);
        assertThat(t.onWatermark(0, 400)).isEqualTo(NONE);
        assertThat(t.onWatermark(1, 300)).isEqualTo(300);
    }

    @Test
    void allChannelsIdleMeansIdleAtTheFurthestWatermarkAnyReached() {
        WatermarkTracker t = new WatermarkTracker(2);
        t.onWatermark(0, 10);
        assertThat(t.onIdleness(0, true)).isEqualTo(NONE); // channel 1 (no watermark yet) still holds it back
        assertThat(t.onIdleness(1, true)).isEqualTo(10);
        assertThat(t.isIdle()).isTrue();
        assertThat(t.onIdleness(1, false)).isEqualTo(NONE);
        assertThat(t.isIdle()).isFalse();
        assertThat(t.onWatermark(1, 5)).isEqualTo(NONE); // behind: the combined watermark stays at 10
    }

    @Test
    void endedChannelsCountAsTheEndOfTime() {
        WatermarkTracker t = new WatermarkTracker(2);
        t.onWatermark(0, 10);
        assertThat(t.onEnd(1)).isEqualTo(10);
        assertThat(t.allEnded()).isFalse();
        assertThat(t.onEnd(0)).isEqualTo(Long.MAX_VALUE);
        assertThat(t.allEnded()).isTrue();
        assertThat(t.isIdle()).isFalse();
    }
}
