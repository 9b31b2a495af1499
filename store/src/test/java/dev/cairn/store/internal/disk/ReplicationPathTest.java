package dev.cairn.store.internal.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Copying a block chunk by chunk with its checksums, as a replication pipeline does. */
class ReplicationPathTest {
    private static final int SOURCE_CHUNK = 1000; // not the target's: a replica keeps its source's

    @TempDir
    Path sourceDir;

    @TempDir
    Path targetDir;

    private LocalBlockStore source;
    private LocalBlockStore target;

    @BeforeEach
    void open() throws IOException {
        source = LocalBlockStore.open(
                LocalBlockStore.Options.of(List.of(sourceDir)).withChunkSize(SOURCE_CHUNK));
        target = LocalBlockStore.open(LocalBlockStore.Options.of(List.of(targetDir)));
    }

    @AfterEach
    void close() throws IOException {
        source.close();
        target.close();
    }

    private static int crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }

    /** Streams {@code id} from source to target through readChunk and writeChunk. */
    private BlockInfo replicate(BlockId id) throws IOException {
        try (BlockReader r = source.open(id);
                BlockWriter w = target.create(id, r.chunkSize())) {
            ByteBuffer buf = ByteBuffer.allocate(r.chunkSize());
            for (int i = 0; i < r.chunkCount(); i++) {
                buf.clear();
                int storedCrc = r.readChunk(i, buf);
                assertThat(buf.position()).isEqualTo(r.chunkLength(i));
                w.writeChunk(buf.array(), 0, buf.position(), storedCrc);
            }
            return w.finish();
        }
    }

    @Test
    void aReplicaIsAnExactCopyChecksumsIncluded() throws IOException {
        Random random = new Random(11);
        for (int size : new int[] {0, 1, SOURCE_CHUNK, 7 * SOURCE_CHUNK + 3}) {
            BlockId id = new BlockId(size);
            byte[] data = Blocks.randomBytes(random, size);
            Blocks.write(source, id, data, random);

            assertThat(replicate(id)).isEqualTo(new BlockInfo(id, size));

            assertThat(Blocks.readAll(target, id)).isEqualTo(data);
            assertThat(Files.readAllBytes(Blocks.crcFile(target, id)))
                    .isEqualTo(Files.readAllBytes(Blocks.crcFile(source, id)));
        }
    }

    @Test
    void corruptionAtTheSourceIsCaughtByTheReplica() throws IOException {
        Random random = new Random(12);
        BlockId id = new BlockId(1);
        Blocks.write(source, id, Blocks.randomBytes(random, 3 * SOURCE_CHUNK), random);
        Blocks.flipByte(source, id, SOURCE_CHUNK + 1);

        assertThatThrownBy(() -> replicate(id)).isInstanceOfSatisfying(ChecksumException.class, e -> {
            assertThat(e.block()).isEqualTo(id);
            assertThat(e.chunkOffset()).isEqualTo(SOURCE_CHUNK);
            assertThat(e.dir()).isEqualTo(targetDir.toAbsolutePath());
        });
        assertThat(target.contains(id)).isFalse();
    }

    @Test
    void aChunkWithTheWrongChecksumIsRefusedAndMaySendAgain() throws IOException {
        Random random = new Random(13);
        byte[] data = Blocks.randomBytes(random, 2 * SOURCE_CHUNK);
        BlockId id = new BlockId(2);
        try (BlockWriter w = target.create(id, SOURCE_CHUNK)) {
            w.writeChunk(data, 0, SOURCE_CHUNK, crc(data, 0, SOURCE_CHUNK));
            int good = crc(data, SOURCE_CHUNK, SOURCE_CHUNK);
            assertThatThrownBy(() -> w.writeChunk(data, SOURCE_CHUNK, SOURCE_CHUNK, good + 1))
                    .isInstanceOf(ChecksumException.class)
                    .hasMessageContaining(id.toString())
                    .hasMessageContaining("offset " + SOURCE_CHUNK);
            assertThat(w.length()).isEqualTo(SOURCE_CHUNK);
            w.writeChunk(data, SOURCE_CHUNK, SOURCE_CHUNK, good);
            w.finish();
        }
        assertThat(Blocks.readAll(target, id)).isEqualTo(data);
    }

    @Test
    void chunksMustStartAtABoundaryAndOnlyTheLastMayBeShort() throws IOException {
        byte[] data = new byte[3 * SOURCE_CHUNK];
        try (BlockWriter w = target.create(new BlockId(3), SOURCE_CHUNK)) {
            w.write(data, 0, 10);
            assertThatThrownBy(() -> w.writeChunk(data, 0, SOURCE_CHUNK, crc(data, 0, SOURCE_CHUNK)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("chunk boundary");
            w.write(data, 0, SOURCE_CHUNK - 10);
            w.writeChunk(data, 0, 5, crc(data, 0, 5));
            assertThatThrownBy(() -> w.writeChunk(data, 0, 5, crc(data, 0, 5)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("short chunk");
            assertThatThrownBy(() -> w.write(data, 0, 1)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> w.writeChunk(data, 0, SOURCE_CHUNK + 1, 0))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(w.finish()).isEqualTo(new BlockInfo(new BlockId(3), SOURCE_CHUNK + 5));
        }
        assertThat(target.verify(new BlockId(3)).ok()).isTrue();
    }
}
