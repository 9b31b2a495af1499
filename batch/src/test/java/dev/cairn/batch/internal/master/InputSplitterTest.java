package dev.cairn.batch.internal.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.batch.testing.TestingFileSystem;
import dev.cairn.common.fs.FileSystemRegistry;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputSplitterTest {
    private static final FileSystemRegistry LOCAL = FileSystemRegistry.local();

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

        List<InputSplit> splits = InputSplitter.split(LOCAL, List.of(dir.toString()), 100);

        assertThat(splits)
                .containsExactly(
                        new InputSplit(dir.toString(), dir.resolve("a.txt").toString(), 0, 100, List.of()),
                        new InputSplit(dir.toString(), dir.resolve("a.txt").toString(), 100, 100, List.of()),
                        new InputSplit(dir.toString(), dir.resolve("a.txt").toString(), 200, 50, List.of()),
                        // within 10% of the split size: one split rather than a 5-byte sliver
                        new InputSplit(dir.toString(), dir.resolve("b.txt").toString(), 0, 105, List.of()),
                        new InputSplit(dir.toString(), dir.resolve("sub/d.txt").toString(), 0, 30, List.of()));
    }

    @Test
    void missingOrEmptyInputsAreReportedByPath() throws Exception {
        assertThatThrownBy(() ->
                        InputSplitter.split(LOCAL, List.of(dir.resolve("nope").toString()), 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("input path does not exist: " + dir.resolve("nope"));
        Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() ->
                        InputSplitter.split(LOCAL, List.of(dir.resolve("empty").toString()), 100))
                .hasMessage("input path holds no files: " + dir.resolve("empty"));
        assertThatThrownBy(() -> InputSplitter.split(
                        LOCAL.unavailable("cairn", "this node has no coord connection"),
                        List.of("cairn:///in/corpus.txt"),
                        100))
                .hasMessage(
                        "no file system for scheme cairn (cairn:///in/corpus.txt): this node has no coord connection");
    }

    /** Blocks of 100 bytes: block i on node n(i mod 3). */
    private static TestingFileSystem blocksOf100() throws Exception {
        TestingFileSystem fs = TestingFileSystem.create(100, i -> List.of("n" + i % 3, "n" + (i + 1) % 3));
        try (OutputStream out = fs.create("mem:///in/big.txt")) {
            out.write(new byte[250]);
        }
        try (OutputStream out = fs.create("mem:///in/_logs/x.txt")) {
            out.write(new byte[10]);
        }
        return fs;
    }

    @Test
    void storeFilesAreSplitAlongTheirBlocksWithTheHostsOfEach() throws Exception {
        TestingFileSystem fs = blocksOf100();
        List<InputSplit> splits = InputSplitter.split(LOCAL.with(fs), List.of("mem:///in"), 1000);
        assertThat(splits)
                .containsExactly(
                        new InputSplit("mem:///in", "mem:///in/big.txt", 0, 100, List.of("n0", "n1")),
                        new InputSplit("mem:///in", "mem:///in/big.txt", 100, 100, List.of("n1", "n2")),
                        new InputSplit("mem:///in", "mem:///in/big.txt", 200, 50, List.of("n2", "n0")));
    }

    @Test
    void aSmallerSplitSizeCutsWithinBlocksButNeverAcrossThem() throws Exception {
        TestingFileSystem fs = blocksOf100();
        List<InputSplit> splits = InputSplitter.split(LOCAL.with(fs), List.of("mem:///in/big.txt"), 40);
        assertThat(splits)
                .extracting(s -> s.start() + "+" + s.length())
                .containsExactly("0+40", "40+40", "80+20", "100+40", "140+40", "180+20", "200+40", "240+10");
        for (InputSplit s : splits) {
            assertThat(s.start() / 100)
                    .as("split %s lies in one block", s)
                    .isEqualTo((s.start() + s.length() - 1) / 100);
            assertThat(s.hosts()).contains("n" + s.start() / 100 % 3);
        }
    }
}
