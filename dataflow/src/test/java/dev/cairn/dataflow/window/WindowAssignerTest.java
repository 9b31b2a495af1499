package dev.cairn.dataflow.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WindowAssignerTest {

    @Test
    void tumblingWindowsAreAlignedToTheEpoch() {
        WindowAssigner.Tumbling tumbling = WindowAssigner.tumbling(Duration.ofSeconds(10));
        assertThat(tumbling.assignWindows(0)).containsExactly(new TimeWindow(0, 10_000));
        assertThat(tumbling.assignWindows(9_999)).containsExactly(new TimeWindow(0, 10_000));
        assertThat(tumbling.assignWindows(10_000)).containsExactly(new TimeWindow(10_000, 20_000));
        assertThat(tumbling.assignWindows(1_704_067_201_234L))
                .containsExactly(new TimeWindow(1_704_067_200_000L, 1_704_067_210_000L));
    }

    @Test
    void negativeTimestampsFallInTheWindowBelowZero() {
        WindowAssigner.Tumbling tumbling = WindowAssigner.tumbling(Duration.ofSeconds(10));
        assertThat(tumbling.assignWindows(-1)).containsExactly(new TimeWindow(-10_000, 0));
        assertThat(tumbling.assignWindows(-10_000)).containsExactly(new TimeWindow(-10_000, 0));
        assertThat(tumbling.assignWindows(-10_001)).containsExactly(new TimeWindow(-20_000, -10_000));
    }

    @Test
    void offsetsShiftTheAlignment() {
        WindowAssigner.Tumbling hourly =
                WindowAssigner.tumbling(Duration.ofHours(1)).withOffset(Duration.ofMinutes(15));
        assertThat(hourly.assignWindows(0)).containsExactly(new TimeWindow(-45 * 60_000L, 15 * 60_000L));
        assertThat(hourly.assignWindows(15 * 60_000L)).containsExactly(new TimeWindow(15 * 60_000L, 75 * 60_000L));
        WindowAssigner.Sliding sliding = WindowAssigner.sliding(Duration.ofSeconds(10), Duration.ofSeconds(5))
                .withOffset(Duration.ofSeconds(1));
        assertThat(sliding.assignWindows(0))
                .containsExactly(new TimeWindow(-9_000, 1_000), new TimeWindow(-4_000, 6_000));
    }

    @Test
    void aSlidingRecordBelongsToSizeOverSlideWindowsThatAllContainIt() {
        WindowAssigner.Sliding sliding = WindowAssigner.sliding(Duration.ofSeconds(10), Duration.ofSeconds(2));
        for (long ts : new long[] {0, 1, 1_999, 2_000, 12_345, -1, -2_000, -7_777}) {
            assertThat(sliding.assignWindows(ts)).hasSize(5).allSatisfy(w -> {
                assertThat(w.start()).isLessThanOrEqualTo(ts);
                assertThat(w.end()).isGreaterThan(ts);
                assertThat(Math.floorMod(w.start(), 2_000)).isZero();
                assertThat(w.end() - w.start()).isEqualTo(10_000);
            });
        }
        assertThat(sliding.assignWindows(5))
                .extracting(TimeWindow::start)
                .containsExactly(-8_000L, -6_000L, -4_000L, -2_000L, 0L);
    }

    @Test
    void slidesThatDoNotDivideTheSizeRoundUp() {
        WindowAssigner.Sliding sliding = WindowAssigner.sliding(Duration.ofMillis(10), Duration.ofMillis(3));
        assertThat(sliding.assignWindows(9))
                .containsExactly(
                        new TimeWindow(0, 10), new TimeWindow(3, 13), new TimeWindow(6, 16), new TimeWindow(9, 19));
        assertThat(sliding.assignWindows(10))
                .containsExactly(new TimeWindow(3, 13), new TimeWindow(6, 16), new TimeWindow(9, 19));
    }

    @Test
    void sessionWindowsStartAtTheRecordAndMerge() {
        WindowAssigner.Session session = WindowAssigner.session(Duration.ofSeconds(5));
        assertThat(session.isMerging()).isTrue();
        TimeWindow a = session.assignWindows(1_000).get(0);
        TimeWindow b = session.assignWindows(4_000).get(0);
        TimeWindow c = session.assignWindows(20_000).get(0);
        assertThat(a).isEqualTo(new TimeWindow(1_000, 6_000));
        assertThat(a.intersects(b)).isTrue();
        assertThat(a.cover(b)).isEqualTo(new TimeWindow(1_000, 9_000));
        assertThat(a.cover(b).intersects(c)).isFalse();
        assertThat(a.maxTimestamp()).isEqualTo(5_999);
    }

    @Test
    void invalidWindowsAreRejected() {
        assertThatThrownBy(() -> WindowAssigner.tumbling(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WindowAssigner.sliding(Duration.ofSeconds(1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WindowAssigner.tumbling(Duration.ofSeconds(1)).withOffset(Duration.ofSeconds(1)))
                .hasMessageContaining("offset");
        assertThatThrownBy(() -> new TimeWindow(5, 5)).hasMessageContaining("not after start");
    }
}
