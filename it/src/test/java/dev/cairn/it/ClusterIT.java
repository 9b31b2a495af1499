package dev.cairn.it;

import static dev.cairn.common.io.FileTrees.deleteRecursively;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.batch.BatchClient;
import dev.cairn.batch.JobState;
import dev.cairn.batch.JobStatus;
import dev.cairn.batch.WorkerStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.yaml.snakeyaml.Yaml;

/**
 * End to end, as a user would: {@code cairn cluster up} starts a master and two workers as
 * separate processes; jobs are submitted with {@code cairn submit}; one test kills a worker with
 * SIGKILL in the middle of a job. The cluster is shared by the tests, which run in order and
 * each leave it able to run the next job.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(3);
    private static Path dir;
    private static Path corpus;
    private static List<String> expected;
    /** Big enough that a job is still running a second or two after it was submitted. */
    private static Path bigCorpus;

    private static String master;

    @BeforeAll
    static void up() throws Exception {
        dir = Files.createTempDirectory("cairn-cluster-it");
        corpus = Corpus.generate(dir.resolve("corpus.txt"), 24L << 20, 7);
        expected = Corpus.expectedCounts(corpus);
        bigCorpus = Corpus.generate(dir.resolve("big.txt"), 96L << 20, 8);
        Cli.ok(
                Duration.ofMinutes(2),
                "cluster",
                "up",
                "--nodes",
                "2",
                "--slots",
                "2",
                "--dir",
                dir.resolve("cluster").toString(),
                "--jvm-opts",
                "-Xmx384m",
                "-Dmaster.split-size=2m",
                "-Dmaster.worker-timeout=3s",
                "-Dworker.heartbeat-interval=300ms",
                "-Dworker.sort-buffer=4m");
        master = (String) cluster().get("master");
    }

    @AfterAll
    static void down() throws Exception {
        if (dir == null) return;
        if (Files.exists(dir.resolve("cluster/cluster.json")))
            Cli.run(
                    Duration.ofMinutes(1),
                    "cluster",
                    "down",
                    "--dir",
                    dir.resolve("cluster").toString());
        for (Map<String, Object> n : nodes()) {
            long pid = ((Number) n.get("pid")).longValue();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("node %s stopped", n.get("id"))
                    .isFalse();
        }
        deleteRecursively(dir);
    }

    @Test
    @Order(1)
    void wordCountOutputEqualsExactCounts() throws Exception {
        Path out = dir.resolve("wc-1");
        Cli.Result r = Cli.ok(
                JOB_TIMEOUT,
                "submit",
                "--master",
                master,
                "--example",
                "wordcount",
                corpus.toString(),
                out.toString(),
                "3");
        assertThat(r.stdout()).contains("succeeded");
        assertThat(Corpus.outputLines(out)).isEqualTo(expected);
        assertThat(out.resolve("_SUCCESS")).exists();
        assertJobFilesReleased();
        try (var parts = Files.list(out)) {
            assertThat(parts.filter(p -> p.getFileName().toString().startsWith("part-r-"))
                            .count())
                    .isEqualTo(3);
        }
    }

    @Test
    @Order(2)
    void grepCountsEveryMatch() throws Exception {
        Path out = dir.resolve("grep-1");
        String regex = "\\bk[aeiou]\\w*";
        Cli.ok(
                JOB_TIMEOUT,
                "submit",
                "--master",
                master,
                "--example",
                "grep",
                regex,
                corpus.toString(),
                out.toString());
        TreeMap<String, Long> counts = new TreeMap<>();
        Matcher m = Pattern.compile(regex).matcher("");
        for (String line : Files.readAllLines(corpus, StandardCharsets.UTF_8)) {
            m.reset(line);
            while (m.find()) counts.merge(m.group(), 1L, Long::sum);
        }
        List<String> want = new ArrayList<>();
        counts.forEach((k, v) -> want.add(k + "\t" + v));
        assertThat(want).isNotEmpty();
        assertThat(Corpus.outputLines(out)).isEqualTo(want);
    }

    @Test
    @Order(3)
    void mapperThatThrowsFailsTheJobNamingTheException() throws Exception {
        Path out = dir.resolve("failing");
        Cli.Result r = Cli.run(
                JOB_TIMEOUT,
                "submit",
                "--master",
                master,
                "--example",
                "failing-wordcount",
                "ba",
                corpus.toString(),
                out.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stderr())
                .contains("failed")
                .contains("IllegalStateException")
                .contains("poison word 'ba'")
                .contains("map-");
        assertThat(out).doesNotExist();
        assertNoStagingLeftIn(dir);
        // ...and the cluster runs the next job fine.
        wordCountOnce("after-failure");
    }

    @Test
    @Order(4)
    void badSubmissionsGiveOneLineErrors() throws Exception {
        String before = wordCountOnce("before-bad-input");
        Cli.Result missing = Cli.run(
                JOB_TIMEOUT,
                "submit",
                "--master",
                master,
                "--example",
                "wordcount",
                dir.resolve("nope").toString(),
                dir.resolve("x").toString());
        assertOneLineError(missing, "input path does not exist: " + dir.resolve("nope"));

        Path notAJar = Files.writeString(dir.resolve("notajar.jar"), "hello, I am text");
        assertOneLineError(
                Cli.run(
                        JOB_TIMEOUT,
                        "submit",
                        "--master",
                        master,
                        "--jar",
                        notAJar.toString(),
                        "--class",
                        "x.Y",
                        "a",
                        "b"),
                "not a jar file: " + notAJar);

        Path jar = Cli.DIST.resolve("examples/cairn-examples.jar");
        assertOneLineError(
                Cli.run(
                        JOB_TIMEOUT,
                        "submit",
                        "--master",
                        master,
                        "--jar",
                        jar.toString(),
                        "--class",
                        "com.example.Missing",
                        "a",
                        "b"),
                "class com.example.Missing not found in " + jar);

        assertOneLineError(
                Cli.run(
                        JOB_TIMEOUT,
                        "submit",
                        "--master",
                        master,
                        "--example",
                        "wordcount",
                        corpus.toString(),
                        dir.resolve("wc-1").toString()),
                "output path already exists");

        assertOneLineError(
                Cli.run(
                        JOB_TIMEOUT,
                        "submit",
                        "--master",
                        "127.0.0.1:1",
                        "--example",
                        "wordcount",
                        corpus.toString(),
                        dir.resolve("y").toString()),
                "cannot reach 127.0.0.1:1");

        // A refused submit takes no job id: the next job's id follows the last accepted one's.
        assertThat(idNumber(wordCountOnce("after-bad-input"))).isEqualTo(idNumber(before) + 1);
    }

    @Test
    @Order(5)
    void cancelledJobLeavesNoOutput() throws Exception {
        Path out = dir.resolve("cancelled");
        // Its mappers wait for the gate, so the job is still running when the cancel arrives
        // (a plain word count of the big corpus sometimes finished first on a fast machine).
        Path gate = dir.resolve("cancel-gate");
        Cli.Result r = Cli.ok(
                JOB_TIMEOUT,
                "submit",
                "--master",
                master,
                "--detach",
                "--jar",
                GatedWordCount.jar(dir, Cli.DIST.resolve("examples/cairn-examples.jar"))
                        .toString(),
                "--class",
                GatedWordCount.class.getName(),
                gate.toString(),
                bigCorpus.toString(),
                out.toString());
        String jobId = r.stdout().split("\\s+")[1];
        try {
            Cli.Result c = Cli.ok(Duration.ofSeconds(30), "job", "cancel", jobId, "--master", master);
            assertThat(c.stdout()).contains("CANCELLED");
            Cli.Result s = Cli.ok(Duration.ofSeconds(30), "job", "status", jobId, "--master", master);
            assertThat(s.stdout()).contains("CANCELLED").contains("map").contains("reduce");
            // What the master knows: nothing pending or running any more; what was is stopped.
            Matcher row = Pattern.compile(
                            "(?m)^\\s+map\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+\\d+\\s+\\d+\\s+(\\d+)\\s")
                    .matcher(s.stdout());
            assertThat(row.find()).as(s.stdout()).isTrue();
            assertThat(row.group(2)).as("pending maps after cancel").isEqualTo("0");
            assertThat(row.group(3)).as("running maps after cancel").isEqualTo("0");
            assertThat(Integer.parseInt(row.group(5))).as("stopped maps").isPositive();
        } finally {
            Files.writeString(gate, "open"); // mappers still waiting run out and end: the next tests get free slots
        }
        assertThat(out).doesNotExist();
        assertNoStagingLeftIn(dir);
        assertThat(Cli.ok(Duration.ofSeconds(30), "job", "list", "--master", master)
                        .stdout())
                .contains(jobId);
    }

    /** WordCount written with the dataflow API, in batch mode: a file stage and a reduce stage. */
    @Test
    @Order(51)
    void dataflowWordCountInBatchModeEqualsExactCounts() throws Exception {
        Path out = dir.resolve("dataflow-wc");
        Cli.Result r = Cli.ok(
                JOB_TIMEOUT,
                "submit",
                "--master",
                master,
                "--mode",
                "batch",
                "--parallelism",
                "3",
                "--example",
                "dataflow-wordcount",
                corpus.toString(),
                out.toString());
        assertThat(r.stdout()).contains("stages s1[").contains("s2[3]").contains("succeeded");
        List<String> lines = new ArrayList<>();
        try (var parts = Files.list(out)) {
            for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .sorted()
                    .toList()) lines.addAll(Files.readAllLines(p, StandardCharsets.UTF_8));
        }
        lines.sort(null);
        assertThat(lines).isEqualTo(expected);
        assertJobFilesReleased();
    }

    /**
     * TPC-H on the cluster, as a user submits it (no --mode: the queries are batch programs):
     * the same rows as the same query run in this JVM, which TpchQueriesTest checks against DuckDB.
     */
    @Test
    @Order(52)
    void tpchQueriesOnTheClusterGiveTheAnswersOfALocalRun() throws Exception {
        Path tables = dir.resolve("tpch");
        dev.cairn.examples.tpch.TpchTableWriter.write(0.01, tables);
        for (String query : List.of("q1", "q3", "q9", "q18")) {
            Path out = dir.resolve("tpch-" + query);
            Cli.Result r = Cli.ok(
                    JOB_TIMEOUT,
                    "submit",
                    "--master",
                    master,
                    "--parallelism",
                    "2",
                    "--example",
                    "tpch-" + query,
                    tables.toString(),
                    out.toString());
            assertThat(r.stdout()).contains("stages s1[").contains("succeeded");

            Path local = dir.resolve("tpch-local-" + query);
            dev.cairn.dataflow.Dataflow flow = dev.cairn.dataflow.Dataflow.create(
                    dev.cairn.dataflow.DataflowOptions.defaults().withParallelism(2));
            ((dev.cairn.dataflow.DataflowJob)
                            Class.forName("dev.cairn.examples.tpch.TpchQueries$Q" + query.substring(1))
                                    .getConstructor()
                                    .newInstance())
                    .define(flow, new String[] {tables.toString(), local.toString()});
            flow.execute(dev.cairn.dataflow.RuntimeMode.BATCH);
            assertThat(partLines(out)).as(query).isNotEmpty().isEqualTo(partLines(local));
        }
        assertJobFilesReleased();
    }

    /** TeraGen then TeraSort through bin/cairn: the records, byte for byte, in key order. */
    @Test
    @Order(53)
    void teraSortSortsTeraGensRecords() throws Exception {
        Path generated = dir.resolve("teragen");
        Path sorted = dir.resolve("terasort");
        Cli.ok(JOB_TIMEOUT, "submit", "--master", master, "--example", "teragen", "20000", generated.toString());
        Cli.Result r = Cli.ok(
                JOB_TIMEOUT,
                "submit",
                "--master",
                master,
                "--parallelism",
                "3",
                "--example",
                "terasort",
                generated.toString(),
                sorted.toString());
        assertThat(r.stdout()).contains("succeeded");
        List<String> in = partLines(generated);
        List<String> out = partLines(sorted);
        assertThat(in).hasSize(20_000).allMatch(l -> l.length() == 99 && l.endsWith("\r"));
        assertThat(out).extracting(l -> l.substring(0, 10)).isSorted();
        assertThat(out).containsExactlyInAnyOrderElementsOf(in);
    }

    private static List<String> partLines(Path out) throws IOException {
        List<String> lines = new ArrayList<>();
        try (var parts = Files.list(out)) {
            for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .sorted()
                    .toList()) {
                // Split on '\n' only: terasort's records end in CR LF, and the CR is theirs.
                String text = Files.readString(p, StandardCharsets.UTF_8);
                if (!text.isEmpty())
                    lines.addAll(List.of(text.substring(0, text.length() - 1).split("\n", -1)));
            }
        }
        return lines;
    }

    @Test
    @Order(60)
    void jobSurvivesAWorkerKilledWithSigkill() throws Exception {
        Path out = dir.resolve("wc-kill");
        try (BatchClient client = BatchClient.connect(master)) {
            // The client's first call sets up its channel in this JVM: 2.3 s once here with the
            // cluster busy, and on CI longer than the job — the kill then came as the job ended,
            // with nothing left to re-run (0 retried), or after it (SUCCEEDED). So first that.
            assertThat(client.workers()).hasSize(2);
            Cli.Result r = Cli.ok(
                    JOB_TIMEOUT,
                    "submit",
                    "--master",
                    master,
                    "--detach",
                    // Recovery alone: a speculative copy winning before the kill would leave nothing to re-run.
                    "--speculation",
                    "off",
                    "--example",
                    "wordcount",
                    bigCorpus.toString(),
                    out.toString(),
                    "2");
            String jobId = r.stdout().split("\\s+")[1];
            // Kill, while the job is in progress and some maps are done, a worker that runs an
            // attempt of this job (the only job running), so that it surely holds work to re-run.
            List<WorkerStatus> workers = await().atMost(JOB_TIMEOUT)
                    .pollInterval(Duration.ofMillis(20))
                    .until(
                            client::workers,
                            ws -> client.status(jobId).state().isTerminal()
                                    || client.status(jobId).stage("map").done() >= 3
                                            && ws.stream().anyMatch(w -> w.running() > 0));
            assertThat(client.status(jobId).state())
                    .as("job still running when a worker is killed; workers: %s", workers)
                    .isEqualTo(JobState.RUNNING);
            String victim = workers.stream()
                    .filter(w -> w.running() > 0)
                    .map(WorkerStatus::workerId)
                    .findFirst()
                    .orElseThrow();
            String survivor = victim.equals("worker-1") ? "worker-2" : "worker-1";
            System.out.printf(
                    "ClusterIT: killing %s with %s; workers: %s%n",
                    victim, client.status(jobId).stage("map"), workers);
            ProcessHandle.of(pid(victim)).orElseThrow().destroyForcibly();
            JobStatus end = await().atMost(JOB_TIMEOUT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> client.status(jobId), s -> s.state().isTerminal());
            assertThat(end.state()).as(end.error()).isEqualTo(JobState.SUCCEEDED);
            assertThat(end.stage("map").retried() + end.stage("reduce").retried())
                    .as("work re-run after the loss of %s; workers at the kill: %s", victim, workers)
                    .isPositive();
            assertThat(Corpus.outputLines(out)).isEqualTo(Corpus.expectedCounts(bigCorpus));
            Cli.Result status = Cli.run(
                    Duration.ofSeconds(30),
                    "cluster",
                    "status",
                    "--dir",
                    dir.resolve("cluster").toString());
            assertThat(status.stdout()).containsPattern(victim + " +\\S*worker +\\d+ +DEAD .*DEAD");
            assertThat(status.stdout()).containsPattern(survivor + " +\\S*worker +\\d+ +running .*ALIVE");
        }
    }

    @Test
    @Order(70)
    void badConfigurationIsReportedByKeyAndSource() throws Exception {
        Cli.Result r = Cli.run(
                Duration.ofMinutes(1),
                "cluster",
                "up",
                "--nodes",
                "1",
                "--dir",
                dir.resolve("bad-cluster").toString(),
                "--jvm-opts",
                "-Xmx128m",
                "-Dworker.slot=2");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stderr())
                .contains("unknown config key 'worker.slot' from -D override (did you mean 'worker.slots'?)");
        assertThat(Cli.run(
                                Duration.ofSeconds(30),
                                "node",
                                "--conf",
                                dir.resolve("missing.yaml").toString())
                        .stderr())
                .isEqualTo("error: config file not found: " + dir.resolve("missing.yaml") + "\n");
    }

    private static long pid(String nodeId) throws IOException {
        return nodes().stream()
                .filter(n -> n.get("id").equals(nodeId))
                .map(n -> ((Number) n.get("pid")).longValue())
                .findFirst()
                .orElseThrow();
    }

    /** Workers drop a job's jar, class loader and map outputs once it ends. */
    private static void assertJobFilesReleased() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (String w : List.of("worker-1", "worker-2")) {
                try (var jobs = Files.list(dir.resolve("cluster").resolve(w).resolve("worker/jobs"))) {
                    assertThat(jobs).as("job files on " + w).isEmpty();
                }
            }
        });
    }

    /** Runs a word count to completion and returns its job id. */
    private static String wordCountOnce(String name) throws Exception {
        Path out = dir.resolve(name);
        Cli.Result r = Cli.ok(
                JOB_TIMEOUT, "submit", "--master", master, "--example", "wordcount", corpus.toString(), out.toString());
        assertThat(Corpus.outputLines(out)).isEqualTo(expected);
        Matcher m = Pattern.compile("(job-\\d{4})").matcher(r.stdout());
        assertThat(m.find()).as("a job id in %s", r.stdout()).isTrue();
        return m.group(1);
    }

    private static int idNumber(String jobId) {
        return Integer.parseInt(jobId.substring("job-".length()));
    }

    private static void assertOneLineError(Cli.Result r, String message) {
        assertThat(r.exit()).as(r.all()).isEqualTo(1);
        assertThat(r.stderr().strip())
                .as("one line")
                .doesNotContain("\n")
                .startsWith("error: ")
                .contains(message);
    }

    private static void assertNoStagingLeftIn(Path d) throws IOException {
        try (var files = Files.list(d)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.contains(".cairn-job-")))
                    .isEmpty();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cluster() throws IOException {
        return new Yaml().load(Files.readString(dir.resolve("cluster/cluster.json")));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> nodes() throws IOException {
        return (List<Map<String, Object>>) cluster().get("nodes");
    }
}
