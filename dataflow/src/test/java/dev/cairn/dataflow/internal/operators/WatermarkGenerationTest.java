package dev.cairn.dataflow.internal.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.dataflow.WatermarkStrategy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WatermarkGenerationTest {

    @Test
    void boundedOutOfOrdernessTrailsTheLargestTimestampAndNeverDecreases() {
        WatermarkGenerator g =
                new WatermarkGenerator(WatermarkStrategy.boundedOutOfOrderness(Duration.ofSeconds(5)), 0);
        assertThat(g.nextWatermark()).isEqualTo(Long.MIN_VALUE); // nothing seen yet
        g.onEvent(10_000);
        assertThat(g.nextWatermark()).isEqualTo(4_999);
        g.onEvent(8_000); // out of order, within the bound
        assertThat(g.nextWatermark()).isEqualTo(Long.MIN_VALUE); // unchanged: nothing to emit
        g.onEvent(12_000);
        assertThat(g.nextWatermark()).isEqualTo(6_999);
        assertThat(g.currentWatermark()).isEqualTo(6_999);
    }

    @Test
    void idlenessIsMeasuredInProcessingTimeAndEndsWithTheNextRecord() {
        WatermarkGenerator g =
                new WatermarkGenerator(WatermarkStrategy.monotonousTimestamps().withIdleness(Duration.ofSeconds(1)), 0);
        assertThat(g.checkIdle(999)).isFalse();
        assertThat(g.checkIdle(1_000)).isTrue();
        assertThat(g.checkIdle(2_000)).isFalse(); // already idle: reported once
        assertThat(g.onEvent(5, 2_100)).isTrue();
        assertThat(g.isIdle()).isFalse();
        assertThat(g.checkIdle(3_099)).isFalse();
        assertThat(g.checkIdle(3_100)).isTrue();
    }

    @Test
    void theOperatorStampsRecordsEmitsPeriodicallyAndGoesIdleOnTheClock() throws Exception {
        OperatorHarness<Long> h = new OperatorHarness<>(new TimestampsAndWatermarksOperator.Factory<Long>(
                v -> v,
                WatermarkStrategy.boundedOutOfOrderness(Duration.ofMillis(10)).withIdleness(Duration.ofSeconds(1))));
        // The harness emits a watermark every 4 records.
        h.element(100L, Output.NO_TIMESTAMP).element(130L, Output.NO_TIMESTAMP).element(120L, Output.NO_TIMESTAMP);
        assertThat(h.drain())
                .containsExactly(
                        new OperatorHarness.Record(100L, 100),
                        new OperatorHarness.Record(130L, 130),
                        new OperatorHarness.Record(120L, 120));
        h.element(125L, Output.NO_TIMESTAMP);
        assertThat(h.drain())
                .containsExactly(new OperatorHarness.Record(125L, 125), new OperatorHarness.Watermark(119));
        // Activity is seen on ticks: the records came before the tick at 500, so idle from 1500.
        h.advanceProcessingTime(500);
        assertThat(h.drain()).isEmpty();
        h.advanceProcessingTime(999);
        assertThat(h.drain()).isEmpty();
        h.advanceProcessingTime(1);
        assertThat(h.drain()).containsExactly(new OperatorHarness.Idleness(true));
        h.element(200L, Output.NO_TIMESTAMP);
        assertThat(h.drain())
                .containsExactly(new OperatorHarness.Idleness(false), new OperatorHarness.Record(200L, 200));
        h.advanceProcessingTime(10); // a tick emits what the records since the last watermark allow
        assertThat(h.drain()).containsExactly(new OperatorHarness.Watermark(189));
        h.watermark(50); // upstream watermarks are ignored ...
        assertThat(h.drain()).isEmpty();
        h.watermark(Long.MAX_VALUE); // ... except the end of input
        assertThat(h.drain()).containsExactly(new OperatorHarness.Watermark(Long.MAX_VALUE));
    }
}
