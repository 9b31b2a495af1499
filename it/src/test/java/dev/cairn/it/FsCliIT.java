package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code cairn fs} as a new user meets it, on {@code cluster up --nodes 2} (two store nodes, so
 * files asking for three replicas can have only two): README's put example, whole directories
 * put and got back, a job's part files merged into one local file, and listings that say how
 * replicated files really are.
 */
class FsCliIT {
    private static Path dir;
    private static Path work;

    @BeforeAll
    static void up() throws Exception {
        dir = Files.createTempDirectory("cairn-fscli-it");
        work = Files.createTempDirectory("cairn-fscli-it-work");
        Cli.ok(
                Duration.ofMinutes(2),
                "cluster",
                "up",
                "--nodes",
                "2",
                "--slots",
                "1",
                "--dir",
                dir.toString(),
                "--jvm-opts",
                "-Xmx256m");
    }

    @AfterAll
    static void down() throws Exception {
        if (dir == null) return;
        Cli.clusterDown(dir, work);
    }

    @Test
    void readmesPutExampleCopiesIntoTheDirectory() throws Exception {
        Path corpus = work.resolve("corpus.txt");
        Files.writeString(corpus, "a b c\n");
        Cli.fsOk(dir, "put", corpus.toString(), "/in/");
        assertThat(Cli.fsOk(dir, "cat", "/in/corpus.txt").stdout()).isEqualTo("a b c\n");
        assertThat(Cli.fsOk(dir, "stat", "/in").stdout()).contains("type: directory");
        // An existing directory without the slash means the same.
        Path other = work.resolve("other.txt");
        Files.writeString(other, "d e\n");
        Cli.fsOk(dir, "put", other.toString(), "/in");
        assertThat(Cli.fsOk(dir, "cat", "/in/other.txt").stdout()).isEqualTo("d e\n");
        assertThat(Cli.fs(dir, "put", corpus.toString(), "/in").all()).contains("already exists: /in/corpus.txt");
        // A new name without the slash is the file's name.
        Cli.fsOk(dir, "put", corpus.toString(), "/in/renamed.txt");
        assertThat(Cli.fsOk(dir, "ls", "/in").stdout()).contains("/in/corpus.txt", "/in/other.txt", "/in/renamed.txt");
        assertThat(Cli.fs(dir, "put", work.resolve("absent").toString(), "/in/").all())
                .contains("no such local file or directory");
    }

    @Test
    void directoriesGoInAndComeBackWhole() throws Exception {
        Path tree = work.resolve("tree");
        TreeMap<String, byte[]> files = new TreeMap<>();
        Random random = new Random(23);
        for (int i = 0; i < 24; i++) {
            String rel = (i % 3 == 0 ? "" : "sub" + (i % 3) + "/") + (i % 4 == 0 ? "deep/" : "") + "file-" + i + ".bin";
            byte[] data = new byte[random.nextInt(200_000)];
            random.nextBytes(data);
            files.put(rel, data);
            Path p = tree.resolve(rel);
            Files.createDirectories(p.getParent());
            Files.write(p, data);
        }
        Files.createDirectories(tree.resolve("empty"));

        Cli.fsOk(dir, "put", "-p", "6", tree.toString(), "/trees/one");
        assertThat(Cli.fsOk(dir, "stat", "/trees/one/empty").stdout()).contains("type: directory");
        // Into an existing local directory it lands under its store name; elsewhere it takes the local name given.
        Path into = Files.createDirectories(work.resolve("back"));
        Cli.fsOk(dir, "get", "/trees/one", into.toString());
        Cli.fsOk(dir, "get", "/trees/one", work.resolve("renamed").toString());
        for (Path root : List.of(into.resolve("one"), work.resolve("renamed"))) {
            assertThat(relativeFiles(root)).as("files under %s", root).containsExactlyElementsOf(files.keySet());
            for (var e : files.entrySet())
                assertThat(Files.readAllBytes(root.resolve(e.getKey())))
                        .as(e.getKey())
                        .isEqualTo(e.getValue());
            assertThat(root.resolve("empty")).isEmptyDirectory();
        }
        // Putting the same tree into the existing directory puts it under its name.
        Cli.fsOk(dir, "put", tree.toString(), "/trees/one");
        assertThat(Cli.fsOk(dir, "stat", "/trees/one/tree/sub1").stdout()).contains("type: directory");
    }

