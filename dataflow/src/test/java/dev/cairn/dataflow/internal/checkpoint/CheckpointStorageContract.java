package dev.cairn.dataflow.internal.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link CheckpointStorage} promises, written once and run on each: the local
 * directory, a {@link FileSystemCheckpointStorage} on local files here, and one on Cairn's store
 * in node's tests.
 */
public abstract class CheckpointStorageContract {
    @TempDir
    protected Path scratch;

    /** A new, empty storage for this test. */
    protected abstract CheckpointStorage storage() throws IOException;

    /** The names of the shared files the storage holds now. */
    protected abstract List<String> sharedFiles(CheckpointStorage storage) throws IOException;

    @Test
    void aCheckpointIsCompleteOnlyOnceItsMetadataIsWritten() throws IOException {
        CheckpointStorage s = storage();
        s.writeState(1, "0-0", new byte[] {1, 2});
        s.writeState(1, "3-1", new byte[] {3});
        assertThat(s.completed()).isEmpty();
        assertThat(s.readMetadata(1)).isNull();
        s.commitMetadata(1, new byte[] {9});
        assertThat(s.completed()).containsExactly(1L);
        assertThat(s.readMetadata(1)).containsExactly(9);
        assertThat(s.readState(1, "0-0")).containsExactly(1, 2);
        assertThat(s.readState(1, "3-1")).containsExactly(3);
        assertThat(s.readState(1, "9-9")).as("a subtask that wrote nothing").isNull();
        assertThat(s.readState(2, "0-0")).isNull();
    }

    @Test
    void completedListsTheCompleteCheckpointsInOrder() throws IOException {
        CheckpointStorage s = storage();
        for (long id : List.of(12L, 3L, 7L)) {
            s.writeState(id, "0-0", new byte[] {(byte) id});
            s.commitMetadata(id, new byte[0]);
        }
        s.writeState(13, "0-0", new byte[0]); // in progress
        assertThat(s.completed()).containsExactly(3L, 7L, 12L);
    }

    @Test
    void aCheckpointTriedAgainOverwritesWhatAFailedRunLeft() throws IOException {
        CheckpointStorage s = storage();
        s.writeState(2, "0-0", new byte[] {1});
        s.writeState(2, "0-0", new byte[] {2});
        s.commitMetadata(2, new byte[] {1});
        s.commitMetadata(2, new byte[] {2});
        assertThat(s.readState(2, "0-0")).containsExactly(2);
        assertThat(s.readMetadata(2)).containsExactly(2);
    }

    @Test
    void discardRemovesACheckpointAndIsANoOpWhenItIsGone() throws IOException {
        CheckpointStorage s = storage();
        s.writeState(1, "0-0", new byte[] {1});
        s.commitMetadata(1, new byte[0]);
        s.writeState(2, "0-0", new byte[] {2});
        s.discard(1);
        s.discard(2);
        s.discard(1);
        assertThat(s.completed()).isEmpty();
        assertThat(s.readState(1, "0-0")).isNull();
        assertThat(s.readState(2, "0-0")).isNull();
    }

    @Test
    void sharedFilesStayWhileACheckpointReferencesThem() throws IOException {
        CheckpointStorage s = storage();
        Path a = Files.write(scratch.resolve("a.sst"), new byte[] {1, 2, 3});
        Path b = Files.write(scratch.resolve("b.sst"), new byte[] {4});
        s.referenceSharedFiles(1, "owner1", List.of("x-1.sst"));
        s.writeSharedFile("x-1.sst", a);
        s.writeSharedFile("x-1.sst", a); // an upload tried again
        s.commitMetadata(1, new byte[0]);
        s.referenceSharedFiles(2, "owner1", List.of("x-1.sst", "x-2.sst"));
        s.writeSharedFile("x-2.sst", b);
        s.commitMetadata(2, new byte[0]);
        assertThat(sharedFiles(s)).containsExactlyInAnyOrder("x-1.sst", "x-2.sst");

        s.discard(1);
        assertThat(sharedFiles(s)).as("checkpoint 2 still names both").containsExactlyInAnyOrder("x-1.sst", "x-2.sst");
        Path copy = scratch.resolve("copy.sst");
        s.readSharedFile("x-1.sst", copy);
        assertThat(Files.readAllBytes(copy)).containsExactly(1, 2, 3);

        s.referenceSharedFiles(3, "owner1", List.of("x-2.sst"));
        s.commitMetadata(3, new byte[0]);
        s.discard(2);
        assertThat(sharedFiles(s)).containsExactly("x-2.sst");
        s.discard(3);
        assertThat(sharedFiles(s)).isEmpty();
    }
}
