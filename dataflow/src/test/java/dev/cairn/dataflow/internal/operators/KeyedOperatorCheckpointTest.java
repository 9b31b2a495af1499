package dev.cairn.dataflow.internal.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.internal.operators.JoinOperatorTest.Order;
import dev.cairn.dataflow.internal.operators.JoinOperatorTest.Payment;
import dev.cairn.dataflow.internal.operators.KeyedProcessOperatorTest.Sessionizer;
import dev.cairn.dataflow.internal.operators.KeyedProcessOperatorTest.Visit;
import dev.cairn.dataflow.internal.runtime.KeyGroupRange;
import dev.cairn.dataflow.window.WindowAssigner;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Keyed process functions, window joins and interval joins checkpointed at every step of a
 * script and restored into fresh instances — at the same parallelism, and at others, each new
 * instance taking its key groups from every old one's snapshot — emit exactly what one
 * uninterrupted instance emits, at the same steps.
 */
class KeyedOperatorCheckpointTest {
    /** (before, after) parallelism of each restart tried at each step. */
    static final int[][] RESCALES = {{1, 1}, {1, 2}, {3, 1}, {2, 3}};

    static final List<String> KEYS = List.of("ann", "bob", "cy", "dee", "eve");

    private static void assertRestoresAnywhere(CheckpointRoundTrip<String> script) throws Exception {
        for (int[] rescale : RESCALES) {
            for (KeyGroupRange range : CheckpointRoundTrip.split(Math.max(rescale[0], rescale[1]))) {
                Set<String> owned = new HashSet<>();
                for (String k : KEYS) if (range.contains(script.keyGroupOf(k))) owned.add(k);
                assertThat(owned).as("keys of %s, so that state moves", range).isNotEmpty();
            }
        }
        List<CheckpointRoundTrip.Out> expected = script.run();
        assertThat(expected).isNotEmpty();
        for (int cut = 0; cut <= script.size(); cut++) {
            for (int[] rescale : RESCALES) {
                assertThat(script.run(cut, rescale[0], rescale[1]))
                        .as("checkpoint before step %d, parallelism %d then %d", cut, rescale[0], rescale[1])
                        .containsExactlyInAnyOrderElementsOf(expected);
            }
        }
    }

    @Test
    void keyedProcessStateAndBothKindsOfTimersSurviveARestore() throws Exception {
        CheckpointRoundTrip<String> script = new CheckpointRoundTrip<>(
                new KeyedProcessOperator.Factory<>(Visit::user, Codecs.STRING, new Sessionizer()), Codecs.STRING);
        script.element("ann", new Visit("ann", "home"), 1)
                .element("bob", new Visit("bob", "home"), 2)
                .element("cy", new Visit("cy", "event"), 3) // event-time timer at 103
                .element("ann", new Visit("ann", "cart"), 4)
                .element("dee", new Visit("dee", "wall"), 4) // processing-time timer at 1000
                .element("bob", new Visit("bob", "event"), 5) // 105
                .processingTime(500)
                .element("eve", new Visit("eve", "home"), 6)
                .element("ann", new Visit("ann", "event"), 7) // 107
                .watermark(104)
                .processingTime(600) // dee's timer
                .element("eve", new Visit("eve", "wall"), 8) // 2100
                .element("dee", new Visit("dee", "home"), 9)
                .watermark(106)
                .element("ann", new Visit("ann", "home"), 110)
                .element("cy", new Visit("cy", "home"), 111)
                .watermark(200)
                .processingTime(1_000) // eve's timer
                .element("eve", new Visit("eve", "event"), 201) // 301
                .element("dee", new Visit("dee", "event"), 202) // 302
                .element("cy", new Visit("cy", "event"), 203) // 303
                .watermark(Long.MAX_VALUE);
        assertRestoresAnywhere(script);
    }

    private static CheckpointRoundTrip<String> windowScript(WindowAssigner assigner, long lateness) {
        CheckpointRoundTrip<String> script = new CheckpointRoundTrip<>(
                new WindowOperator.Factory<>(
                        WindowOperatorTest.Event::key,
                        Codecs.STRING,
                        assigner,
                        lateness,
                        null,
                        WindowContents.buffering(
                                WindowOperatorTest.DESCRIBE, Codecs.record(WindowOperatorTest.Event.class))),
                Codecs.STRING);
        script.element("ann", new WindowOperatorTest.Event("ann", 1), 1_000)
                .element("bob", new WindowOperatorTest.Event("bob", 2), 2_000)
                .element("cy", new WindowOperatorTest.Event("cy", 3), 4_000)
                .element("ann", new WindowOperatorTest.Event("ann", 4), 6_000)
                .watermark(4_999)
                .element("dee", new WindowOperatorTest.Event("dee", 5), 7_000)
                .element("eve", new WindowOperatorTest.Event("eve", 6), 8_000)
                .watermark(9_999)
                .element("bob", new WindowOperatorTest.Event("bob", 7), 9_000) // late unless lateness covers it
                .element("cy", new WindowOperatorTest.Event("cy", 8), 12_000)
                .watermark(14_999)
                .element("dee", new WindowOperatorTest.Event("dee", 9), 16_000)
                .watermark(Long.MAX_VALUE);
        return script;
    }

