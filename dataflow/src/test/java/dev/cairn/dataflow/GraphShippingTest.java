package dev.cairn.dataflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.internal.graph.LogicalGraph;
import dev.cairn.dataflow.internal.runtime.LocalExecutor;
import dev.cairn.dataflow.nexmark.NexmarkQueries;
import dev.cairn.dataflow.window.WindowAssigner;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The logical graph is plain data a master can ship: serialized and read back (functions as
 * themselves, codecs by id, collection items as encoded bytes), it runs to the same result.
 */
class GraphShippingTest {
    public record Trade(String symbol, long time, long shares) {}

    @Test
    void aSerializedGraphRunsLikeTheOriginal() throws Exception {
        DataflowOptions options = DataflowOptions.defaults().withParallelism(2);
        Dataflow flow = Dataflow.create(options);
        List<Trade> trades = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) trades.add(new Trade("S" + (i % 13), i * 10L, i % 100));
        OutputTag<Trade> late = new OutputTag<>("late", Codecs.record(Trade.class));
        Stream<String> totals = flow.fromCollection(trades, Codecs.record(Trade.class))
                .parallelism(2)
                .assignTimestamps(Trade::time, WatermarkStrategy.boundedOutOfOrderness(Duration.ofMillis(100)))
                .keyBy(Trade::symbol, Codecs.STRING)
                .window(WindowAssigner.sliding(Duration.ofSeconds(10), Duration.ofSeconds(5)))
                .sideOutputLateData(late)
                .aggregate(
                        new SumOfShares(),
                        (symbol, context, sums, out) -> out.collect(symbol + " "
                                + context.window().end() + " " + sums.iterator().next()),
                        Codecs.LONG,
                        Codecs.STRING);
        CollectedResult<String> result = totals.collect();
        flow.execute();
        List<String> direct = result.get();
        assertThat(direct).isNotEmpty();

        LogicalGraph shipped = roundTrip(flow.toGraph());
        assertThat(shipped.describe()).isEqualTo(flow.toGraph().describe());
        new LocalExecutor(options).execute(shipped);
        // The collect sink of the shipped graph appended to the same result: everything twice.
        List<String> twice = new ArrayList<>(direct);
        twice.addAll(direct);
        assertThat(result.get()).containsExactlyInAnyOrderElementsOf(twice);
    }

    @Test
    void theNexmarkGraphsSerialize() throws Exception {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        java.nio.file.Path events = java.nio.file.Path.of("events.csv");
        NexmarkQueries.q5(flow, events).print();
        NexmarkQueries.q7(flow, events).print();
        NexmarkQueries.q8(flow, events).print();
        LogicalGraph graph = flow.toGraph();
        assertThat(roundTrip(graph).describe()).isEqualTo(graph.describe());
    }

    static final class SumOfShares implements dev.cairn.dataflow.functions.AggregateFunction<Trade, Long, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public Long createAccumulator() {
            return 0L;
        }

        @Override
        public Long add(Trade value, Long accumulator) {
            return accumulator + value.shares();
        }

        @Override
        public Long getResult(Long accumulator) {
            return accumulator;
        }

        @Override
        public Long merge(Long a, Long b) {
            return a + b;
        }
    }

    static LogicalGraph roundTrip(LogicalGraph graph) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(graph);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (LogicalGraph) in.readObject();
        }
    }
}
