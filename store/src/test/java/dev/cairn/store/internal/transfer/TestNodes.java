package dev.cairn.store.internal.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.security.TransportSecurity;
import dev.cairn.store.internal.disk.BlockId;
import dev.cairn.store.internal.disk.BlockReader;
import dev.cairn.store.internal.disk.LocalBlockStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * Block servers on loopback, each with a store of its own in a temporary directory, all in this JVM.
 * {@link #close} checks that no node is left with a block half-written or a connection open.
 */
final class TestNodes implements AutoCloseable {
    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(5);

    private final List<LocalBlockStore> stores = new ArrayList<>();
    private final List<BlockServer> servers = new ArrayList<>();

    private TestNodes() {}

    /**
     * @param chunkSize the stores' default chunk size (a written block has the writer's)
     * @param timeout the servers' timeout
     */
    static TestNodes start(Path dir, int count, int chunkSize, Duration timeout) throws IOException {
        return start(dir, count, chunkSize, timeout, i -> TransportSecurity.plain());
    }

    /** Nodes whose servers (and transfers to each other) use {@code security.apply(i)}. */
    static TestNodes start(
            Path dir, int count, int chunkSize, Duration timeout, IntFunction<TransportSecurity> security)
            throws IOException {
        TestNodes nodes = new TestNodes();
        try {
            for (int i = 0; i < count; i++) {
                LocalBlockStore store =
                        LocalBlockStore.open(LocalBlockStore.Options.of(List.of(dir.resolve("node" + i)))
                                .withChunkSize(chunkSize));
                nodes.stores.add(store);
                nodes.servers.add(BlockServer.start(
                        store,
                        "127.0.0.1",
                        0,
                        BlockServer.Options.defaults().withTimeout(timeout).withSecurity(security.apply(i))));
            }
        } catch (IOException | RuntimeException e) {
            nodes.closeAll();
            throw e;
        }
        return nodes;
    }

    DataAddress addr(int i) {
        return servers.get(i).address();
    }

    List<DataAddress> addrs(int... indexes) {
        List<DataAddress> list = new ArrayList<>();
        for (int i : indexes) list.add(addr(i));
        return list;
    }

    LocalBlockStore store(int i) {
        return stores.get(i);
    }

    BlockServer server(int i) {
        return servers.get(i);
    }

    /** Closes node {@code i}'s server; its port then refuses connections. */
    void stop(int i) {
        servers.get(i).close();
    }

    /** Files of blocks being written on node {@code i}. */
    List<Path> tmpFiles(int i) throws IOException {
        try (Stream<Path> files = Files.list(stores.get(i).dirs().get(0).resolve("tmp"))) {
            return files.toList();
        }
    }

    /** Waits (bounded) until no node has a block being written. */
    void awaitNoTmpFiles() throws IOException {
        for (int i = 0; i < stores.size(); i++) {
            int node = i;
            awaitTrue("node " + i + " has no tmp files", () -> {
                try {
                    return tmpFiles(node).isEmpty();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    static byte[] readDirect(LocalBlockStore store, BlockId id) throws IOException {
        try (BlockReader r = store.open(id)) {
            byte[] b = new byte[Math.toIntExact(r.length())];
            assertThat(r.read(0, b, 0, b.length)).isEqualTo(b.length);
            return b;
        }
    }

    Path dataFile(int i, BlockId id) {
        return stores.get(i).dirs().get(0).resolve("current").resolve(id.toString());
    }

    byte[] sidecar(int i, BlockId id) throws IOException {
        return Files.readAllBytes(dataFile(i, id).resolveSibling(id + ".crc"));
    }

    /** Inverts one byte of node {@code i}'s data file of {@code id}, as bit rot would. */
    void flipByte(int i, BlockId id, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(dataFile(i, id), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) ~b.get(0)).rewind();
            ch.write(b, offset);
        }
    }

    /** Polls {@code condition} for up to 5 s. */
    static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Closes everything; fails if a node kept a half-written block or an open connection. */
    @Override
    public void close() throws IOException {
        try {
            awaitNoTmpFiles();
            for (int i = 0; i < servers.size(); i++) {
                BlockServer s = servers.get(i);
                awaitTrue("node " + i + " has closed all connections", () -> s.connectionCount() == 0);
            }
        } finally {
            closeAll();
        }
    }

    private void closeAll() throws IOException {
        for (BlockServer s : servers) s.close();
        for (LocalBlockStore s : stores) s.close();
    }
}
