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

    /**
     * A corpus from GenText, the benchmarks' generator ({@code bench/GenText.java} under the
     * {@code cairn.shared} folder), and GenText's own exact counts file ({@code word<TAB>count}
     * lines sorted by word). Where that folder is missing, Cairn's generator and counts computed
     * here stand in, so the suite still runs from a lone checkout.
     */
    static void genText(Path corpus, Path counts, String size, long seed) throws IOException, InterruptedException {
        Path gen = Path.of(System.getProperty("cairn.shared", "../../shared"), "bench", "GenText.java")
                .toAbsolutePath()
                .normalize();
        if (!Files.isRegularFile(gen)) {
            System.err.println("GenText not found at " + gen + "; generating with Cairn's CorpusGenerator instead");
            generate(corpus, dev.cairn.common.config.Units.parseSize(size), seed);
            Files.write(counts, expectedCounts(corpus), StandardCharsets.UTF_8);
            return;
        }
        Path log = Files.createTempFile("gentext", ".log");
        try {
            Process p = new ProcessBuilder(
                            Cli.java().toString(),
                            gen.toString(),
                            "--bytes",
                            size,
                            "--seed",
                            Long.toString(seed),
                            "--out",
                            corpus.toString(),
                            "--counts",
                            counts.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("GenText did not finish within 5 minutes");
            }
            if (p.exitValue() != 0) throw new IOException("GenText failed: " + Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
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
            for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-r-"))
                    .sorted()
                    .toList()) {
                lines.addAll(Files.readAllLines(p, StandardCharsets.UTF_8));
            }
        }
        lines.sort(null);
        return lines;
    }
}
