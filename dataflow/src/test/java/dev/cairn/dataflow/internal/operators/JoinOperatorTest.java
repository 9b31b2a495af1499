package dev.cairn.dataflow.internal.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.window.WindowAssigner;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class JoinOperatorTest {
    public record Order(String customer, long id) {}

    public record Payment(String customer, String method) {}

    @Test
    void windowJoinPairsRecordsOfTheSameKeyAndWindowWhenItFires() throws Exception {
        OperatorHarness<String> h = new OperatorHarness<>(new WindowJoinOperator.Factory<>(
                Order::customer,
                Payment::customer,
                Codecs.STRING,
                Codecs.record(Order.class),
                Codecs.record(Payment.class),
                WindowAssigner.tumbling(Duration.ofSeconds(10)),
                WindowJoinOperator.<String, Order, Payment, String>innerJoin((o, p) -> o.id() + "/" + p.method())));
        h.left(new Order("ann", 1), 1_000)
                .left(new Order("ann", 2), 9_000)
                .right(new Payment("ann", "card"), 2_000)
                .right(new Payment("ann", "cash"), 12_000) // next window
                .left(new Order("bob", 3), 3_000); // no payment: no output
        h.watermark(9_999);
        assertThat(h.drain())
                .containsExactly(
                        new OperatorHarness.Record("1/card", 9_999),
                        new OperatorHarness.Record("2/card", 9_999),
                        new OperatorHarness.Watermark(9_999));
        h.right(new Payment("ann", "late"), 5_000)
                .left(new Order("ann", 4), 15_000)
                .watermark(Long.MAX_VALUE);
        assertThat(h.drainValues()).containsExactly("4/cash");
        assertThat(((WindowJoinOperator<?, ?, ?, ?>) h.operator()).droppedLateRecords())
                .isEqualTo(1);
    }

    @Test
    void coGroupSeesEmptySides() throws Exception {
        OperatorHarness<String> h =
                new OperatorHarness<>(new WindowJoinOperator.Factory<String, Order, Payment, String>(
                        Order::customer,
                        Payment::customer,
                        Codecs.STRING,
                        Codecs.record(Order.class),
                        Codecs.record(Payment.class),
                        WindowAssigner.tumbling(Duration.ofSeconds(10)),
                        (key, window, orders, payments, out) -> {
                            int o = 0;
                            int p = 0;
                            for (Order ignored : orders) o++;
                            for (Payment ignored : payments) p++;
                            out.collect(key + " " + window.end() + " " + o + "/" + p);
                        }));
        h.left(new Order("ann", 1), 1_000)
                .right(new Payment("bob", "card"), 2_000)
                .watermark(Long.MAX_VALUE);
        assertThat(h.drainValues()).containsExactlyInAnyOrder("ann 10000 1/0", "bob 10000 0/1");
    }

    @Test
    void intervalJoinMatchesWithinTheBoundsInEitherArrivalOrder() throws Exception {
        OperatorHarness<String> h =
                new OperatorHarness<>(new IntervalJoinOperator.Factory<String, Order, Payment, String>(
                        Order::customer,
                        Payment::customer,
                        Codecs.STRING,
                        Codecs.record(Order.class),
                        Codecs.record(Payment.class),
                        -1_000,
                        2_000,
                        (order, payment, orderTs, paymentTs, out) ->
                                out.collect(order.id() + "/" + payment.method() + "@" + paymentTs)));
        h.right(new Payment("ann", "early"), 3_999).right(new Payment("ann", "lowest"), 4_000);
        h.left(new Order("ann", 1), 5_000);
        assertThat(h.drain()).containsExactly(new OperatorHarness.Record("1/lowest@4000", 5_000));
        h.right(new Payment("ann", "highest"), 7_000)
                .right(new Payment("ann", "too-late"), 7_001)
                .right(new Payment("bob", "other"), 5_000);
        assertThat(h.drain()).containsExactly(new OperatorHarness.Record("1/highest@7000", 7_000));
    }

    @Test
    void intervalJoinForgetsRecordsNoFutureRecordCanMatchAndDropsLateOnes() throws Exception {
        OperatorHarness<String> h =
                new OperatorHarness<>(new IntervalJoinOperator.Factory<String, Order, Payment, String>(
                        Order::customer,
                        Payment::customer,
                        Codecs.STRING,
                        Codecs.record(Order.class),
                        Codecs.record(Payment.class),
                        0,
                        1_000,
                        (order, payment, orderTs, paymentTs, out) -> out.collect(order.id() + "/" + payment.method())));
        h.left(new Order("ann", 1), 5_000).watermark(5_999);
        h.right(new Payment("ann", "in time"), 6_000);
        assertThat(h.drainValues()).containsExactly("1/in time");
        h.watermark(
                6_000); // order 1 can match nothing more: dropped; the payment too (no future order can be at or below
        // 6000)
        IntervalJoinOperator<?, ?, ?, ?> op = (IntervalJoinOperator<?, ?, ?, ?>) h.operator();
        assertThat(op.backend().tables().values())
                .allSatisfy(t -> assertThat(t.size()).isZero());
        h.left(new Order("ann", 2), 6_000);
        assertThat(op.droppedLateRecords()).isEqualTo(1);
    }
}
