package dev.cairn.dataflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.dataflow.nexmark.NexmarkEventGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DataflowOptions#maxSourceRate()} caps file and Nexmark sources over all their subtasks. */
class MaxSourceRateTest {
    static final int RECORDS = 4_000;
    static final long RATE = 5_000; // so at least 800 ms, less a first record per subtask

    @TempDir
    Path dir;

    @Test
    void capsATextFileSource() throws IOException {
        Path file = dir.resolve("lines.txt");
        Files.writeString(
                file,
                IntStream.range(0, RECORDS).mapToObj(i -> "line " + i + "\n").collect(Collectors.joining()),
                StandardCharsets.UTF_8);
        Dataflow flow =
                Dataflow.create(DataflowOptions.defaults().withParallelism(2).withMaxSourceRate(RATE));
        CollectedResult<String> result = flow.readTextFile(file).collect();
        assertCapped(flow.execute().elapsedNanos());
        assertThat(result.get()).hasSize(RECORDS);
    }

    @Test
    void capsANexmarkSource() {
        Dataflow flow =
                Dataflow.create(DataflowOptions.defaults().withParallelism(2).withMaxSourceRate(RATE));
        CollectedResult<String> result =
                flow.nexmark(NexmarkEventGenerator.Settings.of(RECORDS, 1)).collect();
        assertCapped(flow.execute().elapsedNanos());
        assertThat(result.get()).hasSize(RECORDS);
    }

    private static void assertCapped(long elapsedNanos) {
        assertThat(elapsedNanos)
                .as("%d records at %d a second", RECORDS, RATE)
                .isGreaterThan(TimeUnit.MILLISECONDS.toNanos(600));
    }
}
