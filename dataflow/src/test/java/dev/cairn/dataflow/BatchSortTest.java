package dev.cairn.dataflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.functions.Collector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sorts in batch mode on a batch master and worker in this JVM: range partitioning from a sampling
 * pass, so that the part files one after the other are the whole output in order, each holding a
 * fair share; top N; and the refusal of a sort in a stream.
 */
class BatchSortTest {
    record WordCount(String word, long count) {}

    /** Most frequent first, then by word: the count negated, so one ascending key sorts both ways. */
    record Rank(long negatedCount, String word) {}

    private static Map<String, Long> corpus(Path file, long seed, int words) throws IOException {
        Random random = new Random(seed);
        Map<String, Long> counts = new TreeMap<>();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words; i++) {
            String w = "w" + (int) Math.floor(Math.pow(random.nextDouble(), 2) * 3000);
            counts.merge(w, 1L, Long::sum);
            text.append(w).append(i % 10 == 9 ? '\n' : ' ');
        }
        Files.writeString(file, text);
        return counts;
    }

    private static Stream<WordCount> counts(Dataflow flow, Path in) {
        return flow.readTextFile(in)
                .flatMap(
                        (String line, Collector<WordCount> out) -> {
                            for (String w : line.split(" ")) out.collect(new WordCount(w, 1));
                        },
                        Codecs.record(WordCount.class))
                .keyBy(WordCount::word, Codecs.STRING)
                .reduce((a, b) -> new WordCount(a.word(), a.count() + b.count()));
    }

    private static List<List<String>> parts(Path dir) throws IOException {
        List<List<String>> parts = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().startsWith("part-"))
                    .sorted()
                    .toList()) parts.add(Files.readAllLines(p));
        }
        return parts;
    }

    private static List<String> concatenated(List<List<String>> parts) {
        return parts.stream().flatMap(List::stream).toList();
    }

    @Test
    void aSortAfterAnAggregationIsGloballyOrderedAcrossBalancedParts(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("in.txt");
        Map<String, Long> expected = corpus(in, 17, 60_000);
        Path out = dir.resolve("out");
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(3));
        counts(flow, in)
                .sortBy(wc -> new Rank(-wc.count(), wc.word()), Codecs.record(Rank.class))
                .map(wc -> wc.count() + " " + wc.word(), Codecs.STRING)
                .writeAsText(out);

        flow.execute(RuntimeMode.BATCH);

        List<List<String>> parts = parts(out);
        assertThat(concatenated(parts))
                .containsExactlyElementsOf(expected.entrySet().stream()
                        .sorted(Map.Entry.<String, Long>comparingByValue()
                                .reversed()
                                .thenComparing(Map.Entry.comparingByKey()))
                        .map(e -> e.getValue() + " " + e.getKey())
                        .toList());
        assertThat(parts).hasSize(3);
        for (List<String> part : parts)
            assertThat(part.size()).as("a sampled range's share").isBetween(expected.size() / 6, expected.size() / 2);
    }

    @Test
    void aDescendingSortOfLinesReadsTheFilesTwiceOnceToSample(@TempDir Path dir) throws IOException {
        Random random = new Random(23);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 40_000; i++) lines.add(Long.toString(random.nextLong() & Long.MAX_VALUE, 36));
        Path in = dir.resolve("keys.txt");
        Files.write(in, lines);
        Path out = dir.resolve("out");
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(4));
        flow.readTextFile(in)
                .sortBy(l -> l, Codecs.STRING, SortOrder.DESCENDING)
                .writeAsText(out);

        flow.execute(RuntimeMode.BATCH);

        List<List<String>> parts = parts(out);
        assertThat(concatenated(parts))
                .containsExactlyElementsOf(
                        lines.stream().sorted(Comparator.reverseOrder()).toList());
        assertThat(parts).hasSize(4);
        for (List<String> part : parts) assertThat(part.size()).isBetween(lines.size() / 8, lines.size() / 2);
    }

    record Named(long id, String name) {}

    /** The sampling pass of a sort runs a broadcast hash join of its stage too, reading the small side whole. */
    @Test
    void aSortRightAfterABroadcastJoinInOneStage(@TempDir Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 100; i++) names.add(i + "," + Long.toString(i * 7919L % 1000, 36));
        Files.write(dir.resolve("names.csv"), names);
        Random random = new Random(41);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) ids.add(Integer.toString(random.nextInt(100)));
        Files.write(dir.resolve("ids.txt"), ids);
        Path out = dir.resolve("out");
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(3));
        Stream<Named> named = flow.readTextFile(dir.resolve("names.csv"))
                .map(l -> new Named(Long.parseLong(l.split(",")[0]), l.split(",")[1]), Codecs.record(Named.class));
        flow.readTextFile(dir.resolve("ids.txt"))
                .map(Long::parseLong, Codecs.LONG)
                .keyBy(id -> id, Codecs.LONG)
                .join(named.keyBy(Named::id, Codecs.LONG))
                .apply((id, n) -> n.name() + " " + id, Codecs.STRING)
                .sortBy(s -> s, Codecs.STRING)
                .writeAsText(out);

        flow.execute(RuntimeMode.BATCH);

        List<String> expected = new ArrayList<>();
        for (String id : ids) {
            String line = names.get(Integer.parseInt(id));
            expected.add(line.substring(line.indexOf(',') + 1) + " " + id);
        }
        expected.sort(null);
        assertThat(concatenated(parts(out))).containsExactlyElementsOf(expected);
    }

    @Test
    void topNIsTheFirstRecordsInOrder(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("in.txt");
        Map<String, Long> expected = corpus(in, 29, 30_000);
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(3));
        CollectedResult<String> top = counts(flow, in)
                .topN(7, wc -> new Rank(-wc.count(), wc.word()), Codecs.record(Rank.class), SortOrder.ASCENDING)
                .map(wc -> wc.word() + "=" + wc.count(), Codecs.STRING)
                .collect();

        flow.execute(RuntimeMode.BATCH);

        assertThat(top.get())
                .containsExactlyElementsOf(expected.entrySet().stream()
                        .sorted(Map.Entry.<String, Long>comparingByValue()
                                .reversed()
                                .thenComparing(Map.Entry.comparingByKey()))
                        .limit(7)
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .toList());
    }

    @Test
    void aStreamCannotBeSorted(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("in.txt");
        corpus(in, 31, 100);
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        counts(flow, in).sortBy(WordCount::count, Codecs.LONG).collect();

        assertThatThrownBy(flow::execute).hasStackTraceContaining("sortBy and topN run in batch mode");
    }
}
