package dev.cairn.store.internal.transfer;

import static dev.cairn.store.internal.transfer.PipelineWriteTest.randomBytes;
import static dev.cairn.store.internal.transfer.PipelineWriteTest.write;
import static dev.cairn.store.internal.transfer.TestNodes.CLIENT_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.security.TransportSecurity;
import dev.cairn.store.internal.disk.BlockId;
import dev.cairn.store.internal.disk.BlockInfo;
import dev.cairn.store.internal.disk.ChecksumException;
import dev.cairn.store.internal.transfer.PipelineAck.Failed;
import dev.cairn.store.internal.transfer.PipelineAck.Stored;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads, re-replication and the management requests, against real block servers on loopback. */
class BlockServerOpsTest {
    private static final int CHUNK = 4096;

    @TempDir
    Path dir;

    private TestNodes nodes;

    @BeforeEach
    void start() throws IOException {
        nodes = TestNodes.start(dir, 3, 1000, Duration.ofSeconds(5));
    }

    @AfterEach
    void close() throws IOException {
        nodes.close();
    }

    @Test
    void aCorruptReplicaFailsTheFetchNamingBlockNodeAndChunk() throws IOException {
        Random random = new Random(1);
        byte[] data = randomBytes(random, 4 * CHUNK + 10);
        BlockId id = new BlockId(1);
        write(id, nodes.addrs(0), data, random);
        nodes.flipByte(0, id, 2 * CHUNK + 100);

        assertThatThrownBy(() -> BlockFetcher.readAll(nodes.addr(0), id, CLIENT_TIMEOUT))
                .isInstanceOfSatisfying(ChecksumException.class, e -> {
                    assertThat(e.block()).isEqualTo(id);
                    assertThat(e.chunkOffset()).isEqualTo(2 * CHUNK);
                    assertThat(e.getMessage())
                            .contains(id.toString(), nodes.addr(0).toString(), "offset " + 2 * CHUNK);
                });
        // The chunks before the bad one arrive, checked, before the failure.
        try (InputStream in = BlockFetcher.open(nodes.addr(0), id, 0, -1, CLIENT_TIMEOUT)) {
            assertThat(in.readNBytes(2 * CHUNK)).isEqualTo(Arrays.copyOf(data, 2 * CHUNK));
            assertThatThrownBy(in::read).isInstanceOf(ChecksumException.class);
        }
        // Ranges that miss the bad chunk read fine.
        try (InputStream in = BlockFetcher.open(nodes.addr(0), id, 3 * CHUNK, 50, CLIENT_TIMEOUT)) {
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, 3 * CHUNK, 3 * CHUNK + 50));
        }
    }

    @Test
    void aReplicaCutShortOnDiskFailsTheFetchAsCorrupt() throws IOException {
        Random random = new Random(11);
        byte[] data = randomBytes(random, 3 * CHUNK);
        BlockId id = new BlockId(11);
        write(id, nodes.addrs(0), data, random);
        try (FileChannel ch = FileChannel.open(nodes.dataFile(0, id), StandardOpenOption.WRITE)) {
            ch.truncate(2 * CHUNK + 10);
        }

        try (InputStream in = BlockFetcher.open(nodes.addr(0), id, 0, -1, CLIENT_TIMEOUT)) {
            assertThat(in.readNBytes(2 * CHUNK)).isEqualTo(Arrays.copyOf(data, 2 * CHUNK));
            assertThatThrownBy(in::read).isInstanceOfSatisfying(ChecksumException.class, e -> {
                assertThat(e.chunkOffset()).isEqualTo(2 * CHUNK);
                assertThat(e.getMessage())
                        .contains(
                                "damaged on its disk",
                                "data file ends inside this chunk",
                                nodes.addr(0).toString());
            });
            assertThatThrownBy(in::read).as("the stream stays failed").isInstanceOf(ChecksumException.class);
        }
    }

    @Test
    void aMissingBlockIsAClearError() throws IOException {
        BlockId id = new BlockId(2);
        assertThatThrownBy(() -> BlockFetcher.open(nodes.addr(1), id, 0, -1, CLIENT_TIMEOUT))
                .isInstanceOfSatisfying(BlockNotFoundException.class, e -> {
                    assertThat(e.block()).isEqualTo(id);
                    assertThat(e.node()).isEqualTo(nodes.addr(1));
                    assertThat(e.getMessage()).isEqualTo(id + " not found on node " + nodes.addr(1));
                });
        assertThatThrownBy(() -> BlockFetcher.replicate(nodes.addr(1), id, nodes.addrs(2), CLIENT_TIMEOUT))
                .isInstanceOf(BlockNotFoundException.class);
    }

    @Test
    void anOffsetBeyondTheEndIsRefused() throws IOException {
        Random random = new Random(3);
        BlockId id = new BlockId(3);
        write(id, nodes.addrs(0), randomBytes(random, 100), random);

        try (InputStream in = BlockFetcher.open(nodes.addr(0), id, 100, -1, CLIENT_TIMEOUT)) {
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThatThrownBy(() -> BlockFetcher.open(nodes.addr(0), id, 101, 1, CLIENT_TIMEOUT))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("beyond the end")
                .hasMessageContaining(nodes.addr(0).toString());
    }

    @Test
    void replicateCopiesAReplicaToTwoNodes() throws IOException {
        Random random = new Random(4);
        byte[] data = randomBytes(random, 7 * CHUNK + 3);
        BlockId id = new BlockId(4);
        write(id, nodes.addrs(0), data, random);

        PipelineAck ack = BlockFetcher.replicate(nodes.addr(0), id, nodes.addrs(1, 2), CLIENT_TIMEOUT);

        assertThat(ack.outcomes())
                .containsExactly(new Stored(nodes.addr(1), data.length), new Stored(nodes.addr(2), data.length));
        for (int i = 1; i < 3; i++) {
            assertThat(TestNodes.readDirect(nodes.store(i), id)).isEqualTo(data);
            assertThat(nodes.sidecar(i, id))
                    .isEqualTo(nodes.sidecar(0, id)); // the source's chunk size, not the store's
        }
    }

    @Test
    void replicatingACorruptReplicaIsRefusedByTheTargets() throws IOException {
        Random random = new Random(5);
        BlockId id = new BlockId(5);
        write(id, nodes.addrs(0), randomBytes(random, 3 * CHUNK), random);
        nodes.flipByte(0, id, 5);

        PipelineAck ack = BlockFetcher.replicate(nodes.addr(0), id, nodes.addrs(1, 2), CLIENT_TIMEOUT);

        assertThat(ack.succeeded()).isEmpty();
        assertThat(ack.outcomes().get(0))
                .isInstanceOfSatisfying(
                        Failed.class, f -> assertThat(f.reason()).contains("ChecksumException"));
        assertThat(nodes.store(1).contains(id)).isFalse();
        assertThat(nodes.store(2).contains(id)).isFalse();
    }

    @Test
    void replicatingToAnUnreachableTargetReportsIt() throws IOException {
        Random random = new Random(6);
        BlockId id = new BlockId(6);
        write(id, nodes.addrs(0), randomBytes(random, 10), random);
        DataAddress gone = nodes.addr(2);
        nodes.stop(2);

        PipelineAck ack = BlockFetcher.replicate(nodes.addr(0), id, List.of(gone, nodes.addr(1)), CLIENT_TIMEOUT);

        assertThat(ack.outcomes().get(0))
                .isInstanceOfSatisfying(
                        Failed.class, f -> assertThat(f.reason()).contains("cannot connect", gone.toString()));
        assertThat(ack.outcomes().get(1)).isInstanceOf(Failed.class);
    }

    @Test
    void deleteListAndStatus() throws IOException {
        Random random = new Random(7);
        DataAddress node = nodes.addr(0);
        assertThat(BlockFetcher.listBlocks(node, CLIENT_TIMEOUT)).isEmpty();
        assertThat(BlockFetcher.status(node, CLIENT_TIMEOUT)).satisfies(s -> {
            assertThat(s.blockCount()).isZero();
            assertThat(s.usedBytes()).isZero();
            assertThat(s.freeBytes()).isPositive();
        });
        for (int i = 1; i <= 3; i++) write(new BlockId(i), List.of(node), randomBytes(random, 100 * i), random);

        assertThat(BlockFetcher.listBlocks(node, CLIENT_TIMEOUT))
                .containsExactly(
                        new BlockInfo(new BlockId(1), 100),
                        new BlockInfo(new BlockId(2), 200),
                        new BlockInfo(new BlockId(3), 300));
        assertThat(BlockFetcher.status(node, CLIENT_TIMEOUT)).satisfies(s -> {
            assertThat(s.blockCount()).isEqualTo(3);
            assertThat(s.usedBytes()).isEqualTo(600);
        });

        assertThat(BlockFetcher.deleteBlocks(
                        node, List.of(new BlockId(1), new BlockId(3), new BlockId(99)), CLIENT_TIMEOUT))
                .isEqualTo(2);
        assertThat(BlockFetcher.deleteBlocks(node, List.of(), CLIENT_TIMEOUT)).isZero();

        assertThat(BlockFetcher.listBlocks(node, CLIENT_TIMEOUT)).containsExactly(new BlockInfo(new BlockId(2), 200));
        assertThat(BlockFetcher.status(node, CLIENT_TIMEOUT).usedBytes()).isEqualTo(200);
        assertThatThrownBy(() -> BlockFetcher.open(node, new BlockId(1), 0, -1, CLIENT_TIMEOUT))
                .isInstanceOf(BlockNotFoundException.class);
    }

    @Test
    void oneConnectionCarriesRequestsInSequence() throws IOException {
        Random random = new Random(8);
        byte[] data = randomBytes(random, 2 * CHUNK + 1);
        write(new BlockId(8), nodes.addrs(0), data, random);
        try (Connection c = Connection.connect(nodes.addr(0), CLIENT_TIMEOUT, TransportSecurity.plain())) {
            new Request.Status().write(c.out);
            c.expectOk("STATUS", null);
            assertThat(new StoreStatus(c.in.readLong(), c.in.readLong(), c.in.readInt()).blockCount())
                    .isEqualTo(1);

            new Request.ReadBlock(new BlockId(8), CHUNK, -1).write(c.out);
            c.expectOk("READ_BLOCK", new BlockId(8));
            assertThat(c.in.readLong()).isEqualTo(data.length);
            assertThat(c.in.readInt()).isEqualTo(CHUNK);
            for (int index : new int[] {1, 2}) {
                assertThat(c.in.readInt()).isEqualTo(index);
                int len = c.in.readInt();
                assertThat(len).isEqualTo(index == 1 ? CHUNK : 1);
                c.in.readInt(); // crc
                c.in.skipNBytes(len);
            }
            assertThat(c.in.readInt()).isEqualTo(Wire.END_OF_CHUNKS);

            new Request.ReadBlock(new BlockId(9), 0, -1).write(c.out);
            assertThatThrownBy(() -> c.expectOk("READ_BLOCK", new BlockId(9)))
                    .isInstanceOf(BlockNotFoundException.class);

            new Request.ListBlocks().write(c.out);
            c.expectOk("LIST_BLOCKS", null);
            assertThat(c.in.readInt()).isEqualTo(1);
        }
    }
}
