package dev.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.common.testing.FileWalks;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replication monitor at work on store nodes in this JVM, with short timeouts: a dead node's
 * replicas copied elsewhere, a corrupt replica replaced, the surplus trimmed when a node returns,
 * garbage of dead writers and deleted files collected.
 */
class StoreRepairTest {
    private static final long BLOCK = 128 << 10;
    private static final Duration REPAIR_BOUND = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private StoreTestCluster cluster;

    private StoreTestCluster start(int nodes) throws Exception {
        cluster = StoreTestCluster.start(
                dir, nodes, new StoreNode.Repair(Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(1)));
        return cluster;
    }

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    /** Node ids holding a replica file of each block of {@code path}, read from the disks. */
    private List<Set<String>> replicasOnDisk(String path, List<String> nodes) throws Exception {
        List<Set<String>> out = new ArrayList<>();
        for (BlockLocation b : cluster.client().stat(path).blocks()) {
            Set<String> holders = new HashSet<>();
            for (String n : nodes) if (cluster.blockFile(n, b.blockId()).isPresent()) holders.add(n);
            out.add(holders);
        }
        return out;
    }

    @Test
    void aDeadNodesReplicasAreCopiedToTheSurvivors() throws Exception {
        start(4);
        byte[] data = StoreTestCluster.random((int) (4 * BLOCK + 99), 11);
        cluster.write("/f.bin", data, WriteOptions.defaults().withBlockSize(BLOCK));
        String victim =
                cluster.client().stat("/f.bin").blocks().getFirst().nodes().getFirst();
        cluster.stopNode(victim);

        await().atMost(REPAIR_BOUND).untilAsserted(() -> {
            for (BlockLocation b : cluster.client().stat("/f.bin").blocks()) {
                assertThat(b.nodes()).hasSize(3).doesNotContain(victim);
            }
        });
        List<String> survivors = new ArrayList<>(List.of("s1", "s2", "s3", "s4"));
        survivors.remove(victim);
        for (Set<String> holders : replicasOnDisk("/f.bin", survivors))
            assertThat(holders).hasSize(3);
        assertThat(cluster.read("/f.bin")).isEqualTo(data);
        assertThat(cluster.client().fsck("/").healthy()).isTrue();
    }

    @Test
    void aCorruptReplicaIsReplacedWithAGoodCopy() throws Exception {
        start(3);
        byte[] data = StoreTestCluster.random((int) (2 * BLOCK), 12);
        cluster.write("/c.bin", data, WriteOptions.defaults().withBlockSize(BLOCK));
        String block = cluster.client().stat("/c.bin").blocks().getFirst().blockId();
        Path bad = cluster.blockFile("s2", block).orElseThrow();
        byte[] good = Files.readAllBytes(bad);
        byte[] flipped = good.clone();
        flipped[777] ^= 0x40;
        Files.write(bad, flipped, StandardOpenOption.TRUNCATE_EXISTING);

        // Reads notice it (the first read through s2's replica reports it); all return good bytes.
        CuratorFramework c = cluster.curator();
        await().atMost(REPAIR_BOUND).until(() -> {
            assertThat(cluster.read("/c.bin")).isEqualTo(data);
            return !c.getChildren().forPath("/cairn/store/corrupt").isEmpty() || isReplaced("s2", block, good);
        });
        await().atMost(REPAIR_BOUND)
                .until(() -> isReplaced("s2", block, good)
                        && c.getChildren().forPath("/cairn/store/corrupt").isEmpty());
        assertThat(cluster.client().stat("/c.bin").blocks().getFirst().nodes())
                .containsExactlyInAnyOrder("s1", "s2", "s3");
    }

    private boolean isReplaced(String node, String block, byte[] good) throws Exception {
        var f = cluster.blockFile(node, block);
        return f.isPresent() && java.util.Arrays.equals(Files.readAllBytes(f.get()), good);
    }

    @Test
    void aReturningNodesSurplusReplicasAreTrimmed() throws Exception {
        start(4);
        byte[] data = StoreTestCluster.random((int) (3 * BLOCK), 13);
        cluster.write("/t.bin", data, WriteOptions.defaults().withBlockSize(BLOCK));
        String victim =
                cluster.client().stat("/t.bin").blocks().getFirst().nodes().getFirst();
        cluster.stopNode(victim);
        await().atMost(REPAIR_BOUND).untilAsserted(() -> {
            for (BlockLocation b : cluster.client().stat("/t.bin").blocks())
                assertThat(b.nodes()).hasSize(3).doesNotContain(victim);
        });
        cluster.startNode(victim); // back with its old replicas: four copies of some blocks now

        List<String> all = List.of("s1", "s2", "s3", "s4");
        await().atMost(REPAIR_BOUND).untilAsserted(() -> {
            List<BlockLocation> blocks = cluster.client().stat("/t.bin").blocks();
            List<Set<String>> onDisk = replicasOnDisk("/t.bin", all);
            for (int i = 0; i < blocks.size(); i++) {
                assertThat(onDisk.get(i)).hasSize(3);
                assertThat(blocks.get(i).nodes()).containsExactlyInAnyOrderElementsOf(onDisk.get(i));
            }
        });
        assertThat(cluster.read("/t.bin")).isEqualTo(data);
    }

    @Test
    void blocksOfDeadWritersAndOfFilesDeletedWhileANodeWasDownAreCollected() throws Exception {
        start(3);
        StoreClient doomed = StoreClient.connect(cluster.connect(), null, StoreTestCluster.TIMEOUT);
        OutputStream lost = doomed.create("/w/lost", WriteOptions.defaults().withBlockSize(BLOCK));
        lost.write(StoreTestCluster.random((int) (3 * BLOCK), 14));
        lost.flush();
        doomed.close(); // the writer's session ends: its pending write goes, its two full blocks are garbage
        CuratorFramework c = cluster.curator();
        await().atMost(REPAIR_BOUND)
                .until(() -> c.getChildren().forPath("/cairn/store/pending").isEmpty());

        cluster.write(
                "/d.bin",
                StoreTestCluster.random((int) (2 * BLOCK), 15),
                WriteOptions.defaults().withBlockSize(BLOCK));
        List<String> blocks = cluster.client().stat("/d.bin").blocks().stream()
                .map(BlockLocation::blockId)
                .toList();
        cluster.stopNode("s3");
        cluster.client().delete("/d.bin", false); // s3 misses the delete
        cluster.startNode("s3");
        for (String b : blocks) assertThat(cluster.blockFile("s3", b)).isPresent();

        await().atMost(REPAIR_BOUND).until(() -> blockCount() == 0);
        assertThat(cluster.client().exists("/w/lost")).isFalse();
    }

    private long blockCount() throws Exception {
        long n = 0;
        for (String node : List.of("s1", "s2", "s3")) {
            n += FileWalks.query(
                    dir.resolve(node),
                    files -> files.filter(p -> p.getFileName().toString().matches("blk_[0-9a-f]{16}"))
                            .count());
        }
        return n;
    }
}
