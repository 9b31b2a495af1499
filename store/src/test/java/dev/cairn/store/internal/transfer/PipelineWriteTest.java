package dev.cairn.store.internal.transfer;

import static dev.cairn.store.internal.transfer.TestNodes.CLIENT_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.store.internal.disk.BlockId;
import dev.cairn.store.internal.transfer.PipelineAck.Failed;
import dev.cairn.store.internal.transfer.PipelineAck.Stored;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Pipeline writes to real block servers on loopback: replicas, and every way a pipeline breaks. */
class PipelineWriteTest {
    private static final int CHUNK = 4096;
    /** The stores' default, which a written block must not take: it keeps the writer's. */
    private static final int STORE_CHUNK = 1000;

    @TempDir
    Path dir;

    private TestNodes nodes;

    private TestNodes start(Duration serverTimeout) throws IOException {
        nodes = TestNodes.start(dir, 3, STORE_CHUNK, serverTimeout);
        return nodes;
    }

    @AfterEach
    void close() throws IOException {
        if (nodes != null) nodes.close();
    }

    static Stream<Arguments> sizesAndReplicas() {
        List<Arguments> list = new ArrayList<>();
        for (int size : new int[] {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 17}) {
            for (int replicas = 1; replicas <= 3; replicas++) list.add(Arguments.of(size, replicas));
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} bytes to {1} nodes")
    @MethodSource("sizesAndReplicas")
    void everyReplicaIsByteIdentical(int size, int replicas) throws IOException {
        start(Duration.ofSeconds(5));
        Random random = new Random(31L * size + replicas);
        byte[] data = randomBytes(random, size);
        BlockId id = new BlockId(random.nextLong());
        List<DataAddress> pipeline = nodes.addrs(0, 1, 2).subList(0, replicas);

        PipelineAck ack = write(id, pipeline, data, random);

        assertThat(ack.block()).isEqualTo(id);
        assertThat(ack.outcomes())
                .containsExactlyElementsOf(pipeline.stream()
                        .map(a -> (PipelineAck.NodeOutcome) new Stored(a, size))
                        .toList());
        assertThat(ack.succeeded()).isEqualTo(pipeline);
        for (int i = 0; i < 3; i++) {
            assertThat(nodes.store(i).contains(id)).as("node %d has it", i).isEqualTo(i < replicas);
            if (i >= replicas) continue;
            assertThat(TestNodes.readDirect(nodes.store(i), id)).isEqualTo(data);
            assertThat(nodes.sidecar(i, id)).isEqualTo(nodes.sidecar(0, id));
            assertThat(BlockFetcher.readAll(nodes.addr(i), id, CLIENT_TIMEOUT)).isEqualTo(data);
            for (int k = 0; k < 8; k++) {
                int offset = random.nextInt(size + 1);
                int length = random.nextInt(3 * CHUNK);
                try (InputStream in = BlockFetcher.open(nodes.addr(i), id, offset, length, CLIENT_TIMEOUT)) {
                    assertThat(in.readAllBytes())
                            .isEqualTo(Arrays.copyOfRange(data, offset, Math.min(size, offset + length)));
                }
            }
            try (InputStream in = BlockFetcher.open(nodes.addr(i), id, size / 2, -1, CLIENT_TIMEOUT)) {
                assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, size / 2, size));
            }
        }
    }

    @Test
    void aLargeBlockStreamsThroughThreeNodes() throws IOException {
        start(Duration.ofSeconds(5));
        Random random = new Random(2);
        byte[] data = randomBytes(random, (3 << 20) + 5);
        BlockId id = new BlockId(2);

        PipelineAck ack;
        try (BlockPipelineWriter w = BlockPipelineWriter.open(id, nodes.addrs(0, 1, 2), 64 << 10, CLIENT_TIMEOUT)) {
            w.write(data, 0, data.length);
            ack = w.finish();
        }

        assertThat(ack.allStored()).as(ack.toString()).isTrue();
        for (int i = 0; i < 3; i++)
            assertThat(BlockFetcher.readAll(nodes.addr(i), id, CLIENT_TIMEOUT)).isEqualTo(data);
    }

    @Test
    void anUnreachableSecondNodeFailsItAndTheRestButTheFirstStoresTheBlock() throws IOException {
        start(Duration.ofSeconds(5));
        Random random = new Random(3);
        byte[] data = randomBytes(random, 3 * CHUNK + 5);
        BlockId id = new BlockId(3);
        List<DataAddress> pipeline = nodes.addrs(0, 1, 2);
        nodes.stop(1);

        PipelineAck ack = write(id, pipeline, data, random);

        assertThat(ack.outcomes().get(0)).isEqualTo(new Stored(pipeline.get(0), data.length));
        assertThat(ack.outcomes().get(1)).isInstanceOfSatisfying(Failed.class, f -> {
            assertThat(f.node()).isEqualTo(pipeline.get(1));
            assertThat(f.reason()).contains("cannot connect", pipeline.get(1).toString());
        });
        assertThat(ack.outcomes().get(2))
                .isInstanceOfSatisfying(
                        Failed.class,
                        f -> assertThat(f.reason()).contains("broke at " + pipeline.get(1), "before this node"));
        assertThat(ack.succeeded()).containsExactly(pipeline.get(0));
        assertThat(TestNodes.readDirect(nodes.store(0), id)).isEqualTo(data);
        assertThat(nodes.store(1).contains(id)).isFalse();
        assertThat(nodes.store(2).contains(id)).isFalse();
    }

    @Test
    void anUnreachableFirstNodeFailsTheOpenNamingIt() throws IOException {
        start(Duration.ofSeconds(5));
        DataAddress first = nodes.addr(0);
        nodes.stop(0);

        assertThatThrownBy(() ->
                        BlockPipelineWriter.open(new BlockId(4), List.of(first, nodes.addr(1)), CHUNK, CLIENT_TIMEOUT))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(first.toString());
    }

    @Test
    void aSecondNodeDyingMidBlockLeavesTheBlockOnTheFirstOnly() throws IOException {
        start(Duration.ofSeconds(5));
        Random random = new Random(5);
        byte[] data = randomBytes(random, 200 * CHUNK);
        BlockId id = new BlockId(5);
        List<DataAddress> pipeline = nodes.addrs(0, 1, 2);

        PipelineAck ack;
        try (BlockPipelineWriter w = BlockPipelineWriter.open(id, pipeline, CHUNK, CLIENT_TIMEOUT)) {
            w.write(data, 0, data.length / 2);
            TestNodes.awaitTrue("node 1 receives the block", () -> !tmpFiles(1).isEmpty());
            nodes.stop(1);
            w.write(data, data.length / 2, data.length - data.length / 2);
            ack = w.finish();
        }

        assertThat(ack.outcomes().get(0)).isEqualTo(new Stored(pipeline.get(0), data.length));
        assertThat(ack.outcomes().get(1)).isInstanceOf(Failed.class);
        assertThat(ack.outcomes().get(2)).isInstanceOf(Failed.class);
        assertThat(TestNodes.readDirect(nodes.store(0), id)).isEqualTo(data);
        assertThat(nodes.store(1).contains(id)).isFalse();
        nodes.awaitNoTmpFiles();
        assertThat(nodes.store(2).contains(id)).isFalse();
    }

    /** A hung downstream costs the write no less than the timeout (socket timeouts never fire early) and no hang (the test's own bound). */
    @Test
    @Timeout(60)
    void aHungDownstreamCostsTheTimeoutNotTheBlock() throws IOException {
        start(Duration.ofMillis(500));
        Random random = new Random(6);
        byte[] data = randomBytes(random, 4 * CHUNK);
        BlockId id = new BlockId(6);
        // Accepts, never reads, never answers.
        try (ServerSocket hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            DataAddress hungAddr = new DataAddress("127.0.0.1", hung.getLocalPort());
            List<DataAddress> pipeline = List.of(nodes.addr(0), hungAddr);
            long started = System.nanoTime();

            PipelineAck ack = write(id, pipeline, data, random);

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
            assertThat(ack.outcomes().get(0)).isEqualTo(new Stored(nodes.addr(0), data.length));
            assertThat(ack.outcomes().get(1))
                    .isInstanceOfSatisfying(
                            Failed.class, f -> assertThat(f.reason()).containsIgnoringCase("timed out"));
            hung.accept().close(); // the connection node 0 made, waiting in the backlog
        }
    }

    @Test
    void aNodeThatAlreadyHasTheBlockFailsAloneAndForwardsTheRest() throws IOException {
        start(Duration.ofSeconds(5));
        Random random = new Random(7);
        BlockId id = new BlockId(7);
        byte[] old = randomBytes(random, 10);
        assertThat(write(id, nodes.addrs(1), old, random).allStored()).isTrue();
        byte[] data = randomBytes(random, 2 * CHUNK + 1);

        PipelineAck ack = write(id, nodes.addrs(0, 1, 2), data, random);

        assertThat(ack.outcomes().get(0)).isEqualTo(new Stored(nodes.addr(0), data.length));
        assertThat(ack.outcomes().get(1))
                .isInstanceOfSatisfying(
                        Failed.class, f -> assertThat(f.reason()).contains("already exists"));
        assertThat(ack.outcomes().get(2)).isEqualTo(new Stored(nodes.addr(2), data.length));
        assertThat(TestNodes.readDirect(nodes.store(1), id)).isEqualTo(old);
        assertThat(TestNodes.readDirect(nodes.store(2), id)).isEqualTo(data);
    }

    @Test
    void aChunkCorruptedOnTheWayFailsEveryNodeAndLeavesNothing() throws IOException {
        start(Duration.ofSeconds(5));
        Random random = new Random(8);
        byte[] data = randomBytes(random, 3 * CHUNK);
        BlockId id = new BlockId(8);

        PipelineAck ack;
        try (BlockPipelineWriter w = BlockPipelineWriter.open(id, nodes.addrs(0, 1, 2), CHUNK, CLIENT_TIMEOUT)) {
            w.writeChunk(data, 0, CHUNK, crc(data, 0, CHUNK));
            w.writeChunk(data, CHUNK, CHUNK, crc(data, CHUNK, CHUNK) ^ 1); // as if a bit flipped after checksumming
            w.writeChunk(data, 2 * CHUNK, CHUNK, crc(data, 2 * CHUNK, CHUNK));
            ack = w.finish();
        }

        assertThat(ack.succeeded()).isEmpty();
        for (PipelineAck.NodeOutcome o : ack.outcomes()) {
            assertThat(o)
                    .isInstanceOfSatisfying(
                            Failed.class, f -> assertThat(f.reason()).contains("ChecksumException", "offset " + CHUNK));
        }
        for (int i = 0; i < 3; i++) assertThat(nodes.store(i).contains(id)).isFalse();
    }

    @Test
    void aClientThatStopsSendingMidBlockIsAbortedAfterTheTimeout() throws IOException {
        start(Duration.ofMillis(500));
        Random random = new Random(9);
        BlockId id = new BlockId(9);
        try (BlockPipelineWriter w = BlockPipelineWriter.open(id, nodes.addrs(0, 1, 2), CHUNK, CLIENT_TIMEOUT)) {
            w.write(randomBytes(random, 2 * CHUNK + 7), 0, 2 * CHUNK + 7);
            TestNodes.awaitTrue(
                    "every node receives the block",
                    () -> !tmpFiles(0).isEmpty()
                            && !tmpFiles(1).isEmpty()
                            && !tmpFiles(2).isEmpty());
            long stalled = System.nanoTime();

            nodes.awaitNoTmpFiles();

            assertThat(Duration.ofNanos(System.nanoTime() - stalled)).isGreaterThan(Duration.ofMillis(300));
            for (int i = 0; i < 3; i++) assertThat(nodes.store(i).contains(id)).isFalse();
            assertThatThrownBy(w::finish)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(nodes.addr(0).toString());
        }
    }

    @Test
    void arguments() throws IOException {
        start(Duration.ofSeconds(5));
        BlockId id = new BlockId(10);
        assertThatThrownBy(() -> BlockPipelineWriter.open(id, List.of(), CHUNK, CLIENT_TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BlockPipelineWriter.open(id, nodes.addrs(0, 0), CHUNK, CLIENT_TIMEOUT))
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> BlockPipelineWriter.open(id, nodes.addrs(0), 0, CLIENT_TIMEOUT))
                .hasMessageContaining("chunk size");
        try (BlockPipelineWriter w = BlockPipelineWriter.open(id, nodes.addrs(0), CHUNK, CLIENT_TIMEOUT)) {
            w.write(new byte[10], 0, 10);
            assertThat(w.length()).isEqualTo(10);
            assertThat(w.finish().allStored()).isTrue();
            assertThatThrownBy(() -> w.write(new byte[1], 0, 1))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("finished");
        }
    }

    private List<Path> tmpFiles(int i) {
        try {
            return nodes.tmpFiles(i);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Writes {@code data} in pieces of random sizes. */
    static PipelineAck write(BlockId id, List<DataAddress> pipeline, byte[] data, Random random) throws IOException {
        try (BlockPipelineWriter w = BlockPipelineWriter.open(id, pipeline, CHUNK, CLIENT_TIMEOUT)) {
            int pos = 0;
            while (pos < data.length) {
                int n = Math.min(data.length - pos, 1 + random.nextInt(2 * CHUNK + 3));
                w.write(data, pos, n);
                pos += n;
            }
            return w.finish();
        }
    }

    static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    static int crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }
}
