package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.io.FileTrees;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.yaml.snakeyaml.Yaml;

/**
 * The store on a {@code cairn cluster up} of separate processes (three store nodes), driven
 * through {@code cairn fs} as a user would: a multi-block file put and got back byte-identical,
 * namespace operations and their errors, a corrupted replica on disk, and a store node killed
 * with SIGKILL.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StoreIT {
    private static final Duration CMD = Duration.ofMinutes(2);
    private static Path dir;
    private static Path work;

    @BeforeAll
    static void up() throws Exception {
        dir = Files.createTempDirectory("cairn-store-it");
        work = Files.createTempDirectory("cairn-store-it-work");
        Cli.ok(Duration.ofMinutes(2), "cluster", "up", "--nodes", "3", "--slots", "1", "--dir", dir.toString(), "--jvm-opts", "-Xmx256m");
    }

    @AfterAll
    static void down() throws Exception {
        if (dir == null) return;
        Cli.run(Duration.ofMinutes(1), "cluster", "down", "--dir", dir.toString());
        FileTrees.deleteRecursively(dir);
        FileTrees.deleteRecursively(work);
    }

    private static Cli.Result fs(String... args) throws Exception {
        String[] full = Stream.concat(Stream.of("fs"), Stream.concat(Stream.of(args), Stream.of("--dir", dir.toString()))).toArray(String[]::new);
        return Cli.run(CMD, full);
    }

    private static Cli.Result fsOk(String... args) throws Exception {
        Cli.Result r = fs(args);
        assertThat(r.exit()).as("cairn fs %s\n%s", String.join(" ", args), r.all()).isZero();
        return r;
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
        Matcher m = Pattern.compile("(blk_[0-9a-f]{16}) offset \\S+ length \\S+ on (\\S+)").matcher(fsOk("stat", path).stdout());
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
            assertThat(replicas).as("replicas of %s", b[0]).hasSize(3).doesNotHaveDuplicates();
            nodes.addAll(replicas);
        }
        assertThat(nodes).containsExactly("worker-1", "worker-2", "worker-3");
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
        assertThat(fs("get", "/nope", work.resolve("nope").toString()).all()).contains("no such file or directory: /nope");
        assertThat(fs("put", work.resolve("missing.txt").toString(), "/x").all()).contains("no such local file");
        assertThat(fs("ls", "relative/path").all()).contains("not absolute");
        Cli.Result du = fsOk("du", "/data");
        assertThat(du.stdout()).contains("41,955,385").contains("125,866,155").contains("1 files");
    }

    @Test
    @Order(3)
    void aCorruptedReplicaOnDiskIsDetectedAndReadingGoesOnFromAnother() throws Exception {
        Path local = randomFile("small.bin", 3L << 20, 7);
        fsOk("put", "--block-size", "1m", local.toString(), "/data/small.bin");
        String[] first = blocks("/data/small.bin").getFirst();
        // Flip bytes in every replica but one of the first block.
        List<String> replicas = List.of(first[1].split(","));
        for (String node : replicas.subList(0, replicas.size() - 1)) {
            Path file = blockFile(node, first[0]);
            byte[] b = Files.readAllBytes(file);
            b[1000] ^= 0x5a;
            Files.write(file, b, StandardOpenOption.TRUNCATE_EXISTING);
        }
        // Readers pick replicas in random order: read until one has met a corrupt replica (each read
        // starts on a corrupt one with probability 2/3, so 20 reads miss with probability 3^-20).
        String reported = "";
        for (int i = 0; i < 20 && !reported.contains(first[0]); i++) {
            Path back = work.resolve("small.back");
            fsOk("get", "/data/small.bin", back.toString());
            assertThat(sha256(back)).as("read %d", i).isEqualTo(sha256(local));
            reported = Cli.ok(CMD, "coord", "ls", "/cairn/store/corrupt", "--dir", dir.toString()).stdout();
        }
        assertThat(reported).containsAnyOf(replicas.subList(0, replicas.size() - 1).stream().map(n -> first[0] + "@" + n).toArray(String[]::new));
        assertThat(reported).doesNotContain(first[0] + "@" + replicas.getLast());
    }

    private static Path blockFile(String node, String blockId) throws IOException {
        try (Stream<Path> files = Files.walk(dir.resolve(node))) {
            return files.filter(p -> p.getFileName().toString().equals(blockId)).findFirst()
                    .orElseThrow(() -> new AssertionError("no file of " + blockId + " under " + dir.resolve(node)));
        }
    }

    @Test
    @Order(4)
    void everyFileStaysReadableAfterAStoreNodeIsKilled() throws Exception {
        long victim = nodes().stream().filter(n -> n.get("id").equals("worker-3")).map(n -> ((Number) n.get("pid")).longValue()).findFirst().orElseThrow();
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();
        Path back = work.resolve("big.after-kill");
        fsOk("get", "/data/big.bin", back.toString());
        assertThat(sha256(back)).isEqualTo(sha256(work.resolve("big.bin")));
        // New files are placed on the survivors.
        Path text = work.resolve("after.txt");
        Files.writeString(text, "written with a node down\n");
        fsOk("put", text.toString(), "/after.txt");
        assertThat(fsOk("cat", "/after.txt").stdout()).isEqualTo("written with a node down\n");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> nodes() throws IOException {
        Map<String, Object> cluster = new Yaml().load(Files.readString(dir.resolve("cluster.json")));
        return (List<Map<String, Object>>) cluster.get("nodes");
    }
}
