package dev.cairn.batch.internal.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobOutputTest {
    @TempDir
    Path dir;

    @Test
    void commitMovesCommittedPartsIntoPlaceAtOnce() throws Exception {
        Path out = dir.resolve("out");
        Path staging = JobOutput.prepare(out, "job-0001");
        assertThat(out).doesNotExist();
        Files.writeString(staging.resolve("part-r-00000"), "a\t1\n");
        Files.createDirectories(staging.resolve("_attempts/reduce-00001_1"));
        Files.writeString(staging.resolve("_attempts/reduce-00001_1/part-r-00001"), "uncommitted");

        JobOutput.commit(staging, out);

        assertThat(staging).doesNotExist();
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("part-r-00000", "_SUCCESS");
        }
    }

    @Test
    void abortLeavesNothingBehind() throws Exception {
        Path out = dir.resolve("out");
        Path staging = JobOutput.prepare(out, "job-0002");
        Files.writeString(staging.resolve("part-r-00000"), "x");
        JobOutput.abort(staging);
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void refusesAnExistingOutputAndOneThatAppearsDuringTheJob() throws Exception {
        Path out = Files.createDirectories(dir.resolve("taken"));
        assertThatThrownBy(() -> JobOutput.prepare(out, "job-0003")).hasMessage("output path already exists: " + out);

        Path later = dir.resolve("later");
        Path staging = JobOutput.prepare(later, "job-0004");
        Files.createDirectories(later);
        assertThatThrownBy(() -> JobOutput.commit(staging, later)).isInstanceOf(FileAlreadyExistsException.class);
    }
}
