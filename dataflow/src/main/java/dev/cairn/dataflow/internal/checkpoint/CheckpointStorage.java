package dev.cairn.dataflow.internal.checkpoint;

import dev.cairn.common.fs.FileSystem;
import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.fs.LocalFileSystem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * Where checkpoints live: one state blob per subtask per checkpoint, then a metadata blob that,
 * once written, makes the checkpoint complete. Writing the metadata is atomic: a reader sees
 * either no metadata or all of it, and never metadata without every state blob it names. A
 * local directory ({@link LocalDirectoryCheckpointStorage}, with fsyncs) or a directory of another
 * {@link FileSystem}, such as Cairn's store ({@link FileSystemCheckpointStorage}); {@link #at}
 * picks by the path's scheme. On a cluster, the stream master also records each completed
 * checkpoint in its job registry (coord).
 *
 * <p>Thread-safe: subtasks write their state concurrently; the coordinator writes metadata.
 */
public interface CheckpointStorage {
    /**
     * The storage in directory {@code dir}: a local one for a plain or {@code file:} path, else
     * one on the file system {@code fileSystems} has for its scheme.
     *
     * @throws IllegalArgumentException naming the path when no file system serves it
     */
    static CheckpointStorage at(FileSystemRegistry fileSystems, String dir) throws IOException {
        FileSystem fs = fileSystems.forPath(dir);
        if (fs instanceof LocalFileSystem local)
            return new LocalDirectoryCheckpointStorage(Path.of(local.qualify(dir)));
        return new FileSystemCheckpointStorage(fs, dir);
    }

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

    /**
     * Deletes everything of a checkpoint, complete or not; deleting what is gone is a no-op. Shared
     * files stay while another checkpoint (complete or in progress) references them.
     */
    void discard(long checkpointId) throws IOException;

    // Shared files: write-once files that several checkpoints of one state backend instance (and
    // of its restored successors) refer to by name, such as RocksDB's SST files. A snapshot then
    // holds a manifest naming them, and a checkpoint uploads only the files no earlier one did.

    /**
     * Records that checkpoint {@code checkpointId} refers to the shared files {@code names}, for
     * the writer {@code owner} (unique per state backend instance). Must be called before the files
     * are written: a file is kept while some checkpoint's references name it.
     */
    void referenceSharedFiles(long checkpointId, String owner, Collection<String> names) throws IOException;

    /**
     * Durably stores {@code file} as the shared file {@code name}. Names are never reused for other
     * content: a writer names a new file uniquely.
     */
    void writeSharedFile(String name, Path file) throws IOException;

    /** Copies the shared file {@code name} to {@code target} (which must not exist). */
    void readSharedFile(String name, Path target) throws IOException;
}
