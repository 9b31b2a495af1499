package dev.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.common.fs.BlockSpan;
import dev.cairn.common.fs.FileSystem;
import dev.cairn.common.fs.FileSystemContract;
import dev.cairn.common.fs.ReadLocality;
import dev.cairn.common.time.Clock;
import java.io.File;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store as a job file system: the file system contract on three store nodes and a real
 * ZooKeeper server, with 64 KiB blocks so files span several; and locality as seen from a store
 * node and from a client that is none.
 */
class StoreFileSystemTest extends FileSystemContract {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long BLOCK = WriteOptions.CHUNK_SIZE;

    @TempDir
    Path dir;
    private ServerCnxnFactory zkFactory;
    private final List<CuratorFramework> clients = new ArrayList<>();
    private final List<StoreNode> nodes = new ArrayList<>();
    private final List<StoreClient> stores = new ArrayList<>();
    private String connect;
    private StoreFileSystem fs;

    @BeforeEach
    void start() throws Exception {
        File data = dir.resolve("zk").toFile();
        ZooKeeperServer zk = new ZooKeeperServer(data, data, 2000);
        zkFactory = ServerCnxnFactory.createFactory(new InetSocketAddress("127.0.0.1", 0), 100);
        zkFactory.startup(zk);
        connect = "127.0.0.1:" + zkFactory.getLocalPort();
        for (int i = 1; i <= 3; i++) {
            nodes.add(StoreNode.start(new StoreNode.Settings("s" + i, List.of(dir.resolve("s" + i)), "127.0.0.1", 0,
                    Duration.ofSeconds(1), 0, Duration.ofHours(1)), curator(), Clock.system()));
        }
        fs = fileSystem(null);
        StoreClient probe = client(null);
        await().atMost(TIMEOUT).until(() -> probe.nodes().size() == 3);
    }

    private StoreClient client(String localNodeId) throws java.io.IOException {
        StoreClient c;
        try {
            c = StoreClient.using(curator(), localNodeId, TIMEOUT);
        } catch (InterruptedException e) {
            throw new java.io.InterruptedIOException();
        }
        stores.add(c);
        return c;
    }

    private StoreFileSystem fileSystem(String localNodeId) {
        return new StoreFileSystem(() -> client(localNodeId), WriteOptions.defaults().withBlockSize(BLOCK));
    }

    private CuratorFramework curator() throws InterruptedException {
        CuratorFramework c = CuratorFrameworkFactory.builder().connectString(connect).sessionTimeoutMs(4_000)
                .retryPolicy(new ExponentialBackoffRetry(100, 5)).build();
        c.start();
        assertThat(c.blockUntilConnected(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        clients.add(c);
        return c;
    }

    @AfterEach
    void stop() {
        stores.forEach(StoreClient::close);
        nodes.forEach(StoreNode::close);
        clients.forEach(CuratorFramework::close);
        if (zkFactory != null) zkFactory.shutdown();
    }

    @Override
    protected FileSystem fs() {
        return fs;
    }

    @Override
    protected String root() {
        return "cairn:///t";
    }

    @Test
    void blocksNameTheirReplicasAndReadsCountWhereTheirBytesCameFrom() throws Exception {
        write(fs, "cairn:///in/f.bin", new byte[(int) (2 * BLOCK + 100)]);
        List<BlockSpan> blocks = fs.blocks("cairn:///in/f.bin");
        assertThat(blocks).extracting(BlockSpan::offset).containsExactly(0L, BLOCK, 2 * BLOCK);
        assertThat(blocks).allSatisfy(b -> assertThat(b.hosts()).containsExactlyInAnyOrder("s1", "s2", "s3"));

        FileSystem onS2 = fileSystem("s2");
        try (InputStream in = onS2.open("cairn:///in/f.bin", BLOCK - 10, BLOCK)) {
            assertThat(in.readAllBytes()).hasSize((int) BLOCK);
            assertThat(((ReadLocality) in).localBytes()).as("every block has a replica on s2").isEqualTo(BLOCK);
            assertThat(((ReadLocality) in).remoteBytes()).isZero();
        }
        try (InputStream in = fs.open("cairn:///in/f.bin", 0, 1000)) {
            assertThat(in.readAllBytes()).hasSize(1000);
            assertThat(((ReadLocality) in).remoteBytes()).as("a client on no store node reads remotely").isEqualTo(1000);
        }
        assertThat(fs.qualify("/in//f.bin")).isEqualTo("cairn:///in/f.bin");
    }
}
