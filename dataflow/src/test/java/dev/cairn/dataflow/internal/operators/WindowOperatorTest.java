package dev.cairn.dataflow.internal.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.OutputTag;
import dev.cairn.dataflow.functions.ProcessWindowFunction;
import dev.cairn.dataflow.window.TimeWindow;
import dev.cairn.dataflow.window.WindowAssigner;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WindowOperatorTest {
    /** A keyed value: key, amount. */
    public record Event(String key, long amount) {}

    static final OutputTag<Event> LATE = new OutputTag<>("late", Codecs.record(Event.class));

    /** Emits "key window-start..window-end sum". */
    static final ProcessWindowFunction<Event, String, String> DESCRIBE = (key, context, elements, out) -> {
        long sum = 0;
        for (Event e : elements) sum += e.amount();
        out.collect(
                key + " " + context.window().start() + ".." + context.window().end() + " " + sum);
    };

    static OperatorHarness<String> harness(WindowAssigner assigner, long latenessMillis) throws Exception {
        return new OperatorHarness<>(new WindowOperator.Factory<>(
                Event::key,
                Codecs.STRING,
                assigner,
                latenessMillis,
                LATE,
                WindowContents.buffering(DESCRIBE, Codecs.record(Event.class))));
    }

    @Test
    void tumblingWindowFiresWhenTheWatermarkReachesItsEndMinusOneWithThatTimestamp() throws Exception {
        OperatorHarness<String> h = harness(WindowAssigner.tumbling(Duration.ofSeconds(10)), 0);
        h.element(new Event("a", 1), 1_000)
                .element(new Event("a", 2), 9_999)
                .element(new Event("b", 5), 5_000)
                .element(new Event("a", 4), 10_000);
        h.watermark(9_998);
        assertThat(h.drain()).containsExactly(new OperatorHarness.Watermark(9_998));
        h.watermark(9_999);
        assertThat(h.drain())
                .containsExactlyInAnyOrder(
                        new OperatorHarness.Record("a 0..10000 3", 9_999),
                        new OperatorHarness.Record("b 0..10000 5", 9_999),
                        new OperatorHarness.Watermark(9_999));
        h.watermark(Long.MAX_VALUE);
        assertThat(h.drainValues()).containsExactly("a 10000..20000 4");
        WindowOperator<?, ?, ?, ?> op = (WindowOperator<?, ?, ?, ?>) h.operator();
        assertThat(op.windowStateSize()).isZero();
    }

    @Test
    void incrementalAggregationKeepsOneAccumulatorPerKeyAndWindow() throws Exception {
        OperatorHarness<Long> h = new OperatorHarness<>(new WindowOperator.Factory<>(
                Event::key,
                Codecs.STRING,
                WindowAssigner.sliding(Duration.ofSeconds(10), Duration.ofSeconds(5)),
                0,
                null,
                WindowContents.<String, Event>reducing((x, y) -> new Event(x.key(), x.amount() + y.amount()))));
        h.element(new Event("a", 1), 1_000).element(new Event("a", 10), 6_000).element(new Event("a", 100), 12_000);
        WindowOperator<?, ?, ?, ?> op = (WindowOperator<?, ?, ?, ?>) h.operator();
        // [-5000, 5000), [0, 10000), [5000, 15000), [10000, 20000)
        assertThat(op.windowStateSize()).isEqualTo(4);
        h.watermark(Long.MAX_VALUE);
        assertThat(h.drainValues())
                .containsExactly(new Event("a", 1), new Event("a", 11), new Event("a", 110), new Event("a", 100));
    }

    @Test
    void sessionsMergeWhenARecordBridgesThem() throws Exception {
        OperatorHarness<String> h = harness(WindowAssigner.session(Duration.ofSeconds(5)), 0);
        h.element(new Event("a", 1), 1_000).element(new Event("a", 2), 10_000).element(new Event("b", 7), 3_000);
        WindowOperator<?, ?, ?, ?> op = (WindowOperator<?, ?, ?, ?>) h.operator();
        @SuppressWarnings("unchecked")
        WindowOperator<String, ?, ?, ?> typed = (WindowOperator<String, ?, ?, ?>) op;
        assertThat(typed.windowsOf("a").keySet())
                .containsExactlyInAnyOrder(new TimeWindow(1_000, 6_000), new TimeWindow(10_000, 15_000));
        h.element(new Event("a", 4), 5_500); // [5500, 10500) touches both
        assertThat(typed.windowsOf("a").keySet()).containsExactly(new TimeWindow(1_000, 15_000));
        h.watermark(7_999);
        assertThat(h.drainValues()).containsExactly("b 3000..8000 7");
        h.watermark(14_998);
        assertThat(h.drainValues()).isEmpty(); // the merged session's old timers were replaced
        h.watermark(14_999);
        assertThat(h.drainValues()).containsExactly("a 1000..15000 7");
    }

    @Test
    void lateRecordsGoToTheSideOutputWithoutLateness() throws Exception {
        OperatorHarness<String> h = harness(WindowAssigner.tumbling(Duration.ofSeconds(10)), 0);
        h.element(new Event("a", 1), 1_000).watermark(10_000);
        assertThat(h.drainValues()).containsExactly("a 0..10000 1");
        h.element(new Event("a", 2), 9_000);
        assertThat(h.drain()).containsExactly(new OperatorHarness.Side("late", new Event("a", 2), 9_000));
        h.element(new Event("a", 3), 10_001).watermark(Long.MAX_VALUE);
        assertThat(h.drainValues()).containsExactly("a 10000..20000 3");
    }

    @Test
    void allowedLatenessRefiresWithEveryRecordAndDropsStateAfterward() throws Exception {
        OperatorHarness<String> h = harness(WindowAssigner.tumbling(Duration.ofSeconds(10)), 5_000);
        h.element(new Event("a", 1), 1_000).watermark(9_999);
        assertThat(h.drainValues()).containsExactly("a 0..10000 1");
        h.element(new Event("a", 2), 2_000); // late but within lateness: fires again with everything
        assertThat(h.drain()).containsExactly(new OperatorHarness.Record("a 0..10000 3", 9_999));
        h.watermark(14_998).element(new Event("a", 4), 3_000);
        assertThat(h.drainValues()).containsExactly("a 0..10000 7");
        h.watermark(14_999); // cleanup time: end - 1 + lateness
        assertThat(h.drainValues()).isEmpty();
        h.element(new Event("a", 8), 4_000);
        assertThat(h.drain()).containsExactly(new OperatorHarness.Side("late", new Event("a", 8), 4_000));
    }

    @Test
    void aSlidingRecordLateForSomeWindowsOnlyIsNotLate() throws Exception {
        OperatorHarness<String> h = harness(WindowAssigner.sliding(Duration.ofSeconds(10), Duration.ofSeconds(5)), 0);
        h.watermark(9_999); // [0, 10000) has fired
        h.drain();
        h.element(new Event("a", 1), 7_000); // in [0, 10000) (late) and [5000, 15000) (on time)
        assertThat(h.drain()).isEmpty();
        h.watermark(Long.MAX_VALUE);
        assertThat(h.drainValues()).containsExactly("a 5000..15000 1");
    }

    @Test
    void aWindowEndingPastTheLastTimestampIsRejected() throws Exception {
        OperatorHarness<String> h = harness(WindowAssigner.tumbling(Duration.ofSeconds(10)), 0);
        h.watermark(Long.MAX_VALUE - 1);
        assertThatThrownBy(() -> h.element(new Event("a", 1), Long.MAX_VALUE - 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not after start");
    }

    @Test
    void recordsWithoutTimestampsAreRejected() throws Exception {
        OperatorHarness<String> h = harness(WindowAssigner.tumbling(Duration.ofSeconds(10)), 0);
        assertThatThrownBy(() -> h.element(new Event("a", 1), Output.NO_TIMESTAMP))
                .hasMessageContaining("assignTimestamps");
    }

    @Test
    void windowFunctionSeesTheWatermarkAndCanWriteSideOutputs() throws Exception {
        OutputTag<String> audit = new OutputTag<>("audit", Codecs.STRING);
        OperatorHarness<String> h = new OperatorHarness<>(new WindowOperator.Factory<>(
                Event::key,
                Codecs.STRING,
                WindowAssigner.tumbling(Duration.ofSeconds(1)),
                0,
                null,
                WindowContents.<String, Event, String>buffering(
                        (key, context, elements, out) -> {
                            context.output(audit, key + "@" + context.currentWatermark());
                            out.collect(key);
                        },
                        Codecs.record(Event.class))));
        h.element(new Event("k", 1), 10).watermark(5_000);
        assertThat(h.drain())
                .containsExactly(
                        new OperatorHarness.Side("audit", "k@5000", 999),
                        new OperatorHarness.Record("k", 999),
                        new OperatorHarness.Watermark(5_000));
    }
}
