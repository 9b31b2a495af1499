package dev.cairn.dataflow.internal.checkpoint;

import java.io.IOException;
import java.util.List;

/**
 * Where checkpoints live: one state blob per subtask per checkpoint, then a metadata blob that,
 * once written, makes the checkpoint complete. Writing the metadata is atomic: a reader sees
 * either no metadata or all of it, and never metadata without every state blob it names. The
 * embedded cluster uses a local directory ({@link LocalDirectoryCheckpointStorage}); the
 * distributed runtime will put state in Cairn's store and the metadata in coord.
 *
 * <p>Thread-safe: subtasks write their state concurrently; the coordinator writes metadata.
 */
public interface CheckpointStorage {
    /** Durably stores the state of {@code subtask} (a stable id such as {@code 3-1}) for a checkpoint. */
    void writeState(long checkpointId, String subtask, byte[] state) throws IOException;

    /** The state a subtask wrote for a checkpoint, or null if it wrote none. */
    byte[] readState(long checkpointId, String subtask) throws IOException;

    /** Durably and atomically stores the metadata, completing the checkpoint. */
    void commitMetadata(long checkpointId, byte[] metadata) throws IOException;

    /** The metadata of a completed checkpoint, or null if it is not complete. */
    byte[] readMetadata(long checkpointId) throws IOException;

    /** The ids of the complete checkpoints, ascending. */
    List<Long> completed() throws IOException;

    /** Deletes everything of a checkpoint, complete or not; deleting what is gone is a no-op. */
    void discard(long checkpointId) throws IOException;
}