    @Test
    void windowContentsAndTimersSurviveARestoreFromSeveralSnapshots() throws Exception {
        assertRestoresAnywhere(windowScript(WindowAssigner.tumbling(Duration.ofSeconds(5)), 0));
        assertRestoresAnywhere(
                windowScript(WindowAssigner.sliding(Duration.ofSeconds(10), Duration.ofSeconds(5)), 2_000));
        assertRestoresAnywhere(windowScript(WindowAssigner.session(Duration.ofSeconds(3)), 0));
    }

    @Test
    void windowJoinContentsAndWindowTimersSurviveARestore() throws Exception {
        CheckpointRoundTrip<String> script = new CheckpointRoundTrip<>(
                new WindowJoinOperator.Factory<String, Order, Payment, String>(
                        Order::customer,
                        Payment::customer,
                        Codecs.STRING,
                        Codecs.record(Order.class),
                        Codecs.record(Payment.class),
                        WindowAssigner.sliding(Duration.ofSeconds(10), Duration.ofSeconds(5)),
                        (key, window, orders, payments, out) -> {
                            StringBuilder s = new StringBuilder(key + " " + window.end() + ":");
                            for (Order o : orders) s.append(' ').append(o.id());
                            s.append(" /");
                            for (Payment p : payments) s.append(' ').append(p.method());
                            out.collect(s.toString());
                        }),
                Codecs.STRING);
        script.left("ann", new Order("ann", 1), 1_000)
                .right("ann", new Payment("ann", "card"), 2_000)
                .left("bob", new Order("bob", 2), 3_000)
                .right("cy", new Payment("cy", "cash"), 4_000)
                .left("ann", new Order("ann", 3), 6_000)
                .watermark(4_999)
                .right("dee", new Payment("dee", "iou"), 7_000)
                .left("eve", new Order("eve", 4), 8_000)
                .right("bob", new Payment("bob", "card"), 9_000)
                .watermark(9_999)
                .right("ann", new Payment("ann", "late"), 4_000) // late for both its windows
                .left("cy", new Order("cy", 5), 9_500) // late for one of its two windows
                .right("eve", new Payment("eve", "cash"), 12_000)
                .watermark(14_999)
                .left("dee", new Order("dee", 6), 16_000)
                .watermark(Long.MAX_VALUE);
        assertRestoresAnywhere(script);
    }

    @Test
    void intervalJoinBuffersAndCleanupTimersSurviveARestore() throws Exception {
        CheckpointRoundTrip<String> script = new CheckpointRoundTrip<>(
                new IntervalJoinOperator.Factory<String, Order, Payment, String>(
                        Order::customer,
                        Payment::customer,
                        Codecs.STRING,
                        Codecs.record(Order.class),
                        Codecs.record(Payment.class),
                        -1_000,
                        2_000,
                        (order, payment, orderTs, paymentTs, out) ->
                                out.collect(order.id() + "/" + payment.method() + "@" + orderTs + "," + paymentTs)),
                Codecs.STRING);
        script.right("ann", new Payment("ann", "early"), 3_999)
                .right("ann", new Payment("ann", "lowest"), 4_000)
                .left("bob", new Order("bob", 1), 4_500)
                .left("ann", new Order("ann", 2), 5_000)
                .right("cy", new Payment("cy", "cash"), 5_500)
                .left("cy", new Order("cy", 3), 6_000)
                .watermark(5_999) // drops ann's payments before 5_000 and nothing else
                .right("ann", new Payment("ann", "highest"), 7_000)
                .right("bob", new Payment("bob", "card"), 6_500)
                .left("dee", new Order("dee", 4), 7_500)
                .right("ann", new Payment("ann", "too-late"), 7_001)
                .watermark(7_000) // drops ann's order 2: its window has closed
                .right("ann", new Payment("ann", "unmatched"), 7_002)
                .right("dee", new Payment("dee", "iou"), 8_000)
                .left("eve", new Order("eve", 5), 6_000) // late
                .left("eve", new Order("eve", 6), 9_000)
                .right("eve", new Payment("eve", "card"), 10_000)
                .watermark(Long.MAX_VALUE);
        assertRestoresAnywhere(script);
    }

    @Test
    void aRestoredJoinKeepsItsWatermarkWhileTheRewoundInputsCatchUp() throws Exception {
        WindowJoinOperator.Factory<String, Order, Payment, String> factory = new WindowJoinOperator.Factory<>(
                Order::customer,
                Payment::customer,
                Codecs.STRING,
                Codecs.record(Order.class),
                Codecs.record(Payment.class),
                WindowAssigner.tumbling(Duration.ofSeconds(10)),
                WindowJoinOperator.<String, Order, Payment, String>innerJoin((o, p) -> o.id() + "/" + p.method()));
        OperatorHarness<String> before = new OperatorHarness<>(factory);
        before.left(new Order("ann", 1), 1_000).right(new Payment("ann", "card"), 2_000);
        before.watermark(9_999);
        assertThat(before.drainValues()).containsExactly("1/card");

        OperatorHarness<String> after =
                OperatorHarness.restored(factory, new KeyGroupRange(0, 127), List.of(before.snapshot(1)), 0);
        after.watermark(3_000); // the restarted timestamp assigner starts again below 9_999
        after.left(new Order("ann", 2), 5_000).right(new Payment("ann", "cash"), 6_000);
        after.watermark(Long.MAX_VALUE);
        assertThat(after.drain()).containsExactly(new OperatorHarness.Watermark(Long.MAX_VALUE));
        assertThat(((WindowJoinOperator<?, ?, ?, ?>) after.operator()).droppedLateRecords())
                .isEqualTo(2);
    }
}
