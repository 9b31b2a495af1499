package dev.cairn.dataflow.internal.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.time.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStorageAndCoordinatorTest {
    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(0);

    private CheckpointCoordinator coordinator(CheckpointStorage storage) {
        return new CheckpointCoordinator(
                List.of("a", "b"),
                TimeUnit.MILLISECONDS.toNanos(100),
                TimeUnit.MILLISECONDS.toNanos(1000),
                2,
                storage,
                clock,
                0);
    }

    @Test
    void aCheckpointCompletesWhenEverySubtaskAcknowledgedAndTheMetadataIsWrittenLast() throws IOException {
        LocalDirectoryCheckpointStorage storage = new LocalDirectoryCheckpointStorage(dir);
        CheckpointCoordinator c = coordinator(storage);
        assertThat(c.maybeTrigger()).isEqualTo(-1);
        clock.advance(100, TimeUnit.MILLISECONDS);
        assertThat(c.maybeTrigger()).isEqualTo(1);
        storage.writeState(1, "a", new byte[] {1});
        assertThat(c.acknowledge(1, "a")).isFalse();
        assertThat(storage.completed()).isEmpty();
        storage.writeState(1, "b", new byte[] {2});
        assertThat(c.acknowledge(1, "b")).isTrue();
        assertThat(storage.completed()).containsExactly(1L);
        assertThat(storage.readState(1, "b")).containsExactly(2);
        assertThat(c.latestCompleted()).isEqualTo(1);
        try (var files = Files.list(dir.resolve("chk-1"))) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("_metadata", "a.state", "b.state");
        }
    }

    @Test
    void onlyTheLastKCompleteCheckpointsAreKept() throws IOException {
        LocalDirectoryCheckpointStorage storage = new LocalDirectoryCheckpointStorage(dir);
        CheckpointCoordinator c = coordinator(storage);
        for (int i = 1; i <= 4; i++) {
            clock.advance(100, TimeUnit.MILLISECONDS);
            long id = c.maybeTrigger();
            for (String s : List.of("a", "b")) {
                storage.writeState(id, s, new byte[0]);
                c.acknowledge(id, s);
            }
        }
        assertThat(storage.completed()).containsExactly(3L, 4L);
        assertThat(dir.resolve("chk-1")).doesNotExist();
    }

    @Test
    void aLostAcknowledgementTimesTheCheckpointOutAndStaleAcksAreIgnored() throws IOException {
        InMemoryCheckpointStorage storage = new InMemoryCheckpointStorage();
        CheckpointCoordinator c = coordinator(storage);
        clock.advance(100, TimeUnit.MILLISECONDS);
        assertThat(c.maybeTrigger()).isEqualTo(1);
        c.acknowledge(1, "a");
        clock.advance(500, TimeUnit.MILLISECONDS);
        assertThat(c.maybeTrigger()).as("one pending at a time").isEqualTo(-1);
        clock.advance(500, TimeUnit.MILLISECONDS);
        assertThat(c.maybeTrigger()).as("timed out, next one").isEqualTo(2);
        assertThat(c.acknowledge(1, "b")).isFalse();
        assertThat(storage.completed()).isEmpty();
        assertThat(c.aborted()).as("the timed-out one counts as given up").isEqualTo(1);
        c.abort(2);
        c.abort(2);
        assertThat(c.aborted()).as("a declined one too, once").isEqualTo(2);
    }
}
