package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.fs.FileSystemRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The sink's two-phase commit on local files. */
class LocalTransactionalFileSinkTest extends TransactionalFileSinkContract {
    @TempDir
    Path dir;

    @Override
    protected FileSystemRegistry fileSystems() {
        return FileSystemRegistry.local();
    }

    @Override
    protected String root() {
        return dir.toString();
    }
}
