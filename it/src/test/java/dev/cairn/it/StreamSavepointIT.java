package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Savepoints through {@code bin/cairn} on {@code cluster up --nodes 2}: Nexmark Q7 submitted at
 * parallelism 2 with a slowed source, {@code job stop ID --savepoint} mid-job, then
 * {@code submit --from-savepoint} at parallelism 1 and (from the same savepoint, into a copy of
 * the output directory made before resuming) at parallelism 4: both outputs are exactly
 * NexmarkGen's answer.
 */
class StreamSavepointIT {
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(3);
    private static final int EVENTS = 300_000;
    private static Path dir;
    private static Path events;
    private static Path answers;

    @BeforeAll
    static void up() throws Exception {
        dir = Files.createTempDirectory("cairn-savepoint-it");
        events = dir.resolve("events.csv");
        answers = dir.resolve("answers");
        Nexmark.generate(EVENTS, 29, events, answers);
        Cli.ok(
                Duration.ofMinutes(2),
                "cluster",
                "up",
                "--nodes",
                "2",
                "--dir",
                cluster().toString(),
                "--jvm-opts",
                "-Xmx384m");
    }

    @AfterAll
    static void down() throws Exception {
        if (dir != null) Cli.clusterDown(cluster(), dir);
    }

    private static Path cluster() {
        return dir.resolve("cluster");
    }

    @Test
    void q7StoppedWithASavepointAndResumedAtParallelismOneAndFourGivesExactlyTheAnswer() throws Exception {
        Path out = dir.resolve("first").resolve("q7");
        Cli.Result submitted = Cli.ok(
                JOB_TIMEOUT,
                "submit",
                "--dir",
                cluster().toString(),
                "--parallelism",
                "2",
                "--checkpoint-interval",
                "300ms",
                "--max-rate",
                String.valueOf(EVENTS / 90),
                "--detach",
                "--example",
                "nexmark-q7",
                events.toString(),
                out.toString());
        Matcher m = Pattern.compile("(stream-\\d+)").matcher(submitted.stdout());
        assertThat(m.find()).as(submitted.stdout()).isTrue();
        String id = m.group(1);
        awaitCheckpoints(id, 2);

        Cli.Result stop = Cli.ok(JOB_TIMEOUT, "job", "stop", "--dir", cluster().toString(), id, "--savepoint");
        String savepoint = stop.stdout().strip();
        assertThat(Path.of(savepoint)).as(stop.all()).isDirectory();
        assertThat(Cli.ok(
                                Duration.ofSeconds(30),
                                "job",
                                "status",
                                "--dir",
                                cluster().toString(),
                                id)
                        .stdout())
                .contains("CANCELLED")
                .contains("stopped with savepoint " + savepoint);
        assertThat(output(out)).as("stopped mid-job").isNotEqualTo(answer());
        for (int p : new int[] {1, 4}) copyTree(dir.resolve("first"), dir.resolve("p" + p));

        for (int p : new int[] {1, 4}) {
            Path resumed = dir.resolve("p" + p).resolve("q7");
            Cli.Result r = Cli.ok(
                    JOB_TIMEOUT,
                    "submit",
                    "--dir",
                    cluster().toString(),
                    "--parallelism",
                    String.valueOf(p),
                    "--checkpoint-interval",
                    "300ms",
                    "--from-savepoint",
                    savepoint,
                    "--example",
                    "nexmark-q7",
                    events.toString(),
                    resumed.toString());
            assertThat(r.stdout())
                    .contains("resuming from savepoint " + savepoint)
                    .contains("finished");
            assertThat(output(resumed)).as("resumed at parallelism %d", p).isEqualTo(answer());
        }

        Path missing = dir.resolve("no-such-savepoint");
        Cli.Result bad = Cli.run(
                JOB_TIMEOUT,
                "submit",
                "--dir",
                cluster().toString(),
                "--checkpoint-interval",
                "300ms",
                "--from-savepoint",
                missing.toString(),
                "--example",
                "nexmark-q7",
                events.toString(),
                dir.resolve("out-bad").toString());
        assertThat(bad.exit()).as(bad.all()).isNotZero();
        assertThat(bad.stderr().strip())
                .doesNotContain("\n")
                .isEqualTo("error: savepoint " + missing + " does not exist");
    }

    private static void awaitCheckpoints(String id, int n) {
        Pattern checkpoint = Pattern.compile("checkpoint: (\\d+) completed");
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    Cli.Result r = Cli.run(
                            Duration.ofSeconds(30),
                            "job",
                            "status",
                            "--dir",
                            cluster().toString(),
                            id);
                    Matcher m = checkpoint.matcher(r.stdout());
                    return m.find() && Long.parseLong(m.group(1)) >= n;
                });
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList())
                Files.copy(p, to.resolve(from.relativize(p).toString()));
        }
    }

    private static List<String> output(Path out) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .sorted()
                    .toList()) lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
        }
        lines.sort(null);
        return lines;
    }

    private static List<String> answer() throws IOException {
        List<String> lines = Files.readAllLines(answers.resolve("q7.txt"), StandardCharsets.US_ASCII);
        assertThat(lines).as("NexmarkGen's answer to q7").isNotEmpty();
        return lines;
    }
}
