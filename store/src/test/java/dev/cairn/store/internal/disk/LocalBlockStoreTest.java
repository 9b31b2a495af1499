package dev.cairn.store.internal.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalBlockStoreTest {
    private static final int CHUNK = LocalBlockStore.DEFAULT_CHUNK_SIZE;

    @TempDir
    Path dir;

    private LocalBlockStore store;

    private LocalBlockStore open() throws IOException {
        store = LocalBlockStore.open(LocalBlockStore.Options.of(List.of(dir)));
        return store;
    }

    @AfterEach
    void closeStore() throws IOException {
        if (store != null) store.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 12345})
    void blocksReadBackAsWritten(int size) throws IOException {
        open();
        Random random = new Random(size);
        byte[] data = Blocks.randomBytes(random, size);
        BlockId id = new BlockId(size);

        assertThat(Blocks.write(store, id, data, random)).isEqualTo(new BlockInfo(id, size));

        assertThat(Blocks.readAll(store, id)).isEqualTo(data);
        assertThat(store.verify(id)).isEqualTo(new VerifyResult.Ok(id, size));
        assertThat(store.blocks()).containsExactly(new BlockInfo(id, size));
        assertThat(store.usedBytes()).isEqualTo(size);
        assertThat(Files.size(Blocks.crcFile(store, id))).isEqualTo(12 + 4 * ((size + CHUNK - 1) / CHUNK));
    }

    @Test
    void readsAtRandomOffsetsReturnTheRightBytes() throws IOException {
        open();
        Random random = new Random(7);
        byte[] data = Blocks.randomBytes(random, 5 * CHUNK + 999);
        BlockId id = new BlockId(1);
        Blocks.write(store, id, data, random);

        try (BlockReader r = store.open(id)) {
            assertThat(r.length()).isEqualTo(data.length);
            for (int i = 0; i < 200; i++) {
                int offset = random.nextInt(data.length + 1);
                int len = random.nextInt(3 * CHUNK);
                byte[] dst = new byte[len + 10];
                int n = r.read(offset, dst, 5, len);
                assertThat(n).isEqualTo(Math.min(len, data.length - offset));
                assertThat(Arrays.copyOfRange(dst, 5, 5 + n)).isEqualTo(Arrays.copyOfRange(data, offset, offset + n));
            }
            assertThat(r.read(data.length, new byte[4], 0, 4)).isZero();
            assertThatThrownBy(() -> r.read(data.length + 1, new byte[4], 0, 4))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void aFlippedByteFailsOnlyReadsOfItsChunk() throws IOException {
        open();
        Random random = new Random(3);
        byte[] data = Blocks.randomBytes(random, 4 * CHUNK + 100);
        BlockId id = new BlockId(9);
        Blocks.write(store, id, data, random);

        Blocks.flipByte(store, id, 2L * CHUNK + 17);

        try (BlockReader r = store.open(id)) {
            byte[] dst = new byte[CHUNK];
            assertThatThrownBy(() -> r.read(2L * CHUNK + 5, dst, 0, 10))
                    .isInstanceOfSatisfying(ChecksumException.class, e -> {
                        assertThat(e.block()).isEqualTo(id);
                        assertThat(e.dir()).isEqualTo(dir.toAbsolutePath());
                        assertThat(e.chunkOffset()).isEqualTo(2L * CHUNK);
                    })
                    .hasMessageContaining(id.toString())
                    .hasMessageContaining(dir.toString())
                    .hasMessageContaining("offset " + 2 * CHUNK);
            // A read spanning into the bad chunk fails too; the chunks around it read fine.
            assertThatThrownBy(() -> r.read(2L * CHUNK - 5, dst, 0, 10)).isInstanceOf(ChecksumException.class);
            for (int chunk : new int[] {0, 1, 3, 4}) {
                int n = r.read((long) chunk * CHUNK, dst, 0, CHUNK);
                assertThat(Arrays.copyOf(dst, n)).isEqualTo(Arrays.copyOfRange(data, chunk * CHUNK, chunk * CHUNK + n));
            }
        }
        assertThat(store.verify(id)).isInstanceOfSatisfying(VerifyResult.Corrupt.class, c -> {
            assertThat(c.chunkIndex()).isEqualTo(2);
            assertThat(c.chunkOffset()).isEqualTo(2L * CHUNK);
        });
    }

    @Test
    void aFlippedByteInTheSidecarIsCaughtToo() throws IOException {
        open();
        Random random = new Random(4);
        BlockId id = new BlockId(4);
        Blocks.write(store, id, Blocks.randomBytes(random, 3 * CHUNK), random);
        Path crc = Blocks.crcFile(store, id);
        byte[] sidecar = Files.readAllBytes(crc);
        sidecar[12 + 4 + 1] ^= 1; // inside the checksum of chunk 1
        Files.write(crc, sidecar);

        assertThat(store.verify(id))
                .isInstanceOfSatisfying(
                        VerifyResult.Corrupt.class,
                        c -> assertThat(c.chunkIndex()).isEqualTo(1));
    }

    @Test
    void aDamagedSidecarHeaderMakesTheBlockCorruptNotUnreadable() throws IOException {
        open();
        Random random = new Random(5);
        BlockId id = new BlockId(5);
        Blocks.write(store, id, Blocks.randomBytes(random, 100), random);
        Path crc = Blocks.crcFile(store, id);
        byte[] sidecar = Files.readAllBytes(crc);
        sidecar[0] = 'X';
        Files.write(crc, sidecar);

        assertThat(store.verify(id))
                .isInstanceOfSatisfying(
                        VerifyResult.Corrupt.class, c -> assertThat(c.detail()).contains("bad magic"));
        assertThatThrownBy(() -> store.open(id)).isInstanceOf(ChecksumException.class);
    }

    @Test
    void aDataFileTruncatedAfterOpenIsCorrupt() throws IOException {
        open();
        Random random = new Random(6);
        BlockId id = new BlockId(6);
        Blocks.write(store, id, Blocks.randomBytes(random, 2 * CHUNK + 5), random);
        try (var ch = java.nio.channels.FileChannel.open(
                Blocks.dataFile(store, id), java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(CHUNK + 3);
        }

        assertThat(store.verify(id)).isInstanceOfSatisfying(VerifyResult.Corrupt.class, c -> {
            assertThat(c.chunkIndex()).isEqualTo(1);
            assertThat(c.detail()).contains("ends inside");
        });
    }

    @Test
    void anExistingIdCannotBeCreatedAgain() throws IOException {
        open();
        BlockId id = new BlockId(77);
        BlockWriter first = store.create(id);
        assertThatThrownBy(() -> store.create(id))
                .isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining("being written");
        first.write(new byte[] {1, 2, 3}, 0, 3);
        first.finish();
        assertThatThrownBy(() -> store.create(id))
                .isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining(id + " already exists")
                .hasMessageContaining(dir.toString());
        assertThatThrownBy(() -> first.write(new byte[1], 0, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anAbortedBlockLeavesNothingAndFreesItsId() throws IOException {
        open();
        BlockId id = new BlockId(78);
        try (BlockWriter w = store.create(id)) {
            w.write(new byte[CHUNK + 1], 0, CHUNK + 1);
        } // closed without finish: aborted
        assertThat(store.contains(id)).isFalse();
        assertThat(store.blocks()).isEmpty();
        try (var tmp = Files.list(dir.resolve("tmp"));
                var current = Files.list(dir.resolve("current"))) {
            assertThat(tmp).isEmpty();
            assertThat(current).isEmpty();
        }
        try (BlockWriter w = store.create(id)) {
            assertThat(w.finish()).isEqualTo(new BlockInfo(id, 0));
        }
        assertThat(store.contains(id)).isTrue();
    }

    @Test
    void deleteRemovesTheBlockButNotFromOpenReaders() throws IOException {
        open();
        Random random = new Random(8);
        byte[] data = Blocks.randomBytes(random, CHUNK + 10);
        BlockId id = new BlockId(8);
        Blocks.write(store, id, data, random);
        Path file = Blocks.dataFile(store, id);

        try (BlockReader r = store.open(id)) {
            assertThat(store.delete(id)).isTrue();
            byte[] all = new byte[data.length];
            assertThat(r.read(0, all, 0, all.length)).isEqualTo(data.length);
            assertThat(all).isEqualTo(data);
        }
        assertThat(store.delete(id)).isFalse();
        assertThat(store.contains(id)).isFalse();
        assertThat(store.usedBytes()).isZero();
        assertThat(file).doesNotExist();
        assertThat(file.resolveSibling(id + ".crc")).doesNotExist();
        assertThatThrownBy(() -> store.open(id))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(id.toString());
        assertThatThrownBy(() -> store.verify(id)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void blocksAreListedInIdOrderWithTheirLengths() throws IOException {
        open();
        Random random = new Random(9);
        for (long v : new long[] {30, -2, 10})
            Blocks.write(store, new BlockId(v), Blocks.randomBytes(random, (int) (v & 0xff)), random);

        assertThat(store.blocks())
                .containsExactly(
                        new BlockInfo(new BlockId(10), 10),
                        new BlockInfo(new BlockId(30), 30),
                        new BlockInfo(new BlockId(-2), 254));
        assertThat(store.usedBytes()).isEqualTo(294);
        assertThat(store.freeBytes()).isPositive();
    }

    @Test
    void aClosedStoreRefusesNewWork() throws IOException {
        open();
        BlockWriter w = store.create(new BlockId(1));
        store.close();
        assertThatThrownBy(() -> store.create(new BlockId(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(w::finish).isInstanceOf(IllegalStateException.class);
        assertThat(dir.resolve("tmp/" + new BlockId(1))).doesNotExist();
    }
}
