package dev.cairn.dataflow.nexmark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.CheckpointSettings;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.functions.Collector;
import dev.cairn.dataflow.internal.operators.FailAfterCheckpointSource;
import dev.cairn.dataflow.internal.operators.TextFileSource;
import dev.cairn.dataflow.internal.runtime.LocalExecutor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: Nexmark Q7 (windows) and Q8 (a window join) at parallelism 2 with checkpoints every
 * 20 ms, the output through the transactional file sink, and one failure at a seeded point
 * mid-job: for Q7 a user function throws at a line, for Q8 the sources pause at a line until a
 * checkpoint completes and then throw, so the restart restores the window join's state. The
 * committed files hold exactly the answer NexmarkGen computed: nothing lost, nothing twice.
 */
class CheckpointRecoveryTest {
    static final int EVENTS = 200_000;
    /** Q8's events 250 µs apart, so that its 10 s windows fire, and hold state, all through the job. */
    static final int Q8_DELAY_MICROS = 250;

    static final AtomicLong LINES = new AtomicLong();
    static volatile long failAt;

    @TempDir
    static Path dir;

    @BeforeAll
    static void generate() throws IOException, InterruptedException {
        NexmarkExactnessTest.NexmarkGenerator.run(EVENTS, 7, 10, dir.resolve("events.csv"), dir.resolve("answers"));
        NexmarkExactnessTest.NexmarkGenerator.run(
                EVENTS, 8, Q8_DELAY_MICROS, dir.resolve("q8-events.csv"), dir.resolve("q8-answers"));
    }

    @Test
    @Timeout(120)
    void q7RecoversFromAFailureWithExactlyTheAnswer() throws IOException {
        long seed = Long.getLong("e2e.seed", System.nanoTime());
        failAt = EVENTS / 4L + new Random(seed).nextInt(EVENTS / 2);
        LINES.set(0);
        Path out = dir.resolve("out");
        Dataflow flow = Dataflow.create(DataflowOptions.defaults()
                .withParallelism(2)
                .withCheckpoints(CheckpointSettings.in(dir.resolve("checkpoints"))
                        .withInterval(Duration.ofMillis(20))
                        .withRestartAttempts(2)));
        NexmarkQueries.q7Bids(flow.readTextFile(dir.resolve("events.csv"))
                        .flatMap(CheckpointRecoveryTest::failOnceThenParse, Codecs.record(NexmarkEvent.Bid.class))
                        .assignTimestamps(NexmarkEvent.Bid::dateTime, NexmarkQueries.WATERMARKS))
                .writeAsTextExactlyOnce(out);
        flow.execute();

        assertThat(LINES.get()).as("seed %d: the failure happened", seed).isGreaterThan(failAt);
        assertCommitted(
                seed, dir.resolve("checkpoints"), out, dir.resolve("answers").resolve("q7.txt"));
    }

    @Test
    @Timeout(120)
    void q8RecoversFromAFailureAfterACheckpointWithExactlyTheAnswer() throws IOException {
        long seed = Long.getLong("e2e.seed", System.nanoTime());
        // Each of the two source subtasks reads about half the lines; both pause a quarter to three
        // quarters of the way through theirs, and the first whose checkpoint completes fails.
        long pauseAt = EVENTS / 8L + new Random(seed).nextInt(EVENTS / 4);
        FailAfterCheckpointSource.FAILED.set(false);
        Path out = dir.resolve("q8-out");
        Path checkpoints = dir.resolve("q8-checkpoints");
        Dataflow flow = Dataflow.create(DataflowOptions.defaults()
                .withParallelism(2)
                .withCheckpoints(CheckpointSettings.in(checkpoints)
                        .withInterval(Duration.ofMillis(20))
                        .withRestartAttempts(2)));
        NexmarkQueries.q8(flow, dir.resolve("q8-events.csv")).writeAsTextExactlyOnce(out);
        new LocalExecutor(flow.options())
                .execute(FailAfterCheckpointSource.wrapSources(flow.toGraph(), TextFileSource.Factory.class, pauseAt));

        assertThat(FailAfterCheckpointSource.FAILED)
                .as("seed %d: the failure happened", seed)
                .isTrue();
        assertCommitted(seed, checkpoints, out, dir.resolve("q8-answers").resolve("q8.txt"));
    }

    private static void assertCommitted(long seed, Path checkpointDir, Path out, Path answer) throws IOException {
        try (Stream<Path> checkpoints = Files.list(checkpointDir)) {
            List<String> names =
                    checkpoints.map(p -> p.getFileName().toString()).sorted().toList();
            System.out.println("seed " + seed + ", checkpoints kept " + names);
            assertThat(names).as("checkpoints completed").isNotEmpty();
        }
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.sorted().toList()) {
                assertThat(f.getFileName().toString()).startsWith("part-");
                lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
            }
        }
        lines.sort(null);
        List<String> expected = Files.readAllLines(answer, StandardCharsets.US_ASCII);
        assertThat(expected).isNotEmpty();
        assertThat(lines).as("seed %d", seed).isEqualTo(expected);
    }

    static void failOnceThenParse(String line, Collector<NexmarkEvent.Bid> out) {
        if (LINES.incrementAndGet() == failAt) throw new IllegalStateException("injected failure at line " + failAt);
        NexmarkParser.bids(line, out);
    }
}
