package dev.cairn.dataflow.internal.checkpoint;

import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.fs.LocalFileSystem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint storage contract on local disks: the local directory storage, and the file system one on local files. */
class LocalCheckpointStorageTest {
    @TempDir
    static Path dir;

    private static int next;

    private static Path fresh() {
        return dir.resolve("storage-" + next++);
    }

    @Nested
    class LocalDirectory extends CheckpointStorageContract {
        @Override
        protected CheckpointStorage storage() throws IOException {
            // What CheckpointStorage.at picks for a local path.
            return CheckpointStorage.at(FileSystemRegistry.local(), fresh().toString());
        }

        @Override
        protected List<String> sharedFiles(CheckpointStorage storage) throws IOException {
            return List.copyOf(((LocalDirectoryCheckpointStorage) storage).sharedFiles());
        }
    }

    @Nested
    class FileSystemOnLocalFiles extends CheckpointStorageContract {
        @Override
        protected CheckpointStorage storage() throws IOException {
            return new FileSystemCheckpointStorage(LocalFileSystem.INSTANCE, fresh().toString());
        }

        @Override
        protected List<String> sharedFiles(CheckpointStorage storage) throws IOException {
            return List.copyOf(((FileSystemCheckpointStorage) storage).sharedFiles());
        }
    }
}
