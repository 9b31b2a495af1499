package dev.cairn.dataflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.functions.AggregateFunction;
import dev.cairn.dataflow.functions.Collector;
import dev.cairn.dataflow.window.WindowAssigner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Programs of the dataflow API in batch mode, on a batch master and worker in this JVM. */
class BatchModeTest {
    record WordCount(String word, long count) {}

    private static Map<String, Long> corpus(Path file, long seed, int words) throws IOException {
        Random random = new Random(seed);
        Map<String, Long> counts = new TreeMap<>();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words; i++) {
            String w = "w" + (int) Math.floor(Math.pow(random.nextDouble(), 2) * 300);
            counts.merge(w, 1L, Long::sum);
            text.append(w).append(i % 10 == 9 ? '\n' : ' ');
        }
        Files.writeString(file, text);
        return counts;
    }

    private static Stream<WordCount> words(Stream<String> lines) {
        return lines.flatMap(
                (String line, Collector<WordCount> out) -> {
                    for (String w : line.split(" ")) out.collect(new WordCount(w, 1));
                },
                Codecs.record(WordCount.class));
    }

    @Test
    void aKeyedReduceGivesOneResultPerKeyAndTheTextSinkWritesTheJobsOutput(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("in.txt");
        Map<String, Long> expected = corpus(in, 3, 20_000);
        Path out = dir.resolve("out");
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(3));
        words(flow.readTextFile(in))
                .keyBy(WordCount::word, Codecs.STRING)
                .reduce((a, b) -> new WordCount(a.word(), a.count() + b.count()))
                .map(wc -> wc.word() + "=" + wc.count(), Codecs.STRING)
                .writeAsText(out);

        flow.execute(RuntimeMode.BATCH);

        List<String> lines = new ArrayList<>();
        try (var parts = Files.list(out)) {
            for (Path p : parts.sorted().toList()) lines.addAll(Files.readAllLines(p));
        }
        lines.sort(null);
        assertThat(lines)
                .isEqualTo(expected.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .sorted()
                        .toList());
        try (var parts = Files.list(out)) {
            assertThat(parts.map(p -> p.getFileName().toString()))
                    .as("one part per task of the last stage, and the commit's marker")
                    .containsExactlyInAnyOrder("part-00000", "part-00001", "part-00002", "_SUCCESS");
        }
    }

    @Test
    void windowsAndAggregatesFireAtTheEndOfInputAsInAStream(@TempDir Path dir) throws IOException {
        // (key, timestamp) pairs, out of order within 3 s, tumbling 10 s windows summed per key.
        Random random = new Random(5);
        List<String> events = new ArrayList<>();
        Map<String, Long> sums = new TreeMap<>();
        for (int i = 0; i < 5_000; i++) {
            long ts = Math.max(0, i * 20L - random.nextInt(3_000));
            String key = "k" + random.nextInt(7);
            events.add(key + "," + ts);
            sums.merge(key + "@" + (ts / 10_000 * 10_000), 1L, Long::sum);
        }
        Files.write(dir.resolve("events.csv"), events);
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        CollectedResult<Long> result = flow.readTextFile(dir.resolve("events.csv"))
                .assignTimestamps(
                        line -> Long.parseLong(line.substring(line.indexOf(',') + 1)),
                        WatermarkStrategy.boundedOutOfOrderness(Duration.ofSeconds(3)))
                .keyBy(line -> line.substring(0, line.indexOf(',')), Codecs.STRING)
                .window(WindowAssigner.tumbling(Duration.ofSeconds(10)))
                .aggregate(new CountLines(), Codecs.LONG, Codecs.LONG)
                .collect();
        // The window's key and start are not in a plain aggregate's output: compare the multiset of counts.
        flow.execute(RuntimeMode.BATCH);
        assertThat(result.get().stream().sorted().toList())
                .isEqualTo(sums.values().stream().sorted().toList());
    }

    @Test
    void aFunctionThatThrowsFailsTheExecutionNamingItsOperator(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("in.txt");
        corpus(in, 9, 1_000);
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        words(flow.readTextFile(in))
                .map(
                        wc -> {
                            if (wc.word().equals("w7")) throw new IllegalStateException("no sevens here");
                            return wc;
                        },
                        Codecs.record(WordCount.class))
                .name("picky map")
                .keyBy(WordCount::word, Codecs.STRING)
                .reduce((a, b) -> a)
                .collect();
        assertThatThrownBy(() -> flow.execute(RuntimeMode.BATCH))
                .isInstanceOf(DataflowException.class)
                .hasMessageContaining("picky map")
                .hasMessageContaining("no sevens here");
    }

    @Test
    void programsBatchModeCannotRunAreRejectedBeforeAnythingRuns(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("in.txt");
        corpus(in, 1, 100);
        Dataflow flow = Dataflow.create();
        Stream<String> lines = flow.readTextFile(in);
        lines.writeAsText(dir.resolve("a"));
        lines.writeAsText(dir.resolve("b"));
        assertThatThrownBy(() -> flow.execute(RuntimeMode.BATCH))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch mode writes one text file output");
        assertThat(dir.resolve("a")).doesNotExist();
    }

    @Test
    void collectionSourcesRunAsGeneratorStages() {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        List<Long> numbers = new ArrayList<>();
        for (long i = 0; i < 1_000; i++) numbers.add(i);
        CollectedResult<String> result = flow.fromCollection(numbers, Codecs.LONG)
                .parallelism(2)
                .keyBy(n -> n % 10, Codecs.LONG)
                .reduce(Long::sum)
                .map(String::valueOf, Codecs.STRING)
                .collect();
        flow.execute(RuntimeMode.BATCH);
        Map<Long, Long> want =
                numbers.stream().collect(Collectors.groupingBy(n -> n % 10, Collectors.summingLong(n -> n)));
        assertThat(result.get().stream().map(Long::parseLong).sorted().toList())
                .isEqualTo(want.values().stream().sorted().toList());
    }

    static final class CountLines implements AggregateFunction<String, Long, Long> {
        @Override
        public Long createAccumulator() {
            return 0L;
        }

        @Override
        public Long add(String value, Long accumulator) {
            return accumulator + 1;
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
}
