package dev.cairn.dataflow.internal.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.functions.Collector;
import dev.cairn.dataflow.functions.KeyedProcessFunction;
import dev.cairn.dataflow.internal.runtime.KeyGroupRange;
import dev.cairn.dataflow.internal.runtime.KeyGroups;
import dev.cairn.dataflow.state.KeyedStateStore;
import dev.cairn.dataflow.state.ListState;
import dev.cairn.dataflow.state.MapState;
import dev.cairn.dataflow.state.StateDescriptor;
import dev.cairn.dataflow.state.ValueState;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyedProcessOperatorTest {
    public record Visit(String user, String page) {}

    /** Per user: visit count, pages in order, visits per page; a summary on a timer. */
    static final class Sessionizer extends KeyedProcessFunction<String, Visit, String> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<Long> count;
        private transient ListState<String> pages;
        private transient MapState<String, Long> perPage;

        @Override
        public void open(KeyedStateStore store) {
            count = store.valueState(StateDescriptor.value("count", Codecs.LONG));
            pages = store.listState(StateDescriptor.list("pages", Codecs.STRING));
            perPage = store.mapState(StateDescriptor.map("per-page", Codecs.STRING, Codecs.LONG));
        }

        @Override
        public void processElement(Visit visit, Context<String, String> context, Collector<String> out) {
            Long c = count.value();
            count.update(c == null ? 1 : c + 1);
            pages.add(visit.page());
            Long p = perPage.get(visit.page());
            perPage.put(visit.page(), p == null ? 1 : p + 1);
            if (visit.page().equals("event")) context.timerService().registerEventTimeTimer(context.timestamp() + 100);
            if (visit.page().equals("wall")) {
                context.timerService()
                        .registerProcessingTimeTimer(context.timerService().currentProcessingTime() + 1_000);
            }
        }

        @Override
        public void onTimer(long timestamp, Context<String, String> context, Collector<String> out) {
            out.collect(context.currentKey() + "@" + timestamp + " " + count.value() + " " + pages.get() + " "
                    + perPage.entries().get("home"));
            count.clear();
            pages.clear();
            perPage.clear();
        }
    }

    OperatorHarness<String> harness() throws Exception {
        return new OperatorHarness<>(new KeyedProcessOperator.Factory<>(Visit::user, Codecs.STRING, new Sessionizer()));
    }

    @Test
    void stateIsIsolatedPerKey() throws Exception {
        OperatorHarness<String> h = harness();
        h.element(new Visit("ann", "home"), 1)
                .element(new Visit("bob", "home"), 2)
                .element(new Visit("ann", "home"), 3)
                .element(new Visit("ann", "cart"), 4)
                .element(new Visit("bob", "event"), 5)
                .element(new Visit("ann", "event"), 6);
        h.watermark(105);
        assertThat(h.drainValues()).containsExactly("bob@105 2 [home, event] 1");
        h.watermark(106);
        assertThat(h.drainValues()).containsExactly("ann@106 4 [home, home, cart, event] 2");
        KeyedProcessOperator<?, ?, ?> op = (KeyedProcessOperator<?, ?, ?>) h.operator();
        assertThat(op.backend().tables().values())
                .allSatisfy(t -> assertThat(t.size()).isZero());
    }

    @Test
    void stateLivesInTheKeyGroupOfItsKey() throws Exception {
        OperatorHarness<String> h = harness();
        h.element(new Visit("ann", "home"), 1);
        KeyedProcessOperator<?, ?, ?> op = (KeyedProcessOperator<?, ?, ?>) h.operator();
        int group = KeyGroups.keyGroupOf("ann", Codecs.STRING, 128, new BytesOut());
        assertThat(List.copyOf(
                        op.backend().tables().get("count").keyGroup(group).keySet()))
                .isEqualTo(List.of("ann"));
        assertThat(KeyGroupRange.forSubtask(128, 3, 0)).isEqualTo(new KeyGroupRange(0, 42));
    }

    @Test
    void eventTimeTimersFireOnTheWatermarkOncePerKeyAndTime() throws Exception {
        OperatorHarness<String> h = harness();
        h.element(new Visit("ann", "event"), 10).element(new Visit("ann", "event"), 10); // same timer twice
        h.watermark(109);
        assertThat(h.drainValues()).isEmpty();
        h.watermark(110);
        assertThat(h.drain())
                .containsExactly(
                        new OperatorHarness.Record("ann@110 2 [event, event] null", 110),
                        new OperatorHarness.Watermark(110));
    }

    @Test
    void processingTimeTimersFollowTheInjectedClock() throws Exception {
        OperatorHarness<String> h = harness();
        h.advanceProcessingTime(5_000);
        h.element(new Visit("ann", "wall"), Output.NO_TIMESTAMP);
        h.advanceProcessingTime(999);
        assertThat(h.drainValues()).isEmpty();
        h.advanceProcessingTime(1);
        assertThat(h.drain())
                .containsExactly(new OperatorHarness.Record("ann@6000 1 [wall] null", Output.NO_TIMESTAMP));
    }
}
