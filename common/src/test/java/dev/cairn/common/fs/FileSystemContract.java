package dev.cairn.common.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What every {@link FileSystem} promises, written once and run on each implementation (local
 * files here; the store and the batch engine's in-memory fake in their modules).
 */
public abstract class FileSystemContract {
    /** The file system under test. */
    protected abstract FileSystem fs();

    /** An empty directory of {@link #fs()} for this test, qualified. */
    protected abstract String root() throws IOException;

    /** A file size that spans several blocks where the file system has blocks. */
    protected int multiBlockSize() {
        return 300_000;
    }

    private String path(String relative) throws IOException {
        return FsPaths.child(root(), relative);
    }

    protected static void write(FileSystem fs, String file, byte[] data) throws IOException {
        try (OutputStream out = fs.create(file)) {
            out.write(data);
        }
    }

    protected static byte[] read(FileSystem fs, String file, long offset, long length) throws IOException {
        try (InputStream in = fs.open(file, offset, length)) {
            byte[] b = in.readAllBytes();
            if (in instanceof ReadLocality r) {
                assertThat(r.localBytes() + r.remoteBytes())
                        .as("local + remote bytes of %s", file)
                        .isEqualTo(b.length);
            }
            return b;
        }
    }

    @Test
    void aCreatedFileAppearsWhenClosedAndIsNeverReplaced() throws Exception {
        String file = path("new/dir/f.txt");
        OutputStream out = fs().create(file);
        out.write("hello".getBytes(StandardCharsets.UTF_8));
        assertThat(fs().exists(file)).as("visible before close").isFalse();
        out.close();
        assertThat(fs().exists(file)).isTrue();
        assertThat(fs().listFiles(root())).containsExactly(new FileEntry(fs().qualify(file), 5));

        assertThatThrownBy(() -> write(fs(), file, new byte[3])).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(read(fs(), file, 0, 100)).isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void rangesReadExactlyTheirBytesAndBlocksPartitionTheFile() throws Exception {
        byte[] data = new byte[multiBlockSize()];
        new Random(5).nextBytes(data);
        String file = path("data.bin");
        write(fs(), file, data);

        List<BlockSpan> blocks = fs().blocks(file);
        long next = 0;
        for (BlockSpan b : blocks) {
            assertThat(b.offset()).isEqualTo(next);
            assertThat(b.length()).isPositive();
            next += b.length();
        }
        assertThat(next).isEqualTo(data.length);

        int n = data.length;
        long[][] ranges = {{0, n}, {1, 10}, {n / 3, n / 3}, {n - 5, 100}, {n, 10}, {0, 0}};
        for (long[] r : ranges) {
            int from = (int) r[0];
            int to = (int) Math.min(n, r[0] + r[1]);
            assertThat(read(fs(), file, r[0], r[1]))
                    .as("range %d+%d", r[0], r[1])
                    .isEqualTo(Arrays.copyOfRange(data, from, to));
        }
        for (BlockSpan b : blocks) {
            // Across each block boundary.
            long from = Math.max(0, b.offset() - 7);
            assertThat(read(fs(), file, from, 20))
                    .isEqualTo(Arrays.copyOfRange(data, (int) from, (int) Math.min(n, from + 20)));
        }
    }

    @Test
    void listingIsRecursiveSortedAndQualified() throws Exception {
        for (String f : List.of("b.txt", "a/x.txt", "a/y/z.txt"))
            write(fs(), path(f), f.getBytes(StandardCharsets.UTF_8));
        assertThat(fs().listFiles(root()))
                .extracting(FileEntry::path)
                .containsExactly(
                        fs().qualify(path("a/x.txt")), fs().qualify(path("a/y/z.txt")), fs().qualify(path("b.txt")));
        assertThat(fs().listFiles(path("a/y/z.txt")))
                .containsExactly(new FileEntry(fs().qualify(path("a/y/z.txt")), 9));
        assertThatThrownBy(() -> fs().listFiles(path("missing"))).isInstanceOf(NoSuchFileException.class);
        assertThat(fs().qualify(fs().qualify(path("a/x.txt")))).isEqualTo(fs().qualify(path("a/x.txt")));
    }

    @Test
    void renameMovesExactlyToItsTargetAndNeverOntoAnExistingOne() throws Exception {
        write(fs(), path("staging/part-0"), new byte[] {1});
        write(fs(), path("staging/sub/part-1"), new byte[] {2, 3});
        fs().rename(path("staging"), path("out"));
        assertThat(fs().exists(path("staging"))).isFalse();
        assertThat(fs().listFiles(path("out")))
                .extracting(FileEntry::path, FileEntry::length)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(fs().qualify(path("out/part-0")), 1L),
                        org.assertj.core.groups.Tuple.tuple(fs().qualify(path("out/sub/part-1")), 2L));

        fs().mkdirs(path("taken"));
        assertThatThrownBy(() -> fs().rename(path("out"), path("taken")))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(fs().exists(path("out/part-0"))).isTrue();
        assertThat(fs().exists(path("taken/out")))
                .as("never moved into the target")
                .isFalse();
    }

    @Test
    void deleteIsRecursiveAndQuietAboutMissingPaths() throws Exception {
        write(fs(), path("d/e/f"), new byte[10]);
        fs().mkdirs(path("d/empty"));
        fs().delete(path("d"));
        assertThat(fs().exists(path("d"))).isFalse();
        fs().delete(path("d"));
        fs().mkdirs(path("m/n"));
        fs().mkdirs(path("m/n"));
        assertThat(fs().exists(path("m/n"))).isTrue();
    }
}
