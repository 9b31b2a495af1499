package dev.cairn.examples.dataflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundled cached-dataset example, in batch mode in this JVM, against counts made here. */
class CachedWordStatsTest {
    @Test
    void everyWordWithItsCountAndTheWordsOfItsLength(@TempDir Path dir) throws IOException {
        Random random = new Random(23);
        StringBuilder text = new StringBuilder();
        Map<String, Long> perWord = new TreeMap<>();
        Map<Integer, Long> perLength = new TreeMap<>();
        for (int i = 0; i < 40_000; i++) {
            String w = "w".repeat(1 + random.nextInt(3)) + random.nextInt(500);
            perWord.merge(w, 1L, Long::sum);
            perLength.merge(w.length(), 1L, Long::sum);
            text.append(w).append(i % 7 == 6 ? "\n" : random.nextBoolean() ? " " : "\t ");
        }
        Path in = dir.resolve("in.txt");
        Files.writeString(in, text);
        List<String> expected = new ArrayList<>();
        perWord.forEach((w, n) -> expected.add(w + "\t" + n + "\t" + perLength.get(w.length())));
        Path out = dir.resolve("out");

        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(3));
        new CachedWordStats().define(flow, new String[] {in.toString(), out.toString()});
        flow.execute(new CachedWordStats().mode());

        List<String> lines = new ArrayList<>();
        try (var parts = Files.list(out)) {
            for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .toList()) lines.addAll(Files.readAllLines(p));
        }
        lines.sort(null);
        assertThat(lines).isEqualTo(expected);
    }
}
