package dev.cairn.batch.internal.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputSplitterTest {
    @TempDir
    Path dir;

    @Test
    void cutsFilesIntoRangesAndSkipsHiddenOnes() throws Exception {
        Files.write(dir.resolve("a.txt"), new byte[250]);
        Files.write(dir.resolve("b.txt"), new byte[105]);
        Files.write(dir.resolve("empty.txt"), new byte[0]);
        Files.write(dir.resolve("_SUCCESS"), new byte[10]);
        Files.createDirectories(dir.resolve(".hidden"));
        Files.write(dir.resolve(".hidden/c.txt"), new byte[10]);
        Files.createDirectories(dir.resolve("sub"));
        Files.write(dir.resolve("sub/d.txt"), new byte[30]);

        List<InputSplit> splits = InputSplitter.split(List.of(dir.toString()), 100);

        assertThat(splits).containsExactly(
                new InputSplit(dir.resolve("a.txt").toString(), 0, 100),
                new InputSplit(dir.resolve("a.txt").toString(), 100, 100),
                new InputSplit(dir.resolve("a.txt").toString(), 200, 50),
                // within 10% of the split size: one split rather than a 5-byte sliver
                new InputSplit(dir.resolve("b.txt").toString(), 0, 105),
                new InputSplit(dir.resolve("sub/d.txt").toString(), 0, 30));
    }

    @Test
    void missingOrEmptyInputsAreReportedByPath() throws Exception {
        assertThatThrownBy(() -> InputSplitter.split(List.of(dir.resolve("nope").toString()), 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("input path does not exist: " + dir.resolve("nope"));
        Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> InputSplitter.split(List.of(dir.resolve("empty").toString()), 100))
                .hasMessage("input path holds no files: " + dir.resolve("empty"));
    }
}
