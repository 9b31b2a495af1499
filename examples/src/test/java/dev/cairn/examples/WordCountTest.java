package dev.cairn.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.batch.JobState;
import dev.cairn.batch.JobStatus;
import dev.cairn.batch.LocalJobRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundled jobs, unit-tested as a user would test their own: with {@link LocalJobRunner}. */
class WordCountTest {
    private static LocalJobRunner runner;

    @BeforeAll
    static void start() throws Exception {
        runner = LocalJobRunner.start();
    }

    @AfterAll
    static void stop() {
        if (runner != null) runner.close();
    }

    @Test
    void countsEveryWordExactly(@TempDir Path dir) throws Exception {
        Random random = new Random(11);
        Map<String, Long> expected = new TreeMap<>();
        StringBuilder text = new StringBuilder();
        for (int line = 0; line < 5_000; line++) {
            int words = random.nextInt(12);
            for (int w = 0; w < words; w++) {
                String word = "w" + (int) Math.abs(random.nextGaussian() * 300);
                expected.merge(word, 1L, Long::sum);
                text.append(w == 0 ? "" : random.nextBoolean() ? " " : "\t").append(word);
            }
            text.append('\n');
        }
        Path in = Files.writeString(dir.resolve("in.txt"), text);

        JobStatus done =
                runner.run(new WordCount(), in.toString(), dir.resolve("out").toString(), "3");

        assertThat(done.state()).as(done.error()).isEqualTo(JobState.SUCCEEDED);
        assertThat(readCounts(dir.resolve("out"))).isEqualTo(expected);
        assertThat(dir.resolve("out/_SUCCESS")).exists();
    }

    @Test
    void aThrowingMapperFailsTheJobWithItsCause(@TempDir Path dir) throws Exception {
        Path in = Files.writeString(dir.resolve("in.txt"), "fine line\nthis one is poison\n");

        JobStatus done = runner.run(
                new FailingWordCount(),
                "poison",
                in.toString(),
                dir.resolve("out").toString());

        assertThat(done.state()).isEqualTo(JobState.FAILED);
        assertThat(done.error()).contains("PickyMapper").contains("poison");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void badArgumentsAreRejectedBeforeAnythingRuns() {
        assertThatThrownBy(() -> runner.run(new WordCount(), "only-one"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("usage: wordcount");
    }

    private static Map<String, Long> readCounts(Path out) throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        List<Path> parts = new ArrayList<>();
        try (Stream<Path> s = Files.list(out)) {
            s.filter(p -> p.getFileName().toString().startsWith("part-")).forEach(parts::add);
        }
        assertThat(parts).hasSize(3);
        for (Path p : parts) {
            for (String line : Files.readAllLines(p)) {
                String[] kv = line.split("\t");
                assertThat(counts.put(kv[0], Long.parseLong(kv[1])))
                        .as("each word once: " + kv[0])
                        .isNull();
            }
        }
        return counts;
    }
}
