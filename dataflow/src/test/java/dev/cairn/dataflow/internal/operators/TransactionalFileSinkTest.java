package dev.cairn.dataflow.internal.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.time.ManualClock;
import dev.cairn.dataflow.OutputTag;
import dev.cairn.dataflow.internal.runtime.KeyGroupRange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransactionalFileSinkTest {
    @TempDir
    Path dir;

    private TransactionalFileSink<String> sink(byte[] restored) throws Exception {
        TransactionalFileSink<String> sink = new TransactionalFileSink<>(dir.resolve("out"));
        sink.setup(
                new OperatorContext("sink", 0, 1, 128, new KeyGroupRange(0, 127), new ManualClock(0), 4),
                new Output<Void>() {
                    @Override
                    public void emit(Void value, long timestamp) {}

                    @Override
                    public <X> void emitSide(OutputTag<X> tag, X value, long timestamp) {}

                    @Override
                    public void emitWatermark(long watermark) {}

                    @Override
                    public void emitIdleness(boolean idle) {}
                });
        if (restored != null) sink.restoreState(new BytesIn(restored));
        sink.open();
        return sink;
    }

    private List<String> committed() throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir.resolve("out"))) {
            for (Path f : files.filter(f -> !f.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList()) lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
        }
        return lines;
    }

    private static byte[] snapshot(TransactionalFileSink<String> sink, long id) throws IOException {
        BytesOut out = new BytesOut();
        sink.snapshotState(id, out);
        return out.toByteArray();
    }

    @Test
    void recordsAppearOnlyWhenTheirCheckpointCompletes() throws Exception {
        TransactionalFileSink<String> sink = sink(null);
        sink.processElement("a", 0);
        sink.processElement("b", 0);
        snapshot(sink, 1);
        sink.processElement("c", 0);
        assertThat(committed()).as("pre-committed is not visible").isEmpty();
        sink.checkpointComplete(1);
        assertThat(committed()).containsExactly("a", "b");
        sink.checkpointComplete(1);
        assertThat(committed()).as("committing again is a no-op").containsExactly("a", "b");
        sink.close();
    }

    @Test
    void aRestoreCommitsTheRestoredCheckpointsFilesAndAbortsLaterOnes() throws Exception {
        TransactionalFileSink<String> first = sink(null);
        first.processElement("a", 0);
        byte[] state = snapshot(first, 1); // checkpoint 1 completes, but the notice never arrives
        first.processElement("b", 0);
        snapshot(first, 2); // pre-committed, checkpoint 2 never completes
        first.processElement("c", 0); // in progress
        first.close();

        TransactionalFileSink<String> second = sink(state);
        assertThat(committed()).containsExactly("a");
        try (Stream<Path> staged = Files.list(dir.resolve("out/.staging"))) {
            assertThat(staged.toList())
                    .as("pending of 2 and the in-progress file are gone")
                    .isEmpty();
        }
        // A restart from the same checkpoint again commits nothing twice.
        second.close();
        sink(state).close();
        assertThat(committed()).containsExactly("a");
    }

    @Test
    void theOutputDirectoryMustNotExist() throws IOException {
        Files.createDirectories(dir.resolve("out"));
        assertThatThrownBy(() -> dev.cairn.dataflow.Dataflow.create()
                        .fromCollection(java.util.List.of("a"), dev.cairn.common.codec.Codecs.STRING)
                        .writeAsTextExactlyOnce(dir.resolve("out")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already exists");
        // A factory is deserialized again on every node and for every run, after the first subtask
        // made the directory: the factory itself accepts it.
        new TransactionalFileSink.Factory<String>(dir.resolve("out").toString()).create();
    }
}
