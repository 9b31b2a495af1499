package dev.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.common.testing.FileWalks;
import dev.cairn.common.time.Clock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;

/**
 * Store nodes in this JVM, each with its own disk directory, TCP data server and coord session,
 * over a real ZooKeeper server holding the namespace; and a client. For tests of the store's parts
 * working together without starting processes.
 */
final class StoreTestCluster implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Path dir;
    private final StoreNode.Repair repair;
    private final ServerCnxnFactory zkFactory;
    private final String connect;
    private final List<CuratorFramework> clients = new ArrayList<>();
    private final Map<String, StoreNode> nodes = new LinkedHashMap<>();
    private final Map<String, CuratorFramework> sessions = new LinkedHashMap<>();
    private final Map<String, SimpleMeterRegistry> meters = new LinkedHashMap<>();
    private final StoreClient store;

    private StoreTestCluster(Path dir, StoreNode.Repair repair) throws Exception {
        this.dir = dir;
        this.repair = repair;
        File data = dir.resolve("zk").toFile();
        ZooKeeperServer zk = new ZooKeeperServer(data, data, 2000);
        zkFactory = ServerCnxnFactory.createFactory(new InetSocketAddress("127.0.0.1", 0), 100);
        zkFactory.startup(zk);
        connect = "127.0.0.1:" + zkFactory.getLocalPort();
        store = StoreClient.connect(connect, null, TIMEOUT);
    }

    /** Starts a ZooKeeper server and store nodes s1..sN, and waits until all are announced. */
    static StoreTestCluster start(Path dir, int nodeCount, StoreNode.Repair repair) throws Exception {
        StoreTestCluster c = new StoreTestCluster(dir, repair);
        try {
            for (int i = 1; i <= nodeCount; i++) c.startNode("s" + i);
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** A monitor so slow it never acts during a test. */
    static StoreNode.Repair noRepair() {
        return new StoreNode.Repair(Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(3));
    }

    void startNode(String id) throws Exception {
        CuratorFramework session = curator();
        sessions.put(id, session);
        nodes.put(
                id,
                StoreNode.start(
                        new StoreNode.Settings(
                                id,
                                List.of(dir.resolve(id)),
                                "127.0.0.1",
                                0,
                                Duration.ofMillis(500),
                                0,
                                Duration.ofHours(1),
                                repair),
                        session,
                        Clock.system(),
                        meters.computeIfAbsent(id, k -> new SimpleMeterRegistry())));
        await().atMost(TIMEOUT).until(() -> store.nodes().stream().anyMatch(n -> n.id().equals(id)));
    }

    /** Stops a node's data server and ends its coord session, as a crash would. */
    void stopNode(String id) {
        nodes.remove(id).close();
        sessions.remove(id).close();
        await().atMost(TIMEOUT).until(() -> store.nodes().stream().noneMatch(n -> n.id().equals(id)));
    }

    /** The meters node {@code id} records into (kept across its restarts). */
    SimpleMeterRegistry meters(String id) {
        return meters.get(id);
    }

    StoreNode node(String id) {
        return nodes.get(id);
    }

    StoreClient client() {
        return store;
    }

    String connect() {
        return connect;
    }

    /** A new coord client, closed with the cluster. */
    CuratorFramework curator() throws InterruptedException {
        CuratorFramework c = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .sessionTimeoutMs(4_000)
                .retryPolicy(new ExponentialBackoffRetry(100, 5))
                .build();
        c.start();
        assertThat(c.blockUntilConnected(10, java.util.concurrent.TimeUnit.SECONDS))
                .isTrue();
        clients.add(c);
        return c;
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    void write(String path, byte[] data, WriteOptions options) throws Exception {
        try (OutputStream out = store.create(path, options)) {
            // Uneven pieces: block boundaries fall inside writes.
            Random r = new Random(data.length);
            for (int off = 0; off < data.length; ) {
                int n = Math.min(data.length - off, 1 + r.nextInt(100_000));
                out.write(data, off, n);
                off += n;
            }
        }
    }

    byte[] read(String path) throws Exception {
        try (InputStream in = store.open(path)) {
            return in.readAllBytes();
        }
    }

    /** The file of a block's replica on a node's disk, if it has one. */
    java.util.Optional<Path> blockFile(String node, String blockId) throws Exception {
        Path root = dir.resolve(node);
        if (!Files.exists(root)) return java.util.Optional.empty();
        return FileWalks.query(
                root,
                files -> files.filter(p -> p.getFileName().toString().equals(blockId)
                                && p.getParent().getFileName().toString().equals("current"))
                        .findFirst());
    }

    @Override
    public void close() {
        store.close();
        nodes.values().forEach(StoreNode::close);
        sessions.values().forEach(CuratorFramework::close);
        clients.forEach(CuratorFramework::close);
        zkFactory.shutdown();
    }
}
