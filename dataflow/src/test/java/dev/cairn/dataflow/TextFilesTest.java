package dev.cairn.dataflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.dataflow.internal.operators.TextFileSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TextFilesTest {
    @TempDir
    Path dir;

    Path input;
    final List<String> expected = new ArrayList<>();

    @BeforeEach
    void writeFiles() throws IOException {
        input = Files.createDirectories(dir.resolve("in"));
        StringBuilder a = new StringBuilder();
        for (int i = 0; i < 30_000; i++) {
            String line = "a" + i + "x".repeat(i % 17) + (i % 1000 == 0 ? "é€" : "");
            a.append(line).append('\n');
            expected.add(line);
        }
        String longLine = "L".repeat(200_000); // longer than the reader's buffer
        a.append(longLine).append('\n').append('\n'); // and an empty line
        expected.add(longLine);
        expected.add("");
        Files.writeString(input.resolve("a.txt"), a, StandardCharsets.UTF_8);
        Files.writeString(input.resolve("b.txt"), "b1\r\nb2\r\nno newline at the end", StandardCharsets.UTF_8);
        expected.addAll(List.of("b1", "b2", "no newline at the end"));
        Files.writeString(input.resolve("empty.txt"), "");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7})
    void everyLineIsReadOnceWhateverTheSplits(int parallelism) throws IOException {
        List<TextFileSource.Split> splits =
                TextFileSource.splits(dev.cairn.common.fs.LocalFileSystem.INSTANCE, input.toString(), parallelism);
        assertThat(splits.size()).isGreaterThanOrEqualTo(Math.min(parallelism, 4));
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(parallelism));
        List<String> lines = flow.readTextFile(input).executeAndCollect();
        assertThat(sorted(lines)).isEqualTo(sorted(expected));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void theTextSinkWritesOnePartFilePerSubtask(int parallelism) throws IOException {
        Path out = dir.resolve("out");
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(parallelism));
        flow.readTextFile(input)
                .map(String::length, dev.cairn.common.codec.Codecs.INT)
                .writeAsText(out);
        flow.execute();
        List<String> written = new ArrayList<>();
        try (Stream<Path> parts = Files.list(out)) {
            List<Path> files = parts.sorted().toList();
            assertThat(files)
                    .extracting(p -> p.getFileName().toString())
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, parallelism)
                            .mapToObj(i -> "part-" + i)
                            .toList());
            for (Path p : files) written.addAll(Files.readAllLines(p));
        }
        assertThat(sorted(written))
                .isEqualTo(sorted(
                        expected.stream().map(s -> Integer.toString(s.length())).toList()));
    }

    static List<String> sorted(List<String> lines) {
        List<String> copy = new ArrayList<>(lines);
        copy.sort(null);
        return copy;
    }
}