    @Test
    void getmergeConcatenatesPartFilesInOrder() throws Exception {
        Path out = Files.createDirectories(work.resolve("job-out"));
        Files.writeString(out.resolve("part-r-00001"), "b\t2\n", StandardCharsets.UTF_8);
        Files.writeString(out.resolve("part-r-00000"), "a\t1\n", StandardCharsets.UTF_8);
        Files.writeString(out.resolve("part-r-00002"), "c\t3", StandardCharsets.UTF_8);
        Files.writeString(out.resolve("_SUCCESS"), "", StandardCharsets.UTF_8);
        Cli.fsOk(dir, "put", out.toString(), "/merge/");
        Path merged = work.resolve("merged.txt");
        Cli.fsOk(dir, "getmerge", "/merge/job-out", merged.toString());
        assertThat(Files.readString(merged)).isEqualTo("a\t1\nb\t2\nc\t3");
        Cli.fsOk(dir, "getmerge", "--nl", "/merge/job-out", merged.toString());
        assertThat(Files.readString(merged)).isEqualTo("a\t1\nb\t2\nc\t3\n");
        assertThat(Cli.fs(dir, "getmerge", "/merge/job-out/part-r-00000", merged.toString())
                        .all())
                .contains("not a directory");
    }

    @Test
    void listingsShowTargetAndActualReplication() throws Exception {
        Path f = work.resolve("twice.bin");
        Files.write(f, new byte[100_000]);
        Cli.fsOk(dir, "put", f.toString(), "/repl/twice.bin");
        String ls = Cli.fsOk(dir, "ls", "/repl").stdout();
        assertThat(ls).contains("2/3").contains("100,000").contains("only 2 store node(s) are live");
        String du = Cli.fsOk(dir, "du", "/repl").stdout();
        assertThat(du)
                .contains("logical", "stored", "target")
                .containsPattern("100,000\\s+200,000\\s+300,000\\s+1 files\\s+/repl");
        assertThat(Cli.fsOk(dir, "stat", "/repl/twice.bin").stdout()).contains("replication: 2 (target 3)");
    }

    /**
     * A join of two inputs with a mapper each, read from the store: its output merged back with
     * getmerge, and its counters of skipped lines shown by {@code submit} and {@code job status}.
     */
    @Test
    void aJoinFromTheStoreShowsItsCounters() throws Exception {
        Path in = Files.createDirectories(work.resolve("join-in"));
        Files.writeString(in.resolve("customers.csv"), "1,ann,FR\n2,bob,DE\nbroken line\n");
        Path orders = Files.createDirectories(in.resolve("orders"));
        Files.writeString(orders.resolve("a.csv"), "10,1,500\n11,2,250\n12,9,999\n");
        Files.writeString(orders.resolve("b.csv"), "13,1,100\nnot,an,order\n");
        Cli.fsOk(dir, "put", in.toString(), "/join");
        Cli.Result r = Cli.ok(
                Duration.ofMinutes(3),
                "submit",
                "--dir",
                dir.toString(),
                "--example",
                "customer-orders",
                "cairn:///join/customers.csv",
                "cairn:///join/orders",
                "cairn:///join/out");
        assertThat(r.stdout())
                .contains(
                        "customer-orders.malformed-customers=1",
                        "customer-orders.malformed-orders=1",
                        "customer-orders.orphan-orders=1");
        Path merged = work.resolve("join.txt");
        Cli.fsOk(dir, "getmerge", "/join/out", merged.toString());
        assertThat(Files.readAllLines(merged)).containsExactlyInAnyOrder("1\tann,FR,2,600", "2\tbob,DE,1,250");
        java.util.regex.Matcher id =
                java.util.regex.Pattern.compile("job-\\d{4}").matcher(r.stdout());
        assertThat(id.find()).as(r.stdout()).isTrue();
        String master = (String) Cli.clusterFile(dir).get("master");
        String status = Cli.ok(Duration.ofSeconds(30), "job", "status", id.group(), "--master", master)
                .stdout();
        assertThat(status)
                .contains("SUCCEEDED", "counters: customer-orders.malformed-customers=1", "built-in counters: ")
                .contains("map-records-in=8")
                .containsPattern("input: [0-9.]+ (bytes|KiB) read");
    }

    private static List<String> relativeFiles(Path root) throws Exception {
        List<String> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile)
                    .forEach(p -> out.add(root.relativize(p).toString()));
        }
        out.sort(null);
        return out;
    }
}
