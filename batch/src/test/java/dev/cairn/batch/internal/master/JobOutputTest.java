package dev.cairn.batch.internal.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.batch.testing.TestingFileSystem;
import dev.cairn.common.fs.FileEntry;
import dev.cairn.common.fs.FileSystem;
import dev.cairn.common.fs.LocalFileSystem;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The output commit protocol, on local files and on a store-like file system. */
class JobOutputTest {
    @TempDir
    static Path tmp;

    static Stream<Arguments> fileSystems() throws Exception {
        Path local = Files.createTempDirectory(tmp, "local");
        return Stream.of(
                Arguments.of(LocalFileSystem.INSTANCE, local.toString()),
                Arguments.of(TestingFileSystem.create(64, i -> List.of("n1")), "mem:///jobs"));
    }

    private static void write(FileSystem fs, String file, String text) throws Exception {
        try (OutputStream out = fs.create(file)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static List<String> names(FileSystem fs, String dir) throws Exception {
        return fs.listFiles(dir).stream()
                .map(FileEntry::path)
                .map(p -> p.substring(p.lastIndexOf('/') + 1))
                .toList();
    }

    @ParameterizedTest
    @MethodSource("fileSystems")
    void commitMovesCommittedPartsIntoPlaceAtOnce(FileSystem fs, String dir) throws Exception {
        String out = dir + "/out";
        JobOutput job = JobOutput.prepare(fs, out, "job-0001", "alice");
        assertThat(fs.exists(out)).isFalse();
        write(fs, job.staging() + "/part-r-00000", "a\t1\n");
        write(fs, job.staging() + "/_attempts/reduce-00001_1/part-r-00001", "uncommitted");

        job.commit("alice");

        assertThat(fs.exists(job.staging())).isFalse();
        assertThat(names(fs, out)).containsExactlyInAnyOrder("part-r-00000", "_SUCCESS");
    }

    @ParameterizedTest
    @MethodSource("fileSystems")
    void abortLeavesNothingBehind(FileSystem fs, String dir) throws Exception {
        String root = dir + "/abort";
        fs.mkdirs(root);
        JobOutput job = JobOutput.prepare(fs, root + "/out", "job-0002", "alice");
        write(fs, job.staging() + "/part-r-00000", "x");
        job.abort();
        assertThat(fs.listFiles(root)).isEmpty();
        assertThat(fs.exists(job.staging())).isFalse();
    }

    @ParameterizedTest
    @MethodSource("fileSystems")
    void refusesAnExistingOutputAndOneThatAppearsDuringTheJob(FileSystem fs, String dir) throws Exception {
        String taken = fs.qualify(dir + "/taken");
        fs.mkdirs(taken);
        assertThatThrownBy(() -> JobOutput.prepare(fs, taken, "job-0003", "alice"))
                .hasMessage("output path already exists: " + taken);

        String later = dir + "/later";
        JobOutput job = JobOutput.prepare(fs, later, "job-0004", "alice");
        fs.mkdirs(later);
        assertThatThrownBy(() -> job.commit("alice")).isInstanceOf(FileAlreadyExistsException.class);
    }
}
