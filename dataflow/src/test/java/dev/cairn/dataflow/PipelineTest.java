package dev.cairn.dataflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.codec.Codecs;
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
        CollectedResult<String> result = flow.fromCollection(lines, Codecs.STRING).parallelism(parallelism)
                .flatMap((String line, dev.cairn.dataflow.functions.Collector<String> out) -> {
                    for (String w : line.split(" ")) out.collect(w);
                }, Codecs.STRING)
                .filter(w -> !w.equals("skip"))
                .map(w -> new WordCount(w, 1), Codecs.record(WordCount.class))
                .keyBy(WordCount::word, Codecs.STRING)
                .reduce((a, b) -> new WordCount(a.word(), a.count() + b.count()))
                .filter(wc -> wc.count() >= 100)
                .map(wc -> wc.word() + "=" + wc.count(), Codecs.STRING)
                .collect();
        flow.execute();
        // The last rolling value per word is its total: "w0" is both i % 7 == 0 (143) and i % 3 == 0 (334).
        assertThat(result.get()).contains("w0=477", "w1=476", "w2=476", "w3=143", "w6=142")
                .doesNotContain("w0=478", "w6=143");
    }

    @Test
    void unionOfTwoSourcesAtDifferentParallelism() {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(3));
        Stream<Long> a = flow.fromCollection(LongStream.range(0, 500).boxed().toList(), Codecs.LONG);
        Stream<Long> b = flow.fromCollection(LongStream.range(500, 1000).boxed().toList(), Codecs.LONG).parallelism(2);
        List<Long> all = a.union(b).map(x -> x * 2, Codecs.LONG).executeAndCollect();
        assertThat(all).hasSize(1000).containsExactlyInAnyOrderElementsOf(LongStream.range(0, 1000).map(x -> x * 2).boxed().toList());
    }

    @Test
    void graphChainsForwardEdgesAndExchangesKeyedOnes() {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        flow.fromCollection(List.of("a"), Codecs.STRING).parallelism(2)
                .map(String::length, Codecs.INT)
                .keyBy(x -> x, Codecs.INT)
                .reduce(Integer::sum)
                .print();
        String graph = flow.toGraph().describe();
        assertThat(graph).contains("-> #1 input 0 Forward (chained)", "-> #2 input 0 KeyGroupHash\n", "-> #3 input 0 Forward (chained)");
    }

    public record WordCount(String word, int count) {}
}
