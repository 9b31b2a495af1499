package dev.cairn.dataflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.window.WindowAssigner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PipelineTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void mapFilterFlatMapAndRollingReduceByKey(int parallelism) {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(parallelism));
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 1000; i++) lines.add("w" + (i % 7) + " w" + (i % 3) + " skip");
        CollectedResult<String> result = flow.fromCollection(lines, Codecs.STRING)
                .parallelism(parallelism)
                .flatMap(
                        (String line, dev.cairn.dataflow.functions.Collector<String> out) -> {
                            for (String w : line.split(" ")) out.collect(w);
                        },
                        Codecs.STRING)
                .filter(w -> !w.equals("skip"))
                .map(w -> new WordCount(w, 1), Codecs.record(WordCount.class))
                .keyBy(WordCount::word, Codecs.STRING)
                .reduce((a, b) -> new WordCount(a.word(), a.count() + b.count()))
                .filter(wc -> wc.count() >= 100)
                .map(wc -> wc.word() + "=" + wc.count(), Codecs.STRING)
                .collect();
        flow.execute();
        // The last rolling value per word is its total: "w0" is both i % 7 == 0 (143) and i % 3 == 0 (334).
        assertThat(result.get())
                .contains("w0=477", "w1=476", "w2=476", "w3=143", "w6=142")
                .doesNotContain("w0=478", "w6=143");
    }

    @Test
    void unionOfTwoSourcesAtDifferentParallelism() {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(3));
        Stream<Long> a = flow.fromCollection(LongStream.range(0, 500).boxed().toList(), Codecs.LONG);
        Stream<Long> b = flow.fromCollection(LongStream.range(500, 1000).boxed().toList(), Codecs.LONG)
                .parallelism(2);
        List<Long> all = a.union(b).map(x -> x * 2, Codecs.LONG).executeAndCollect();
        assertThat(all)
                .hasSize(1000)
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.range(0, 1000).map(x -> x * 2).boxed().toList());
    }

    @Test
    void graphChainsForwardEdgesAndExchangesKeyedOnes() {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        flow.fromCollection(List.of("a"), Codecs.STRING)
                .parallelism(2)
                .map(String::length, Codecs.INT)
                .keyBy(x -> x, Codecs.INT)
                .reduce(Integer::sum)
                .print();
        String graph = flow.toGraph().describe();
        assertThat(graph)
                .contains(
                        "-> #1 input 0 Forward (chained)",
                        "-> #2 input 0 KeyGroupHash\n",
                        "-> #3 input 0 Forward (chained)");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void windowAndIntervalJoinsAcrossSubtasks(int parallelism) {
        Dataflow flow = Dataflow.create(
                DataflowOptions.defaults().withParallelism(parallelism).withWatermarkIntervalRecords(3));
        List<Reading> lefts = new ArrayList<>();
        List<Reading> rights = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            lefts.add(new Reading("k" + (i % 10), i * 100L, i + 1));
            rights.add(new Reading("k" + (i % 10), i * 100L + 50, -(i + 1)));
        }
        WatermarkStrategy watermarks = WatermarkStrategy.boundedOutOfOrderness(Duration.ofMillis(0));
        KeyedStream<String, Reading> left = flow.fromCollection(lefts, Codecs.record(Reading.class))
                .parallelism(parallelism)
                .assignTimestamps(Reading::time, watermarks)
                .keyBy(Reading::sensor, Codecs.STRING);
        KeyedStream<String, Reading> right = flow.fromCollection(rights, Codecs.record(Reading.class))
                .assignTimestamps(Reading::time, watermarks)
                .keyBy(Reading::sensor, Codecs.STRING);
        CollectedResult<String> windowed = left.join(right)
                .window(WindowAssigner.tumbling(Duration.ofSeconds(1)))
                .apply((l, r) -> l.value() + ":" + r.value(), Codecs.STRING)
                .collect();
        CollectedResult<String> interval = left.intervalJoin(right)
                .between(Duration.ofMillis(0), Duration.ofMillis(50))
                .process((l, r, lt, rt, out) -> out.collect(l.value() + ":" + r.value()), Codecs.STRING)
                .collect();
        flow.execute();
        // Keys repeat every 10 readings = 1 s: one left and one right per key and window, same i.
        assertThat(windowed.get())
                .hasSize(200)
                .allSatisfy(s -> assertThat(s.split(":")[1]).isEqualTo("-" + s.split(":")[0]));
        assertThat(interval.get()).containsExactlyInAnyOrderElementsOf(windowed.get());
    }

    @Test
    void broadcastSendsEveryRecordToEverySubtaskAndRebalanceSpreadsThem() {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(3));
        Stream<Long> numbers =
                flow.fromCollection(LongStream.range(0, 30).boxed().toList(), Codecs.LONG);
        CollectedResult<Long> broadcast =
                numbers.broadcast().map(x -> x, Codecs.LONG).parallelism(3).collect();
        CollectedResult<Long> rebalanced =
                numbers.rebalance().map(x -> x, Codecs.LONG).parallelism(3).collect();
        flow.execute();
        assertThat(broadcast.get()).hasSize(90);
        assertThat(rebalanced.get())
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.range(0, 30).boxed().toList());
    }

    @Test
    void lateRecordsReachTheSideOutputThroughTheExecutor() {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withWatermarkIntervalRecords(1));
        OutputTag<Reading> late = new OutputTag<>("late", Codecs.record(Reading.class));
        List<Reading> readings = List.of(
                new Reading("s", 1_000, 1),
                new Reading("s", 20_000, 2),
                new Reading("s", 500, 3),
                new Reading("s", 21_000, 4));
        Stream<Reading> sums = flow.fromCollection(readings, Codecs.record(Reading.class))
                .assignTimestamps(Reading::time, WatermarkStrategy.monotonousTimestamps())
                .keyBy(Reading::sensor, Codecs.STRING)
                .window(WindowAssigner.tumbling(Duration.ofSeconds(10)))
                .sideOutputLateData(late)
                .reduce((a, b) -> new Reading(a.sensor(), a.time(), a.value() + b.value()));
        CollectedResult<Long> onTime = sums.map(Reading::value, Codecs.LONG).collect();
        CollectedResult<Reading> lateOnes = sums.sideOutput(late).collect();
        flow.execute();
        assertThat(onTime.get()).containsExactly(1L, 6L);
        assertThat(lateOnes.get()).containsExactly(new Reading("s", 500, 3));
    }

    /** A process function sends records to the main output and to two side outputs, timestamps kept. */
    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void processFunctionEmitsToSideOutputs(int parallelism) {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(parallelism));
        OutputTag<String> odd = new OutputTag<>("odd", Codecs.STRING);
        OutputTag<Long> big = new OutputTag<>("big", Codecs.LONG);
        Stream<Long> evens = flow.fromCollection(
                        LongStream.range(0, 100).boxed().toList(), Codecs.LONG)
                .parallelism(parallelism)
                .assignTimestamps(x -> x * 10, WatermarkStrategy.monotonousTimestamps())
                .process(
                        (Long x,
                                dev.cairn.dataflow.functions.ProcessFunction.Context context,
                                dev.cairn.dataflow.functions.Collector<Long> out) -> {
                            if (x >= 90) context.output(big, context.timestamp());
                            if (x % 2 == 0) out.collect(x);
                            else context.output(odd, "odd " + x);
                        },
                        Codecs.LONG);
        CollectedResult<Long> main = evens.collect();
        CollectedResult<String> odds = evens.sideOutput(odd).collect();
        // Side records carry the input's timestamp: here each one's value is its timestamp.
        CollectedResult<Long> bigTimes = evens.sideOutput(big)
                .process(
                        (Long t,
                                dev.cairn.dataflow.functions.ProcessFunction.Context context,
                                dev.cairn.dataflow.functions.Collector<Long> out) ->
                                out.collect(context.timestamp() - t),
                        Codecs.LONG)
                .collect();
        flow.execute();
        assertThat(main.get())
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.range(0, 50).map(x -> x * 2).boxed().toList());
        assertThat(odds.get())
                .containsExactlyInAnyOrderElementsOf(LongStream.range(0, 50)
                        .mapToObj(x -> "odd " + (2 * x + 1))
                        .toList());
        assertThat(bigTimes.get()).hasSize(10).containsOnly(0L);
    }

    public record Reading(String sensor, long time, long value) {}

    public record WordCount(String word, int count) {}
}
