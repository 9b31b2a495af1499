package dev.cairn.common.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalFileSystemTest extends FileSystemContract {
    @TempDir
    Path dir;

    @Override
    protected FileSystem fs() {
        return LocalFileSystem.INSTANCE;
    }

    @Override
    protected String root() {
        return dir.toString();
    }

    @Test
    void fileUrisAndPlainPathsAreTheSameFile() throws IOException {
        Files.writeString(dir.resolve("a.txt"), "x");
        assertThat(fs().qualify("file://" + dir + "/./a.txt"))
                .isEqualTo(dir.resolve("a.txt").toString());
        assertThat(fs().qualify("file:" + dir + "/a.txt"))
                .isEqualTo(dir.resolve("a.txt").toString());
        assertThatThrownBy(() -> fs().qualify("file://host/a.txt")).hasMessageContaining("names a host");
        try (var in = fs().open(dir.resolve("a.txt").toString(), 0, 10)) {
            in.readAllBytes();
            assertThat(((ReadLocality) in).localBytes())
                    .as("a local read is node-local")
                    .isEqualTo(1);
        }
    }

    @Test
    void closingLeavesNoTemporaryFileBehind() throws IOException {
        var out = fs().create(dir.resolve("f").toString());
        out.write(1);
        assertThat(fs().exists(dir.resolve("f").toString())).isFalse();
        out.close();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("f");
        }
    }
}
