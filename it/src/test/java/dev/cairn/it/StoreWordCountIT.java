package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.batch.BatchClient;
import dev.cairn.batch.JobState;
import dev.cairn.batch.JobStatus;
import dev.cairn.store.FileStatus;
import dev.cairn.store.StoreClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * MapReduce over the store on a {@code cairn cluster up} of separate processes (three workers,
 * each a store node): a GenText corpus put with small blocks and one replica each, so it lies in
 * pieces across the workers; WordCount from {@code cairn:///in/corpus.txt} into
 * {@code cairn:///out/wc}, exact against GenText's counts file, with its maps run where their
 * blocks lie; an output that exists; a failing job; output that is invisible until the job commits.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StoreWordCountIT {
    private static final Duration CMD = Duration.ofMinutes(2);
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(3);
    private static final Pattern LOCALITY = Pattern.compile(
            "input: [0-9.]+ MiB read, (\\d+)% node-local \\((\\d+) of (\\d+) tasks reading located splits");
    private static Path dir;
    private static Path work;
    private static Path counts;
    private static String master;
    private static String coordConnect;

    @BeforeAll
    static void up() throws Exception {
        dir = Files.createTempDirectory("cairn-store-wc-it");
        work = Files.createTempDirectory("cairn-store-wc-it-work");
        Path corpus = work.resolve("corpus.txt");
        counts = work.resolve("counts.tsv");
        Corpus.genText(corpus, counts, "24m", 11);
        Cli.ok(
                CMD,
                "cluster",
                "up",
                "--nodes",
                "3",
                "--slots",
                "1",
                "--dir",
                dir.toString(),
                "--jvm-opts",
                "-Xmx320m",
                "-Dworker.heartbeat-interval=300ms",
                "-Dworker.sort-buffer=8m");
        Map<String, Object> cluster = Cli.clusterFile(dir);
        master = (String) cluster.get("master");
        coordConnect = (String) cluster.get("coordConnect");
        fsOk("put", "--block-size", "2m", "-r", "1", corpus.toString(), "/in/corpus.txt");
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

    @Test
    @Order(1)
    void wordCountFromTheStoreIntoTheStoreEqualsGenTextsCountsAndReadsWhereBlocksLie() throws Exception {
        long blocks = Pattern.compile("blk_[0-9a-f]{16}")
                .matcher(fsOk("stat", "/in/corpus.txt").stdout())
                .results()
                .count();
        assertThat(blocks).as("the corpus spans many blocks").isGreaterThanOrEqualTo(12);
        Cli.Result r = Cli.ok(
                JOB_TIMEOUT,
                "submit",
                "--master",
                master,
                "--example",
                "wordcount",
                "cairn:///in/corpus.txt",
                "cairn:///out/wc",
                "3");
        assertThat(r.stdout()).contains("succeeded").contains("output: cairn:///out/wc");
        Matcher m = LOCALITY.matcher(r.stdout());
        assertThat(m.find()).as("locality line in\n%s", r.stdout()).isTrue();
        assertThat(Integer.parseInt(m.group(1)))
                .as("percent of input read node-locally")
                .isPositive();
        assertThat(Integer.parseInt(m.group(2))).as("data-local maps").isPositive();
        assertThat(Long.parseLong(m.group(3))).as("one map per block").isEqualTo(blocks);

        String jobId = r.stdout()
                .lines()
                .filter(l -> l.contains(" succeeded in "))
                .findFirst()
                .orElseThrow()
                .split(" ")[0];
        assertThat(Cli.ok(CMD, "job", "status", jobId, "--master", master).stdout())
                .contains("SUCCEEDED")
                .containsPattern(LOCALITY.pattern());

        assertThat(fsOk("ls", "/out/wc").stdout())
                .contains("/out/wc/_SUCCESS")
                .contains("/out/wc/part-r-00000")
                .contains("/out/wc/part-r-00001")
                .contains("/out/wc/part-r-00002");
        assertThat(outputLines("/out/wc")).isEqualTo(Files.readAllLines(counts, StandardCharsets.UTF_8));
        assertThat(fsOk("ls", "/out").stdout().strip().lines())
                .as("no staging left beside the output")
                .hasSize(1);
    }

    @Test
    @Order(2)
    void aJobWhoseOutputExistsOrWhoseInputIsMissingFailsWithAClearMessage() throws Exception {
        Cli.Result exists = Cli.run(
                JOB_TIMEOUT,
                "submit",
                "--master",
                master,
                "--example",
                "wordcount",
                "cairn:///in/corpus.txt",
                "cairn:///out/wc");
        assertThat(exists.exit()).isEqualTo(1);
        assertThat(exists.stderr().strip())
                .startsWith("error: ")
                .contains("output path already exists: cairn:///out/wc")
                .doesNotContain("\n");
        Cli.Result missing = Cli.run(
                JOB_TIMEOUT,
                "submit",
                "--master",
                master,
                "--example",
                "wordcount",
                "cairn:///in/nope.txt",
                "cairn:///out/x");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.stderr()).contains("input path does not exist: cairn:///in/nope.txt");
    }

    @Test
    @Order(3)
    void aFailingJobLeavesNothingVisibleInTheStore() throws Exception {
        String poison = Files.readAllLines(counts).getFirst().split("\t")[0];
        Cli.Result r = Cli.run(
                JOB_TIMEOUT,
                "submit",
                "--master",
                master,
                "--example",
                "failing-wordcount",
                poison,
                "cairn:///in/corpus.txt",
                "cairn:///out/failed");
        assertThat(r.exit()).as(r.all()).isEqualTo(1);
        assertThat(r.stderr()).contains("poison word '" + poison + "'");
        try (StoreClient store = StoreClient.connect(coordConnect, null, Duration.ofSeconds(30))) {
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(store.list("/out"))
                            .extracting(FileStatus::path)
                            .as("neither output nor staging")
                            .containsExactly("/out/wc"));
        }
    }

    @Test
    @Order(4)
    void outputAppearsOnlyOnceTheJobHasCommitted() throws Exception {
        Cli.Result r = Cli.ok(
                CMD,
                "submit",
                "--master",
                master,
                "--detach",
                "--example",
                "wordcount",
                "cairn:///in/corpus.txt",
                "cairn:///out/wc2");
        String jobId = r.stdout().split("\\s+")[1];
        try (BatchClient client = BatchClient.connect(master);
                StoreClient store = StoreClient.connect(coordConnect, null, Duration.ofSeconds(30))) {
            List<String> seenWhileRunning = new ArrayList<>();
            JobStatus end = await().atMost(JOB_TIMEOUT)
                    .pollInterval(Duration.ofMillis(100))
                    .until(
                            () -> {
                                // Output first, status after: output seen while tasks were still unfinished afterwards
                                // was visible before the commit. (At progress 1.0 the job may be committing, and the
                                // commit — one rename — may land between the two reads.)
                                boolean visible = store.exists("/out/wc2");
                                JobStatus s = client.status(jobId);
                                if (visible && s.state() == JobState.RUNNING && s.progress() < 1.0)
                                    seenWhileRunning.add(s.progress() + "");
                                return s;
                            },
                            s -> s.state().isTerminal());
            assertThat(end.state()).as(end.error()).isEqualTo(JobState.SUCCEEDED);
            assertThat(seenWhileRunning).as("output visible while the job ran").isEmpty();
            assertThat(store.exists("/out/wc2/_SUCCESS")).isTrue();
            assertThat(end.inputLocalBytes()).isPositive();
        }
        assertThat(outputLines("/out/wc2")).isEqualTo(Files.readAllLines(counts, StandardCharsets.UTF_8));
    }

    /** TPC-H from cairn:// tables into a cairn:// output: the rows of the same query run in this JVM on local files. */
    @Test
    @Order(5)
    void tpchFromTheStoreIntoTheStoreGivesTheLocalAnswer() throws Exception {
        Path tables = work.resolve("tpch");
        dev.cairn.examples.tpch.TpchTableWriter.write(0.01, tables);
        for (String t : List.of("customer", "orders", "lineitem"))
            fsOk("put", "--block-size", "1m", tables.resolve(t + ".tbl").toString(), "/tpch/" + t + ".tbl");
        Cli.Result r = Cli.ok(
                JOB_TIMEOUT,
                "submit",
                "--master",
                master,
                "--parallelism",
                "2",
                "--example",
                "tpch-q18",
                "cairn:///tpch",
                "cairn:///out/q18");
        assertThat(r.stdout()).contains("succeeded").contains("output: cairn:///out/q18");

        Path local = work.resolve("q18-local");
        dev.cairn.dataflow.Dataflow flow = dev.cairn.dataflow.Dataflow.create(
                dev.cairn.dataflow.DataflowOptions.defaults().withParallelism(2));
        new dev.cairn.examples.tpch.TpchQueries.Q18().define(flow, new String[] {tables.toString(), local.toString()});
        flow.execute(dev.cairn.dataflow.RuntimeMode.BATCH);
        List<String> expected = new ArrayList<>();
        try (var parts = Files.list(local)) {
            for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .sorted()
                    .toList()) expected.addAll(Files.readAllLines(p, StandardCharsets.UTF_8));
        }
        Path got = Files.createDirectories(work.resolve("q18-got"));
        List<String> lines = new ArrayList<>();
        for (String line : fsOk("ls", "/out/q18").stdout().lines().sorted().toList()) {
            String path = line.substring(line.lastIndexOf(' ') + 1);
            if (!path.substring(path.lastIndexOf('/') + 1).startsWith("part-")) continue;
            Path copy = got.resolve(path.substring(path.lastIndexOf('/') + 1));
            fsOk("get", path, copy.toString());
            lines.addAll(Files.readAllLines(copy, StandardCharsets.UTF_8));
        }
        assertThat(lines).isNotEmpty().isEqualTo(expected);
    }

    /** Every part file of a store directory, got with {@code fs get}, lines sorted. */
    private static List<String> outputLines(String storeDir) throws Exception {
        Path local = Files.createDirectories(work.resolve("got" + storeDir.replace('/', '-')));
        List<String> lines = new ArrayList<>();
        for (String line : fsOk("ls", storeDir).stdout().lines().toList()) {
            String path = line.substring(line.lastIndexOf(' ') + 1);
            if (!path.substring(path.lastIndexOf('/') + 1).startsWith("part-r-")) continue;
            Path copy = local.resolve(path.substring(path.lastIndexOf('/') + 1));
            fsOk("get", path, copy.toString());
            lines.addAll(Files.readAllLines(copy, StandardCharsets.UTF_8));
        }
        lines.sort(null);
        return lines;
    }
}
