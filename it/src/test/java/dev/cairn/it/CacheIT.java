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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A multi-stage batch job over a cached dataset ({@code cached-wordstats}: the corpus's words
 * cached, two aggregations over the cache and a join of them) on a {@code cluster up --nodes 2}
 * cluster, losing a worker to SIGKILL while the stage reading the cache runs: the cached
 * partitions the worker held are made again from their lineage (the file stage's tasks re-run)
 * and the output is still exactly the counts made here.
 */
class CacheIT {
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(4);
    private static Path dir;
    private static Path corpus;
    private static String master;

    @BeforeAll
    static void up() throws Exception {
        dir = Files.createTempDirectory("cairn-cache-it");
        corpus = Corpus.generate(dir.resolve("corpus.txt"), 32L << 20, 29);
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

    @Test
    void aWorkerKilledWhileItsCachedPartitionsAreReadLeavesTheOutputExact() throws Exception {
        Path out = dir.resolve("wordstats");
        try (BatchClient client = BatchClient.connect(master)) {
            // The client's channel is set up before the job starts, so the kill is not late.
            assertThat(client.workers()).hasSize(2);
            Cli.Result r = Cli.ok(
                    JOB_TIMEOUT,
                    "submit",
                    "--master",
                    master,
                    "--detach",
                    // Recovery alone: a speculative copy must not stand in for the re-made partitions.
                    "--speculation",
                    "off",
                    "--parallelism",
                    "2",
                    "--example",
                    "cached-wordstats",
                    corpus.toString(),
                    out.toString());
            String jobId = r.stdout().split("\\s+", -1)[1];
            // s1 splits the words and writes them as the cache's partitions, on both workers; s2
            // reads them. Kill once s1 is done and s2 is not: s2 still needs worker-2's partitions.
            JobStatus before = await().atMost(JOB_TIMEOUT)
                    .pollInterval(Duration.ofMillis(20))
                    .until(
                            () -> client.status(jobId),
                            s -> s.state().isTerminal()
                                    || (s.stage("s1").done() == s.stage("s1").total()
                                            && s.stage("s1").total() > 0));
            assertThat(before.state()).as("job still running at the kill").isEqualTo(JobState.RUNNING);
            assertThat(before.stage("s2").done())
                    .as("the stage reading the cache still running: %s", before.stages())
                    .isLessThan(before.stage("s2").total());
            System.out.printf("CacheIT: killing worker-2 with stages %s%n", before.stages());
            ProcessHandle.of(pid("worker-2")).orElseThrow().destroyForcibly();
            JobStatus end = await().atMost(JOB_TIMEOUT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> client.status(jobId), s -> s.state().isTerminal());
            System.out.printf("CacheIT: job ended with stages %s%n", end.stages());
            assertThat(end.state()).as(end.error()).isEqualTo(JobState.SUCCEEDED);
            assertThat(end.stage("s1").retried())
                    .as("the lost cached partitions made again from the input: %s", end.stages())
                    .isPositive();
        }
        assertThat(lines(out)).isEqualTo(expected());
    }

    /** {@code word<TAB>count<TAB>words of its length}, sorted: the counts made here. */
    private static List<String> expected() throws IOException {
        Map<String, Long> perWord = new TreeMap<>();
        for (String line : Corpus.expectedCounts(corpus)) {
            String[] wc = line.split("\t", -1);
            perWord.put(wc[0], Long.parseLong(wc[1]));
        }
        Map<Integer, Long> perLength = new TreeMap<>();
        perWord.forEach((w, n) -> perLength.merge(w.length(), n, Long::sum));
        List<String> lines = new ArrayList<>();
        perWord.forEach((w, n) -> lines.add(w + "\t" + n + "\t" + perLength.get(w.length())));
        lines.sort(null);
        return lines;
    }

    private static List<String> lines(Path out) throws IOException {
        List<String> lines = new ArrayList<>();
        try (var parts = Files.list(out)) {
            for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .toList()) lines.addAll(Files.readAllLines(p));
        }
        lines.sort(null);
        return lines;
    }

    private static Map<String, Object> cluster() throws IOException {
        return ClusterJson.read(dir.resolve("cluster"));
    }

    private static long pid(String nodeId) throws IOException {
        return ClusterJson.pid(dir.resolve("cluster"), nodeId);
    }
}
