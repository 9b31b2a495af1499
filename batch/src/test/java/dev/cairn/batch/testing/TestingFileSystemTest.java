package dev.cairn.batch.testing;

import dev.cairn.common.fs.FileSystem;
import dev.cairn.common.fs.FileSystemContract;
import java.util.List;

/** The fake keeps the contract its real counterparts keep. */
class TestingFileSystemTest extends FileSystemContract {
    private final TestingFileSystem fs =
            TestingFileSystem.create(64 << 10, i -> List.of("n" + i % 3)).on("n1");

    @Override
    protected FileSystem fs() {
        return fs;
    }

    @Override
    protected String root() {
        return "mem:///t";
    }
}
