package dev.cairn.dataflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.functions.Collector;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text read as UTF-8 bytes and counted or summed per key by bytes ({@link Dataflow#readTextFileUtf8},
 * {@link KeyedStream#count}, {@link KeyedStream#sum}), in batch mode on a batch master and worker
 * in this JVM, and as a stream: exact totals against counts made here.
 */
class KeyedSumTest {
    private static final java.util.regex.Pattern WHITESPACE = java.util.regex.Pattern.compile("\\s+");

    /** Words with multi-byte UTF-8 (two, three and four bytes), a long one, and ASCII ones. */
    private static final String[] SPECIAL = {
        "naïve", "日本語", "😀smile", "x".repeat(300), "Straße", "a", "zz", "über", "ℵ0"
    };

    /**
     * Writes a corpus of {@code lines} lines, separated by '\n' or "\r\n", some empty or only
     * blanks, words separated by runs of spaces and tabs; returns each word's count.
     */
    private static Map<String, Long> corpus(Path file, long seed, int lines) throws IOException {
        Random random = new Random(seed);
        Map<String, Long> counts = new TreeMap<>();
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
            for (int l = 0; l < lines; l++) {
                StringBuilder line = new StringBuilder();
                int words = random.nextInt(10) == 0 ? 0 : random.nextInt(12);
                if (random.nextBoolean()) line.append(' ');
                for (int w = 0; w < words; w++) {
                    String word = random.nextInt(8) == 0
                            ? SPECIAL[random.nextInt(SPECIAL.length)]
                            : "w" + (int) Math.floor(Math.pow(random.nextDouble(), 3) * 5_000);
                    counts.merge(word, 1L, Long::sum);
                    line.append(word).append(random.nextInt(5) == 0 ? "\t " : " ");
                }
                line.append(random.nextInt(4) == 0 ? "\r\n" : "\n");
                out.write(line.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        return counts;
    }

    private static List<String> readParts(Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        try (var parts = Files.list(dir)) {
            for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .toList()) lines.addAll(Files.readAllLines(p, StandardCharsets.UTF_8));
        }
        lines.sort(null);
        return lines;
    }

    private static List<String> expectedLines(Map<String, Long> counts) {
        return counts.entrySet().stream()
                .map(e -> e.getKey() + "\t" + e.getValue())
                .sorted()
                .toList();
    }

    static void words(Utf8 line, Collector<Utf8> out) {
        line.forEachWord(out::collect);
    }

    @Test
    void aBatchWordCountOnBytesCountsEveryWordExactly(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("in.txt");
        Map<String, Long> expected = corpus(in, 11, 40_000);
        Path out = dir.resolve("out");
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(3));
        flow.readTextFileUtf8(in)
                .flatMap(KeyedSumTest::words, Utf8.CODEC)
                .keyBy(w -> w, Utf8.CODEC)
                .count()
                .map(t -> t.key() + "\t" + t.total(), Codecs.STRING)
                .writeAsText(out);

        flow.execute(RuntimeMode.BATCH);

        assertThat(readParts(out)).isEqualTo(expectedLines(expected));
    }

    @Test
    void aBatchSumAddsALongOfEachRecordPerKeyNegativesIncluded(@TempDir Path dir) throws IOException {
        Random random = new Random(4);
        Map<String, Long> sums = new TreeMap<>();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 30_000; i++) {
            String key = "k" + random.nextInt(2_000) + (random.nextInt(50) == 0 ? "é" : "");
            long value = random.nextInt(2_000_001) - 1_000_000L;
            if (random.nextInt(1_000) == 0) value = Long.MAX_VALUE / 4;
            sums.merge(key, value, Long::sum);
            lines.add(key + "," + value);
        }
        Path in = dir.resolve("in.csv");
        Files.write(in, lines, StandardCharsets.UTF_8);
        Path out = dir.resolve("out");
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        flow.readTextFileUtf8(in)
                .keyBy(line -> line.slice(0, indexOf(line, ',')), Utf8.CODEC)
                .sum(line -> line.slice(indexOf(line, ',') + 1, line.length()).parseLong())
                .map(t -> t.key() + "\t" + t.total(), Codecs.STRING)
                .writeAsText(out);

        flow.execute(RuntimeMode.BATCH);

        assertThat(readParts(out)).isEqualTo(expectedLines(sums));
    }

    private static int indexOf(Utf8 text, char c) {
        for (int i = 0; i < text.length(); i++) if (text.byteAt(i) == c) return i;
        return -1;
    }

    @Test
    void asAStreamACountIsARunningTotalPerKeyEndingAtTheBatchTotal(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("in.txt");
        Map<String, Long> expected = corpus(in, 5, 3_000);
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        CollectedResult<Total<Utf8>> result = flow.readTextFileUtf8(in)
                .flatMap(KeyedSumTest::words, Utf8.CODEC)
                .keyBy(w -> w, Utf8.CODEC)
                .count()
                .collect();

        flow.execute();

        List<Total<Utf8>> totals = result.get();
        assertThat(totals).hasSize((int)
                expected.values().stream().mapToLong(Long::longValue).sum());
        Map<String, Long> last = new TreeMap<>();
        for (Total<Utf8> t : totals) last.merge(t.key().toString(), t.total(), Math::max);
        assertThat(last).isEqualTo(expected);
    }

    @Test
    void theBatchTotalsEqualThoseOfTheSameProgramOnStrings(@TempDir Path dir) throws IOException {
        // The same words keyed as Strings (decoded lines, split where Character.isWhitespace says).
        Path in = dir.resolve("in.txt");
        corpus(in, 23, 5_000);
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        flow.readTextFile(in)
                .flatMap(
                        (String line, Collector<String> out) -> {
                            for (String w : WHITESPACE.split(line)) if (!w.isEmpty()) out.collect(w);
                        },
                        Codecs.STRING)
                .keyBy(w -> w, Codecs.STRING)
                .count()
                .map(t -> t.key() + "\t" + t.total(), Codecs.STRING)
                .writeAsText(dir.resolve("strings"));
        flow.execute(RuntimeMode.BATCH);

        Dataflow bytes = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        bytes.readTextFileUtf8(in)
                .flatMap(KeyedSumTest::words, Utf8.CODEC)
                .keyBy(w -> w, Utf8.CODEC)
                .count()
                .map(t -> t.key() + "\t" + t.total(), Codecs.STRING)
                .writeAsText(dir.resolve("bytes"));
        bytes.execute(RuntimeMode.BATCH);

        assertThat(readParts(dir.resolve("bytes"))).isEqualTo(readParts(dir.resolve("strings")));
    }
}
