package dev.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three store nodes in this JVM, each with its own registry, count the block traffic they serve. */
class StoreMetricsTest {
    private static final long BLOCK = 256 << 10;

    @TempDir
    Path dir;

    private StoreTestCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = StoreTestCluster.start(dir, 3, StoreTestCluster.noRepair());
    }

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    @Test
    void bytesWrittenAndReadAndBlocksHeldAreCountedPerNode() throws Exception {
        byte[] data = StoreTestCluster.random((int) (2 * BLOCK + 100), 7);
        cluster.write("/m/f", data, WriteOptions.defaults().withBlockSize(BLOCK).withReplication(3));
        List<String> nodes = List.of("s1", "s2", "s3");
        for (String n : nodes) {
            SimpleMeterRegistry m = cluster.meters(n);
            assertThat(m.get("cairn.store.written").functionCounter().count())
                    .as("%s stored every block of the file", n)
                    .isEqualTo(data.length);
            assertThat(m.get("cairn.store.blocks").gauge().value()).isEqualTo(3);
            assertThat(m.get("cairn.store.used").gauge().value()).isEqualTo(data.length);
            assertThat(m.get("cairn.store.repair.queue").gauge().value()).isZero();
        }
        assertThat(cluster.read("/m/f")).isEqualTo(data);
        double read = 0;
        for (String n : nodes)
            read += cluster.meters(n).get("cairn.store.read").functionCounter().count();
        assertThat(read).as("each block read once, from one of its replicas").isEqualTo(data.length);
    }
}
