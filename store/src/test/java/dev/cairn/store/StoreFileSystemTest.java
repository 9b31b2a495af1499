package dev.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.fs.BlockSpan;
import dev.cairn.common.fs.FileSystem;
import dev.cairn.common.fs.FileSystemContract;
import dev.cairn.common.fs.ReadLocality;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    private static final long BLOCK = WriteOptions.CHUNK_SIZE;

    @TempDir
    Path dir;

    private StoreTestCluster cluster;
    private final List<StoreClient> stores = new ArrayList<>();
    private StoreFileSystem fs;

    @BeforeEach
    void start() throws Exception {
        cluster = StoreTestCluster.start(dir, 3, StoreTestCluster.noRepair());
        fs = fileSystem(null);
    }

    private StoreClient client(String localNodeId) throws java.io.IOException {
        StoreClient c;
        try {
            c = StoreClient.using(cluster.curator(), localNodeId, StoreTestCluster.TIMEOUT);
        } catch (InterruptedException e) {
            throw new java.io.InterruptedIOException();
        }
        stores.add(c);
        return c;
    }

    private StoreFileSystem fileSystem(String localNodeId) {
        return new StoreFileSystem(
                () -> client(localNodeId), WriteOptions.defaults().withBlockSize(BLOCK));
    }

    @AfterEach
    void stop() {
        stores.forEach(StoreClient::close);
        if (cluster != null) cluster.close();
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
            assertThat(((ReadLocality) in).localBytes())
                    .as("every block has a replica on s2")
                    .isEqualTo(BLOCK);
            assertThat(((ReadLocality) in).remoteBytes()).isZero();
        }
        try (InputStream in = fs.open("cairn:///in/f.bin", 0, 1000)) {
            assertThat(in.readAllBytes()).hasSize(1000);
            assertThat(((ReadLocality) in).remoteBytes())
                    .as("a client on no store node reads remotely")
                    .isEqualTo(1000);
        }
        assertThat(fs.qualify("/in//f.bin")).isEqualTo("cairn:///in/f.bin");
    }
}
