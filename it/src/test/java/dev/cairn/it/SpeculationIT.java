package dev.cairn.it;

import static dev.cairn.common.io.FileTrees.deleteRecursively;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.batch.BatchClient;
import dev.cairn.batch.JobState;
import dev.cairn.batch.JobStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Batch jobs on a {@code cluster up --nodes 2} cluster when a worker misbehaves or the data is
 * skewed: speculation, re-splitting, skew splitting, and a worker lost.
 *
 * <p>Speculative execution: one worker is slowed to a
 * tenth of its speed (SIGSTOP and SIGCONT in turn, 900 ms stopped, 100 ms running, so it still
 * heartbeats within the worker timeout and is never declared dead; a fifth was not always slow
 * enough for its tasks to outlast the one-second minimum before a copy) while the same word count runs
 * with {@code --speculation off} and then {@code on}. With it on, the slow worker's tasks get
 * copies on the fast one: the job ends sooner, its output is still exact, and {@code submit}
 * names the decisions. Then the same with speculation off and adaptive execution on: the slow
 * worker's tasks hand the rest of their splits to the fast one (re-splitting), with the same
 * effect. A join where one key holds 30% of the rows has its skewed partition split.
 *
 * <p>Then a multi-stage job (TPC-H Q9: six tables, five joins, an aggregation and a sort) loses a
 * worker to SIGKILL between its stages, and still gives exactly the rows of a run in this JVM.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpeculationIT {
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(4);
    private static Path dir;
    private static Path corpus;
    private static String master;

    @BeforeAll
    static void up() throws Exception {
        dir = Files.createTempDirectory("cairn-speculation-it");
        corpus = Corpus.generate(dir.resolve("corpus.txt"), 64L << 20, 11);
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
                "-Dmaster.split-size=4m",
                "-Dworker.heartbeat-interval=300ms",
                // Maps here take well under a second: a re-split must pay off sooner than the default 2 s.
                "-Dmaster.resplit-min-gain=500ms",
                "-Dworker.sort-buffer=4m");
        master = (String) cluster().get("master");
    }

    @AfterAll
    static void down() throws Exception {
        if (dir == null) return;
        Cli.run(
                Duration.ofMinutes(1),
                "cluster",
                "down",
                "--dir",
                dir.resolve("cluster").toString());
        deleteRecursively(dir);
    }

    private record Timed(Cli.Result result, long millis) {}

    @Test
    @Order(1)
    void aSlowedWorkersTasksAreCopiedAndTheJobEndsSooner() throws Exception {
        Timed off = bothOff();
        Timed on = wordCount("on", "off");

        System.out.printf(
                "SpeculationIT: worker-2 slowed; speculation off %d ms, on %d ms%n%s%n",
                off.millis, on.millis, on.result.stdout());
        assertThat(off.result.stdout()).doesNotContain("speculated ");
        assertThat(on.result.stdout())
                .contains("decided +")
                .contains("speculated ")
                .contains("finished first");
        assertThat(on.millis)
                .as("with speculation on against off (%d ms)", off.millis)
                .isLessThan(off.millis);
    }

    /** Word count of the corpus with worker-2 slowed throughout; checks the output. */
    @Test
    @Order(4)
    void aMultiStageJobLosingAWorkerToSigkillGivesExactlyTheLocalAnswer() throws Exception {
        Path tables = dir.resolve("tpch");
        dev.cairn.examples.tpch.TpchTableWriter.write(0.05, tables);
        Path out = dir.resolve("q9");
        try (BatchClient client = BatchClient.connect(master)) {
            assertThat(client.workers()).hasSize(2);
            Cli.Result r = Cli.ok(
                    JOB_TIMEOUT,
                    "submit",
                    "--master",
                    master,
                    "--detach",
                    "--parallelism",
                    "2",
                    "--example",
                    "tpch-q9",
                    tables.toString(),
                    out.toString());
            String jobId = r.stdout().split("\\s+")[1];
            // Kill once a few stages are done and worker-2 holds their partitions or runs a task.
            await().atMost(JOB_TIMEOUT)
                    .pollInterval(Duration.ofMillis(20))
                    .until(
                            () -> client.status(jobId),
                            s -> s.state().isTerminal()
                                    || s.stages().stream()
                                                    .filter(st -> st.done() == st.total() && st.total() > 0)
                                                    .count()
                                            >= 3);
            JobStatus before = client.status(jobId);
            assertThat(before.state()).as("job still running at the kill").isEqualTo(JobState.RUNNING);
            System.out.printf("SpeculationIT: killing worker-2 with stages %s%n", before.stages());
            ProcessHandle.of(pid("worker-2")).orElseThrow().destroyForcibly();
            JobStatus end = await().atMost(JOB_TIMEOUT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> client.status(jobId), s -> s.state().isTerminal());
            assertThat(end.state()).as(end.error()).isEqualTo(JobState.SUCCEEDED);
            assertThat(end.stages().stream().mapToInt(st -> st.retried()).sum())
                    .as("work re-made after the loss: %s", end.stages())
                    .isPositive();
        }
        Path local = dir.resolve("q9-local");
        dev.cairn.dataflow.Dataflow flow = dev.cairn.dataflow.Dataflow.create(
                dev.cairn.dataflow.DataflowOptions.defaults().withParallelism(2));
        new dev.cairn.examples.tpch.TpchQueries.Q9().define(flow, new String[] {tables.toString(), local.toString()});
        flow.execute(dev.cairn.dataflow.RuntimeMode.BATCH);
        assertThat(lines(out)).isNotEmpty().isEqualTo(lines(local));
    }

    private static List<String> lines(Path out) throws IOException {
        List<String> lines = new java.util.ArrayList<>();
        try (var parts = Files.list(out)) {
            for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .sorted()
                    .toList()) lines.addAll(Files.readAllLines(p));
        }
        return lines;
    }

    /**
     * With speculation off and adaptive execution on, the slowed worker's map tasks give the rest
     * of their split to the fast worker as they straggle (re-splitting): the job ends sooner than
     * with both off, its output is exact, and submit names each re-split.
     */
    @Test
    @Order(2)
    void aSlowedWorkersTasksAreReSplitAndTheJobEndsSooner() throws Exception {
        Timed off = bothOff();
        Timed on = wordCount("off", "on");

        System.out.printf(
                "SpeculationIT: worker-2 slowed; adaptive off %d ms, on (re-splitting) %d ms%n%s%n",
                off.millis, on.millis, on.result.stdout());
        assertThat(off.result.stdout()).doesNotContain("re-split ");
        assertThat(on.result.stdout()).contains("decided +").contains("re-split map-");
        assertThat(on.millis)
                .as("with re-splitting against without (%d ms)", off.millis)
                .isLessThan(off.millis);
    }

    /**
     * A join where one customer holds 30% of the orders: with adaptive execution the master
     * splits that partition among several tasks by the orders' map outputs, and submit says so;
     * off, it does not. Both outputs are exactly the join's.
     */
    @Test
    @Order(3)
    void aJoinsSkewedPartitionIsSplitAndTheResultIsExact() throws Exception {
        Path data = dir.resolve("skew");
        long rows = 1_000_000;
        dev.cairn.examples.skew.SkewedJoin.write(data, rows, 0.3, 5);
        List<String> expected = new java.util.ArrayList<>();
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        for (long i = 0; i < rows; i++) {
            var o = dev.cairn.examples.skew.SkewedJoin.order(i, 0.3, random);
            expected.add(dev.cairn.examples.skew.SkewedJoin.line(
                    o,
                    new dev.cairn.examples.skew.SkewedJoin.Customer(
                            o.custKey(), dev.cairn.examples.skew.SkewedJoin.name(o.custKey()))));
        }
        java.util.Collections.sort(expected);
        Map<String, Long> millis = new java.util.LinkedHashMap<>();
        for (String adaptive : List.of("off", "on")) {
            Path out = dir.resolve("skew-" + adaptive);
            long start = System.nanoTime();
            Cli.Result r = Cli.ok(
                    JOB_TIMEOUT,
                    "submit",
                    "--master",
                    master,
                    "--parallelism",
                    "4",
                    "--speculation",
                    "off",
                    "--adaptive",
                    adaptive,
                    "--example",
                    "skewed-join",
                    data.toString(),
                    out.toString());
            millis.put(adaptive, (System.nanoTime() - start) / 1_000_000);
            System.out.printf("SpeculationIT: skewed join, adaptive %s%n%s%n", adaptive, r.stdout());
            if (adaptive.equals("on"))
                assertThat(r.stdout()).contains("split into").contains("by s1's map outputs");
            else assertThat(r.stdout()).doesNotContain("split into");
            List<String> lines = new java.util.ArrayList<>();
            try (var parts = Files.list(out)) {
                for (Path p : parts.filter(f -> f.getFileName().toString().startsWith("part-"))
                        .toList()) lines.addAll(Files.readAllLines(p));
            }
            java.util.Collections.sort(lines);
            assertThat(lines).as("the join's output, adaptive " + adaptive).isEqualTo(expected);
        }
        System.out.printf(
                "SpeculationIT: skewed join, adaptive off %d ms, on %d ms%n", millis.get("off"), millis.get("on"));
    }

    /** The run with speculation and adaptive execution off, once for both tests that compare with it. */
    private static Timed bothOff;

    private Timed bothOff() throws Exception {
        if (bothOff == null) bothOff = wordCount("off", "off");
        return bothOff;
    }

    private Timed wordCount(String speculation, String adaptive) throws Exception {
        Path out = dir.resolve("wc-" + speculation + "-" + adaptive);
        long pid = pid("worker-2");
        AtomicBoolean running = new AtomicBoolean(true);
        Thread throttle = Thread.ofVirtual().start(() -> {
            // Bounded: the job's timeout at most.
            long end = System.nanoTime() + JOB_TIMEOUT.toNanos();
            while (running.get() && System.nanoTime() < end) {
                signal("STOP", pid);
                LockSupport.parkNanos(900_000_000L);
                signal("CONT", pid);
                LockSupport.parkNanos(100_000_000L);
            }
        });
        Cli.Result r;
        long start = System.nanoTime();
        long millis;
        try {
            r = Cli.ok(
                    JOB_TIMEOUT,
                    "submit",
                    "--master",
                    master,
                    "--speculation",
                    speculation,
                    "--adaptive",
                    adaptive,
                    "--example",
                    "wordcount",
                    corpus.toString(),
                    out.toString(),
                    "2");
        } finally {
            millis = (System.nanoTime() - start) / 1_000_000;
            running.set(false);
            throttle.join();
            signal("CONT", pid);
        }
        assertThat(r.stdout()).contains("succeeded");
        assertThat(Corpus.outputLines(out)).isEqualTo(Corpus.expectedCounts(corpus));
        return new Timed(r, millis);
    }

    private static void signal(String signal, long pid) {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true)
                    .start()
                    .waitFor();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, Object> cluster() throws IOException {
        return ClusterJson.read(dir.resolve("cluster"));
    }

    private static long pid(String nodeId) throws IOException {
        return ClusterJson.pid(dir.resolve("cluster"), nodeId);
    }
}
