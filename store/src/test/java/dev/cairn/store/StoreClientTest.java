package dev.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store client against three store nodes in this JVM (each with its own disks and TCP data
 * server) and a real ZooKeeper server holding the namespace: multi-block files, namespace
 * semantics, replica failover on corruption and on a dead node, and abandoned writes.
 */
class StoreClientTest {
    private static final long BLOCK = 256 << 10;

    @TempDir
    Path dir;

    private StoreTestCluster cluster;
    private StoreClient store;

    @BeforeEach
    void start() throws Exception {
        cluster = StoreTestCluster.start(dir, 3, StoreTestCluster.noRepair());
        store = cluster.client();
    }

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    private static byte[] random(int size, long seed) {
        return StoreTestCluster.random(size, seed);
    }

    private void write(String path, byte[] data, WriteOptions options) throws Exception {
        cluster.write(path, data, options);
    }

    private byte[] read(String path) throws Exception {
        return cluster.read(path);
    }

    @Test
    void multiBlockFileRoundTripsWithEveryBlockOnThreeNodes() throws Exception {
        byte[] data = random((int) (5 * BLOCK + 777), 1);
        write("/d/f.bin", data, WriteOptions.defaults().withBlockSize(BLOCK));
        assertThat(read("/d/f.bin")).isEqualTo(data);
        FileStatus st = store.stat("cairn:///d/f.bin");
        assertThat(st.length()).isEqualTo(data.length);
        assertThat(st.blocks()).hasSize(6);
        for (BlockLocation b : st.blocks()) assertThat(b.nodes()).containsExactlyInAnyOrder("s1", "s2", "s3");
        // A range across a block boundary.
        try (InputStream in = store.open("/d/f.bin", BLOCK - 10, 30)) {
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, (int) BLOCK - 10, (int) BLOCK + 20));
        }
        write("/d/empty", new byte[0], WriteOptions.defaults());
        assertThat(read("/d/empty")).isEmpty();
        assertThat(store.list("/d")).extracting(FileStatus::path).containsExactly("/d/empty", "/d/f.bin");
    }

    @Test
    void aFileIsInvisibleUntilClosedAndAnAbandonedWriteLeavesNothing() throws Exception {
        OutputStream out = store.create("/w/partial", WriteOptions.defaults().withBlockSize(BLOCK));
        out.write(random((int) (2 * BLOCK), 2));
        assertThat(store.exists("/w/partial")).isFalse();
        out.close();
        assertThat(store.exists("/w/partial")).isTrue();

        // A writer whose coord session dies: its pending entry goes with the session, nothing appears.
        StoreClient doomed = StoreClient.connect(cluster.connect(), null, StoreTestCluster.TIMEOUT);
        OutputStream lost = doomed.create("/w/lost", WriteOptions.defaults().withBlockSize(BLOCK));
        lost.write(random((int) (2 * BLOCK), 3));
        doomed.close();
        assertThatThrownBy(lost::close).isInstanceOf(Exception.class);
        assertThat(store.exists("/w/lost")).isFalse();
        CuratorFramework c = cluster.curator();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> c.getChildren().forPath("/cairn/store/pending").isEmpty());
    }

    /**
     * Writers that start in one directory at the same moment, through one client, all succeed: each
     * write's start checks the directory with a probe entry of its own, never a shared one.
     */
    @Test
    void writersStartingTogetherInOneDirectoryAllSucceed() throws Exception {
        int writers = 16;
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(writers);
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int i = 0; i < writers; i++) {
                String path = "/together/f" + i;
                byte[] data = random(1000 + i, i);
                done.add(pool.submit(() -> {
                    together.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    write(path, data, WriteOptions.defaults());
                    return null;
                }));
            }
            for (var f : done) f.get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertThat(store.list("/together")).hasSize(writers);
        for (int i = 0; i < writers; i++) assertThat(read("/together/f" + i)).isEqualTo(random(1000 + i, i));
    }

    @Test
    void namespaceSemantics() throws Exception {
        byte[] a = "a".getBytes(StandardCharsets.UTF_8);
        write("/x/y/a", a, WriteOptions.defaults());
        assertThatThrownBy(() -> write("/x/y/a", a, WriteOptions.defaults()))
                .isInstanceOf(FileAlreadyExistsException.class);
        write(
                "/x/y/a",
                "b".getBytes(StandardCharsets.UTF_8),
                WriteOptions.defaults().withOverwrite(true));
        assertThat(read("/x/y/a")).isEqualTo("b".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store.mkdirs("/x/y/a/under-a-file"))
                .isInstanceOf(java.nio.file.NotDirectoryException.class);
        assertThatThrownBy(() -> write("/x/y/a/under-a-file", a, WriteOptions.defaults()))
                .isInstanceOf(java.nio.file.NotDirectoryException.class);
        assertThatThrownBy(() -> store.delete("/x", false)).isInstanceOf(DirectoryNotEmptyException.class);
        store.mkdirs("/dst");
        assertThat(store.rename("/x/y", "/dst")).isEqualTo("/dst/y");
        assertThat(store.exists("/x/y")).isFalse();
        assertThat(read("/dst/y/a")).isEqualTo("b".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store.rename("/dst", "/dst/y/inside"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("into itself");
        assertThatThrownBy(() -> store.rename("/nope", "/z")).isInstanceOf(NoSuchFileException.class);
        store.delete("/dst", true);
        assertThat(store.exists("/dst")).isFalse();
        assertThatThrownBy(() -> store.open("/dst/y/a")).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> store.stat("../up")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.create("/x/y/a/..", WriteOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void corruptReplicasAreReportedAndReadingContinuesFromAGoodOne() throws Exception {
        byte[] data = random((int) (2 * BLOCK), 4);
        write("/c.bin", data, WriteOptions.defaults().withBlockSize(BLOCK));
        String block = store.stat("/c.bin").blocks().getFirst().blockId();
        for (String node : List.of("s1", "s2")) {
            Path f = cluster.blockFile(node, block).orElseThrow();
            byte[] b = Files.readAllBytes(f);
            b[12_345] ^= 1;
            Files.write(f, b, StandardOpenOption.TRUNCATE_EXISTING);
        }
        // Whatever order replicas are tried in, every read returns the right bytes.
        for (int i = 0; i < 8; i++) assertThat(read("/c.bin")).isEqualTo(data);
        CuratorFramework c = cluster.curator();
        assertThat(c.getChildren().forPath("/cairn/store/corrupt"))
                .isSubsetOf(block + "@s1", block + "@s2")
                .isNotEmpty();
    }

    @Test
    void readsAndWritesGoOnWhenANodeIsDown() throws Exception {
        byte[] data = random((int) (3 * BLOCK), 5);
        write("/k.bin", data, WriteOptions.defaults().withBlockSize(BLOCK));
        cluster.node("s2").close(); // s2 stops serving; its coord entry lingers until its session ends
        assertThat(read("/k.bin")).isEqualTo(data);
        byte[] more = random((int) BLOCK + 3, 6);
        write("/k2.bin", more, WriteOptions.defaults().withBlockSize(BLOCK));
        assertThat(read("/k2.bin")).isEqualTo(more);
        for (BlockLocation b : store.stat("/k2.bin").blocks())
            assertThat(b.nodes()).doesNotContain("s2").isNotEmpty();
    }

    @Test
    void plainModeRecordsTheJvmUserTheParentsGroupAndTheUmaskButEnforcesNothing() throws Exception {
        String me = System.getProperty("user.name");
        store.mkdirs("/team");
        assertThat(store.stat("/team").owner()).isEqualTo(me);
        assertThat(store.stat("/team").group()).isEqualTo("cairn"); // the root's group
        assertThat(store.stat("/team").permission()).hasToString("rwxr-xr-x");
        // Unenforced, as HDFS simple authentication: anyone may chown.
        store.chown("/team", "alice", "eng");
        try (StoreClient strict = StoreClient.connect(
                cluster.connect(),
                null,
                StoreTestCluster.TIMEOUT,
                dev.cairn.common.security.TransportSecurity.plain(),
                java.util.Map.of(),
                FsPermission.parse("027"))) {
            try (OutputStream out = strict.create("/team/a/f", WriteOptions.defaults())) {
                out.write(1);
            }
            FileStatus f = strict.stat("/team/a/f");
            assertThat(List.of(f.owner(), f.group(), f.permission().toString()))
                    .containsExactly(me, "eng", "rw-r-----");
            FileStatus d = strict.stat("/team/a");
            assertThat(List.of(d.group(), d.permission().toString())).containsExactly("eng", "rwxr-x---");
        }
        store.chmod("/team/a/f", FsPermission.parse("600"));
        // Rename and overwrite keep what they should: a renamed entry its access, a rewritten file is new.
        store.rename("/team/a/f", "/team/g");
        assertThat(store.stat("/team/g").permission()).hasToString("rw-------");
        assertThat(store.list("/team")).extracting(FileStatus::path).containsExactly("/team/a", "/team/g");
    }
}
