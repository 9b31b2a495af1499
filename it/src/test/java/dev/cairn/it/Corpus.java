package dev.cairn.it;

import dev.cairn.cli.internal.CorpusGenerator;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Test corpora and the word counts a correct engine must produce for them. */
final class Corpus {
    private Corpus() {}

    static Path generate(Path file, long bytes, long seed) throws IOException {
        new CorpusGenerator(20_000).write(file, bytes, seed, b -> {});
        return file;
    }

    /** {@code word<TAB>count} lines sorted bytewise: what {@code sort} of the job's output must equal. */
    static List<String> expectedCounts(Path corpus) throws IOException {
        TreeMap<String, Long> counts = new TreeMap<>();
        try (BufferedReader r = Files.newBufferedReader(corpus, StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                for (String w : line.split("\\s+")) if (!w.isEmpty()) counts.merge(w, 1L, Long::sum);
            }
        }
        List<String> out = new ArrayList<>();
        counts.forEach((w, c) -> out.add(w + "\t" + c));
        return out;
    }

    /** All lines of all part files, sorted (words are ASCII, so String order is byte order). */
    static List<String> outputLines(Path output) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> parts = Files.list(output)) {
            for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-r-")).sorted().toList()) {
                lines.addAll(Files.readAllLines(p, StandardCharsets.UTF_8));
            }
        }
        lines.sort(null);
        return lines;
    }
}
