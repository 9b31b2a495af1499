package dev.cairn.batch.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.batch.JobGraph;
import dev.cairn.batch.JobState;
import dev.cairn.batch.JobStatus;
import dev.cairn.batch.LocalJobRunner;
import dev.cairn.batch.StageSpec;
import dev.cairn.common.codec.BytesOut;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs of three stages on a real master and worker (loopback, the programs shipped in a jar): a
 * word histogram sorted by count, whose middle stage both reads and writes partitions, and a
 * program that throws.
 */
class StageGraphJobTest {
    private static LocalJobRunner runner;

    @BeforeAll
    static void start() throws IOException {
        runner = LocalJobRunner.start(2);
    }

    @AfterAll
    static void stop() {
        if (runner != null) runner.close();
    }

    @Test
    void threeStagesCountWordsAndSortThemByCount(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("in.txt");
        Map<String, Long> expected = writeCorpus(input, new Random(42), 30_000);
        Path out = dir.resolve("out");
        JobGraph graph = new JobGraph(
                "histogram",
                List.of(
                        StageSpec.reading("words", List.of(input.toString()), 3, SplitWords.class.getName(), null),
                        StageSpec.after("counts", List.of("words"), 3, 2, CountAndRepartition.class.getName(), null),
                        StageSpec.after("sorted", List.of("counts"), 2, 0, WriteSorted.class.getName(), null)),
                out.toString(),
                16 << 10,
                1,
                Map.of("threshold", "40"));

        JobStatus done = runner.run(graph, StageGraphJobTest.class);

        assertThat(done.state()).as(done.error()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.stages())
                .extracting(s -> s.name() + ":" + s.done())
                .containsExactly("words:" + done.stages().get(0).total(), "counts:3", "sorted:2");
        assertThat(done.stages().get(0).total()).as("16 KiB splits").isGreaterThan(3);
        List<String> lines = new ArrayList<>();
        try (Stream<Path> parts = Files.list(out)) {
            for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .sorted()
                    .toList()) lines.addAll(Files.readAllLines(p));
        }
        List<String> want = expected.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .map(e -> e.getValue() + "\t" + e.getKey())
                .toList();
        assertThat(lines).containsExactlyElementsOf(want);
    }

    @Test
    void everyTaskReadsABroadcastParentWhole(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("in.txt");
        Map<String, Long> expected = writeCorpus(input, new Random(11), 20_000);
        // The generator's two tasks each name half of the dropped words; every file task reads both halves.
        List<String> dropped = expected.keySet().stream().limit(40).toList();
        expected.keySet().removeAll(dropped);
        Path out = dir.resolve("out");
        JobGraph graph = new JobGraph(
                "broadcast",
                List.of(
                        StageSpec.generating("stop", 2, 1, StopWords.class.getName(), null),
                        StageSpec.reading("words", List.of(input.toString()), 3, SplitWordsExcept.class.getName(), null)
                                .withBroadcasts(List.of("stop")),
                        StageSpec.after("counts", List.of("words"), 3, 2, CountAndRepartition.class.getName(), null),
                        StageSpec.after("sorted", List.of("counts"), 2, 0, WriteSorted.class.getName(), null)),
                out.toString(),
                16 << 10,
                1,
                Map.of("threshold", "40", "stop", String.join(" ", dropped)));

        JobStatus done = runner.run(graph, StageGraphJobTest.class);

        assertThat(done.state()).as(done.error()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.stages().get(1).total()).as("16 KiB splits").isGreaterThan(2);
        List<String> lines = new ArrayList<>();
        try (Stream<Path> parts = Files.list(out)) {
            for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .sorted()
                    .toList()) lines.addAll(Files.readAllLines(p));
        }
        assertThat(lines)
                .containsExactlyElementsOf(expected.entrySet().stream()
                        .sorted(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                        .map(e -> e.getValue() + "\t" + e.getKey())
                        .toList());
    }

    @Test
    void aBroadcastParentMustWriteOnePartition() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new JobGraph(
                        "bad",
                        List.of(
                                StageSpec.generating("stop", 2, 2, StopWords.class.getName(), null),
                                StageSpec.generating("words", 1, 0, StopWords.class.getName(), null)
                                        .withBroadcasts(List.of("stop"))),
                        "/out",
                        0,
                        1,
                        Map.of()))
                .hasMessage("stage words reads stop broadcast, so stop must write one partition, not 2");
    }

    @Test
    void aProgramThatThrowsFailsTheJobNamingItsStageAndCause(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("in.txt");
        writeCorpus(input, new Random(7), 1_000);
        JobGraph graph = new JobGraph(
                "boom",
                List.of(
                        StageSpec.reading("words", List.of(input.toString()), 2, SplitWords.class.getName(), null),
                        StageSpec.after("explode", List.of("words"), 2, 0, Explode.class.getName(), null)),
                dir.resolve("out").toString(),
                0,
                2,
                Map.of());

        JobStatus done = runner.run(graph, StageGraphJobTest.class);

        assertThat(done.state()).isEqualTo(JobState.FAILED);
        assertThat(done.error())
                .contains("explode-0000")
                .contains("stage explode")
                .contains("no such word: zzz");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    private static Map<String, Long> writeCorpus(Path file, Random random, int words) throws IOException {
        Map<String, Long> counts = new TreeMap<>();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words; i++) {
            // Skewed: low ranks are frequent, so counts spread over a wide range.
            int rank = (int) Math.floor(Math.pow(random.nextDouble(), 3) * 800);
            String w = "w" + Integer.toString(rank, 36);
            counts.merge(w, 1L, Long::sum);
            text.append(w).append(i % 12 == 11 ? '\n' : ' ');
        }
        Files.writeString(file, text);
        return counts;
    }

    static int hashPartition(byte[] key, int off, int len, int partitions) {
        return (Arrays.hashCode(Arrays.copyOfRange(key, off, off + len)) & Integer.MAX_VALUE) % partitions;
    }

    /** words: (word, 1), hash-partitioned, summed as they are sorted. */
    public static final class SplitWords implements StageProgram {
        @Override
        public void run(StageContext context) throws Exception {
            PartitionedOutput out = context.partitionedOutput(new LongSum());
            LineInput lines = context.lines();
            byte[] one = ByteBuffer.allocate(8).putLong(1).array();
            long in = 0;
            while (lines.next()) {
                in++;
                for (String w : lines.line().split(" ")) {
                    if (w.isEmpty()) continue;
                    byte[] k = w.getBytes(StandardCharsets.UTF_8);
                    out.add(hashPartition(k, 0, k.length, out.partitions()), k, 0, k.length, one, 0, 8);
                }
                context.progress(lines.progress(), in, out.records());
            }
        }
    }

    /** stop: task i of n writes every n-th word of the "stop" parameter, into its one partition. */
    public static final class StopWords implements StageProgram {
        @Override
        public void run(StageContext context) throws Exception {
            PartitionedOutput out = context.partitionedOutput(null);
            String[] words = context.param("stop").split(" ");
            for (int i = context.taskIndex(); i < words.length; i += 2) {
                byte[] k = words[i].getBytes(StandardCharsets.UTF_8);
                out.add(0, k, 0, k.length, new byte[0], 0, 0);
            }
        }
    }

    /** words, as SplitWords, but dropping every word of the broadcast stage "stop". */
    public static final class SplitWordsExcept implements StageProgram {
        @Override
        public void run(StageContext context) throws Exception {
            java.util.Set<String> stop = new java.util.HashSet<>();
            SortedInput stopped = context.parent("stop");
            while (stopped.nextKey())
                stop.add(new String(
                        stopped.keyArray(), stopped.keyOffset(), stopped.keyLength(), StandardCharsets.UTF_8));
            PartitionedOutput out = context.partitionedOutput(new LongSum());
            LineInput lines = context.lines();
            byte[] one = ByteBuffer.allocate(8).putLong(1).array();
            while (lines.next()) {
                for (String w : lines.line().split(" ")) {
                    if (w.isEmpty() || stop.contains(w)) continue;
                    byte[] k = w.getBytes(StandardCharsets.UTF_8);
                    out.add(hashPartition(k, 0, k.length, out.partitions()), k, 0, k.length, one, 0, 8);
                }
            }
        }
    }

    /** counts: a word's total, re-keyed by the total (big-endian, so bytes sort as numbers), split at a threshold. */
    public static final class CountAndRepartition implements StageProgram {
        @Override
        public void run(StageContext context) throws Exception {
            long threshold = Long.parseLong(context.param("threshold"));
            SortedInput in = context.parent("words");
            PartitionedOutput out = context.partitionedOutput(null);
            while (in.nextKey()) {
                long sum = 0;
                while (in.nextValue())
                    sum += ByteBuffer.wrap(in.valueArray(), in.valueOffset(), 8).getLong();
                byte[] count = ByteBuffer.allocate(8).putLong(sum).array();
                out.add(sum < threshold ? 0 : 1, count, 0, 8, in.keyArray(), in.keyOffset(), in.keyLength());
            }
        }
    }

    /** sorted: "count<TAB>word" lines, by count, then word. */
    public static final class WriteSorted implements StageProgram {
        @Override
        public void run(StageContext context) throws Exception {
            SortedInput in = context.parent("counts");
            try (Writer w = new BufferedWriter(new OutputStreamWriter(
                    context.jobOutput(String.format("part-%05d", context.taskIndex())), StandardCharsets.UTF_8))) {
                while (in.nextKey()) {
                    long count =
                            ByteBuffer.wrap(in.keyArray(), in.keyOffset(), 8).getLong();
                    List<String> words = new ArrayList<>();
                    while (in.nextValue())
                        words.add(new String(
                                in.valueArray(), in.valueOffset(), in.valueLength(), StandardCharsets.UTF_8));
                    words.sort(Comparator.naturalOrder());
                    for (String word : words) w.write(count + "\t" + word + "\n");
                }
            }
        }
    }

    /** Fails on its first key. */
    public static final class Explode implements StageProgram {
        @Override
        public void run(StageContext context) throws Exception {
            SortedInput in = context.parent("words");
            if (in.nextKey()) throw new IllegalStateException("no such word: zzz");
        }
    }

    static final class LongSum implements ValueCombiner {
        private long sum;

        @Override
        public void start(byte[] buf, int off, int len) {
            sum = ByteBuffer.wrap(buf, off, len).getLong();
        }

        @Override
        public void add(byte[] buf, int off, int len) {
            sum += ByteBuffer.wrap(buf, off, len).getLong();
        }

        @Override
        public void finish(BytesOut out) {
            byte[] b = ByteBuffer.allocate(8).putLong(sum).array();
            out.write(b, 0, b.length);
        }
    }
}
