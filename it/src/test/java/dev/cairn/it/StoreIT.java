package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.testing.FileWalks;
import dev.cairn.store.StoreClient;
import dev.cairn.store.WriteOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The store on a {@code cairn cluster up} of separate processes (four store nodes, a three-member
 * coord, the replication monitor with short timeouts), driven through {@code cairn fs} as a user
 * would and through {@link StoreClient} for concurrent writers: a multi-block file put and got back
 * byte-identical, namespace operations and their errors, concurrent writers, corrupted replicas on
 * disk detected, reported by fsck and replaced, a writer killed mid-file, and a store node killed
 * with SIGKILL whose replicas are restored on the survivors.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StoreIT {
    private static final Duration CMD = Duration.ofMinutes(2);
    /** The replication monitor's timeouts on this cluster: what bounds repairs below. */
    private static final Duration DEAD_NODE_TIMEOUT = Duration.ofSeconds(3);

    private static final Duration GC_GRACE = Duration.ofSeconds(3);
    private static final Duration REPAIR_BOUND = Duration.ofSeconds(60);
    private static final List<String> WORKERS = List.of("worker-1", "worker-2", "worker-3", "worker-4");
    private static Path dir;
    private static Path work;

    @BeforeAll
    static void up() throws Exception {
        dir = Files.createTempDirectory("cairn-store-it");
        work = Files.createTempDirectory("cairn-store-it-work");
        Cli.ok(
                Duration.ofMinutes(2),
                "cluster",
                "up",
                "--nodes",
                "4",
                "--slots",
                "1",
                "--dir",
                dir.toString(),
                "--jvm-opts",
                "-Xmx256m",
                "-D",
                "store.monitor-interval=500ms",
                "-D",
                "store.dead-node-timeout=" + DEAD_NODE_TIMEOUT.toSeconds() + "s",
                "-D",
                "store.gc-grace=" + GC_GRACE.toSeconds() + "s");
    }

    @AfterAll
    static void down() throws Exception {
        if (dir == null) return;
        Cli.clusterDown(dir, work);
    }

    private static Cli.Result fs(String... args) throws Exception {
        return Cli.fs(dir, args);
    }

    private static Cli.Result fsOk(String... args) throws Exception {
        return Cli.fsOk(dir, args);
    }

    /** A file of seeded random bytes. */
    private static Path randomFile(String name, long size, long seed) throws IOException {
        Path p = work.resolve(name);
        Random random = new Random(seed);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(p)) {
            for (long left = size; left > 0; ) {
                random.nextBytes(buf);
                int n = (int) Math.min(buf.length, left);
                out.write(buf, 0, n);
                left -= n;
            }
        }
        return p;
    }

    private static String sha256(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** The block ids and their nodes, from {@code fs stat}. */
    private static List<String[]> blocks(String path) throws Exception {
        Matcher m = Pattern.compile("(blk_[0-9a-f]{16}) offset \\S+ length \\S+ on (\\S+)")
                .matcher(fsOk("stat", path).stdout());
        java.util.ArrayList<String[]> out = new java.util.ArrayList<>();
        while (m.find()) out.add(new String[] {m.group(1), m.group(2)});
        return out;
    }

    @Test
    @Order(1)
    void multiBlockFileComesBackByteIdenticalFromReplicasOnEveryNode() throws Exception {
        Path local = randomFile("big.bin", (40L << 20) + 12_345, 42);
        fsOk("put", "--block-size", "8m", local.toString(), "/data/big.bin");
        List<String[]> blocks = blocks("/data/big.bin");
        assertThat(blocks).hasSize(6);
        java.util.Set<String> nodes = new java.util.TreeSet<>();
        for (String[] b : blocks) {
            List<String> replicas = List.of(b[1].split(","));
            assertThat(replicas)
                    .as("replicas of %s", b[0])
                    .hasSize(3)
                    .doesNotHaveDuplicates()
                    .isSubsetOf(WORKERS);
            nodes.addAll(replicas);
        }
        assertThat(nodes).as("blocks spread over the nodes").hasSizeGreaterThan(3);
        Path back = work.resolve("big.back");
        fsOk("get", "/data/big.bin", back.toString());
        assertThat(sha256(back)).isEqualTo(sha256(local));
        assertThat(fsOk("ls", "/data").stdout()).contains("/data/big.bin").contains("41,955,385");
    }

    @Test
    @Order(2)
    void namespaceOperationsAndTheirErrors() throws Exception {
        Path text = work.resolve("hello.txt");
        Files.writeString(text, "hello, store\n");
        fsOk("mkdir", "/a/b");
        fsOk("put", text.toString(), "/a/b");
        assertThat(fsOk("cat", "/a/b/hello.txt").stdout()).isEqualTo("hello, store\n");
        // No overwrite unless asked.
        assertThat(fs("put", text.toString(), "/a/b/hello.txt").all()).contains("already exists: /a/b/hello.txt");
        fsOk("put", "-f", text.toString(), "/a/b/hello.txt");
        fsOk("mv", "/a/b", "/c");
        assertThat(fs("cat", "/a/b/hello.txt").all()).contains("no such file or directory: /a/b/hello.txt");
        assertThat(fsOk("cat", "/c/hello.txt").stdout()).isEqualTo("hello, store\n");
        assertThat(fs("rm", "/c").all()).contains("directory not empty: /c");
        fsOk("rm", "-r", "/c");
        assertThat(fsOk("ls", "/").stdout()).doesNotContain("/c");
        assertThat(fs("get", "/nope", work.resolve("nope").toString()).all())
                .contains("no such file or directory: /nope");
        assertThat(fs("put", work.resolve("missing.txt").toString(), "/x").all())
                .contains("no such local file");
        assertThat(fs("ls", "relative/path").all()).contains("not absolute");
        Cli.Result du = fsOk("du", "/data");
        assertThat(du.stdout()).contains("41,955,385").contains("125,866,155").contains("1 files");
    }

    @Test
    @Order(3)
    void aCorruptedReplicaIsDetectedReportedByFsckAndReplaced() throws Exception {
        Path local = randomFile("small.bin", 3L << 20, 7);
        fsOk("put", "--block-size", "1m", local.toString(), "/data/small.bin");
        String[] first = blocks("/data/small.bin").getFirst();
        List<String> replicas = List.of(first[1].split(","));
        String rotten = replicas.getFirst();
        Path file = blockFile(rotten, first[0]);
        byte[] good = Files.readAllBytes(file);
        byte[] flipped = good.clone();
        flipped[1000] ^= 0x5a;
        Files.write(file, flipped, StandardOpenOption.TRUNCATE_EXISTING);
        // Readers pick replicas in random order: read until one has met the corrupt replica and
        // reported it (fsck counts it), or the monitor has already dropped it; every read returns
        // the right bytes.
        byte[] expected = Files.readAllBytes(local);
        try (StoreClient store = client()) {
            boolean seen = false;
            for (int i = 0; i < 30 && !seen; i++) {
                try (InputStream in = store.open("/data/small.bin")) {
                    assertThat(in.readAllBytes()).as("read %d", i).isEqualTo(expected);
                }
                seen = store.fsck("/data").corruptReplicas() > 0 || !holds(rotten, first[0], flipped);
            }
            assertThat(seen).as("the corrupt replica was detected").isTrue();
            // The monitor drops the corrupt replica and copies a good one in its place.
            org.awaitility.Awaitility.await()
                    .atMost(REPAIR_BOUND)
                    .until(() -> store.fsck("/data").healthy()
                            && store.stat("/data/small.bin")
                                            .blocks()
                                            .getFirst()
                                            .nodes()
                                            .size()
                                    == 3);
        }
        assertThat(holds(rotten, first[0], flipped))
                .as("the corrupt copy on %s is gone", rotten)
                .isFalse();
        assertThat(coordLs("/cairn/store/corrupt")).doesNotContain(first[0]);
        assertThat(fsOk("fsck", "/data").stdout())
                .contains("status: HEALTHY")
                .contains("corrupt replicas:            0");

        // Every replica of a block corrupt: nothing to repair from. Reads fail saying why, fsck says which block.
        Path lonely = randomFile("lonely.bin", 1L << 20, 8);
        fsOk("put", "-r", "2", lonely.toString(), "/rotten/lonely.bin");
        String[] only = blocks("/rotten/lonely.bin").getFirst();
        for (String node : only[1].split(",")) {
            Path f = blockFile(node, only[0]);
            byte[] b = Files.readAllBytes(f);
            b[99] ^= 1;
            Files.write(f, b, StandardOpenOption.TRUNCATE_EXISTING);
        }
        Cli.Result read =
                fs("get", "/rotten/lonely.bin", work.resolve("lonely.back").toString());
        assertThat(read.exit()).isNotZero();
        assertThat(read.all()).contains(only[0]).containsIgnoringCase("checksum");
        Cli.Result fsck = fs("fsck", "/rotten");
        assertThat(fsck.exit()).as(fsck.all()).isEqualTo(1);
        assertThat(fsck.stdout()).contains("MISSING").contains(only[0]).contains("status: CORRUPT");
        fsOk("rm", "-r", "/rotten");
    }

    private static boolean holds(String node, String blockId, byte[] content) throws IOException {
        Path f = blockFileOrNull(node, blockId);
        return f != null && java.util.Arrays.equals(Files.readAllBytes(f), content);
    }

    private static String coordLs(String path) throws Exception {
        return Cli.ok(CMD, "coord", "ls", path, "--dir", dir.toString()).stdout();
    }

    private static StoreClient client() throws Exception {
        Map<String, Object> cluster = Cli.clusterFile(dir);
        return StoreClient.connect((String) cluster.get("coordConnect"), null, Duration.ofSeconds(30));
    }

    private static Path blockFile(String node, String blockId) throws IOException {
        Path f = blockFileOrNull(node, blockId);
        if (f == null) throw new AssertionError("no file of " + blockId + " under " + dir.resolve(node));
        return f;
    }

    private static Path blockFileOrNull(String node, String blockId) throws IOException {
        return FileWalks.query(
                dir.resolve(node),
                files -> files.filter(p -> p.getFileName().toString().equals(blockId)
                                && p.getParent().getFileName().toString().equals("current"))
                        .findFirst()
                        .orElse(null));
    }

    @Test
    @Order(4)
    void concurrentWritersOfDifferentFiles() throws Exception {
        int writers = 6;
        try (StoreClient store = client();
                var pool = java.util.concurrent.Executors.newFixedThreadPool(writers)) {
            List<java.util.concurrent.Future<byte[]>> done = new java.util.ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                done.add(pool.submit(() -> {
                    byte[] data = new byte[(3 << 20) + id * 1000];
                    new Random(100 + id).nextBytes(data);
                    try (OutputStream out = store.create("/concurrent/f" + id, new WriteOptions(3, 1 << 20, false))) {
                        for (int off = 0; off < data.length; off += 65_000)
                            out.write(data, off, Math.min(65_000, data.length - off));
                    }
                    return data;
                }));
            }
            for (int w = 0; w < writers; w++) {
                byte[] expected = done.get(w).get(2, java.util.concurrent.TimeUnit.MINUTES);
                try (InputStream in = store.open("/concurrent/f" + w)) {
                    assertThat(in.readAllBytes()).as("file %d", w).isEqualTo(expected);
                }
            }
            assertThat(store.list("/concurrent")).hasSize(writers);
        }
    }

    @Test
    @Order(5)
    void aWriterKilledMidFileLeavesNoFileAndItsBlocksAreCollected() throws Exception {
        // A sparse local file: big enough that the put is still running when it is killed.
        Path big = work.resolve("sparse.bin");
        try (var raf = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            raf.setLength(4L << 30);
        }
        Cli.Background put = Cli.start(
                "fs", "put", "--block-size", "1m", big.toString(), "/killed/sparse.bin", "--dir", dir.toString());
        List<String> written;
        try (StoreClient store = client()) {
            var coord = org.apache.curator.framework.CuratorFrameworkFactory.newClient(
                    (String) Cli.clusterFile(dir).get("coordConnect"),
                    new org.apache.curator.retry.RetryNTimes(10, 200));
            coord.start();
            try {
                // Wait until the writer has allocated a few blocks, then kill it.
                written = org.awaitility.Awaitility.await()
                        .atMost(CMD)
                        .until(() -> pendingBlocks(coord), l -> l.size() >= 4);
                put.process().destroyForcibly().waitFor();
                assertThat(store.exists("/killed/sparse.bin")).isFalse();
                // The writer's session expires, its pending write goes; the blocks it wrote are garbage after the grace
                // period.
                org.awaitility.Awaitility.await()
                        .atMost(REPAIR_BOUND)
                        .until(() -> pendingBlocks(coord).isEmpty());
                org.awaitility.Awaitility.await().atMost(REPAIR_BOUND).until(() -> {
                    for (String node : WORKERS)
                        for (String b : written) if (blockFileOrNull(node, b) != null) return false;
                    return true;
                });
                assertThat(store.exists("/killed/sparse.bin")).isFalse();
            } finally {
                coord.close();
                put.process().destroyForcibly();
                Files.deleteIfExists(big);
            }
        }
    }

    private static List<String> pendingBlocks(org.apache.curator.framework.CuratorFramework coord) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        for (String w : coord.getChildren().forPath("/cairn/store/pending")) {
            try {
                String[] lines = new String(
                                coord.getData().forPath("/cairn/store/pending/" + w),
                                java.nio.charset.StandardCharsets.UTF_8)
                        .split("\n");
                out.addAll(List.of(lines).subList(1, lines.length));
            } catch (org.apache.zookeeper.KeeperException.NoNodeException gone) {
                // closed meanwhile
            }
        }
        return out;
    }

    @Test
    @Order(6)
    void aKilledStoreNodesReplicasAreRestoredOnTheSurvivors() throws Exception {
        // worker-3 holds blocks but is not one of the three coord members (master, worker-1, worker-2).
        long victim = nodes().stream()
                .filter(n -> n.get("id").equals("worker-3"))
                .map(n -> ((Number) n.get("pid")).longValue())
                .findFirst()
                .orElseThrow();
        long killedAt = System.nanoTime();
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();
        Path back = work.resolve("big.after-kill");
        fsOk("get", "/data/big.bin", back.toString());
        assertThat(sha256(back)).isEqualTo(sha256(work.resolve("big.bin")));
        // New files are placed on the survivors.
        Path text = work.resolve("after.txt");
        Files.writeString(text, "written with a node down\n");
        fsOk("put", text.toString(), "/after.txt");
        assertThat(fsOk("cat", "/after.txt").stdout()).isEqualTo("written with a node down\n");

        // Once worker-3 is declared dead, every block it held is copied to the fourth node.
        try (StoreClient store = client()) {
            org.awaitility.Awaitility.await().atMost(REPAIR_BOUND).until(() -> {
                for (String f : List.of("/data/big.bin", "/data/small.bin")) {
                    for (var b : store.stat(f).blocks()) {
                        if (b.nodes().size() != 3 || b.nodes().contains("worker-3")) return false;
                    }
                }
                return store.fsck("/").healthy();
            });
        }
        long restoredMs = (System.nanoTime() - killedAt) / 1_000_000;
        System.out.printf(
                "StoreIT: replication restored %d ms after the kill (dead-node timeout %d ms)%n",
                restoredMs, DEAD_NODE_TIMEOUT.toMillis());
        Cli.Result fsck = fsOk("fsck", "/");
        assertThat(fsck.stdout())
                .contains("status: HEALTHY")
                .contains("3 live store nodes")
                .contains("under-replicated blocks:     0");
        fsOk("get", "/data/big.bin", back.toString());
        assertThat(sha256(back)).isEqualTo(sha256(work.resolve("big.bin")));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> nodes() throws IOException {
        Map<String, Object> cluster = Cli.clusterFile(dir);
        return (List<Map<String, Object>>) cluster.get("nodes");
    }
}
