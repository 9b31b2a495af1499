package dev.cairn.dataflow.nexmark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.CheckpointSettings;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.functions.Collector;
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
 * End to end: Nexmark Q7 at parallelism 2 with checkpoints every 20 ms, a user function that
 * throws once at a seeded line mid-job, the output through the transactional file sink. The
 * committed files hold exactly the answer NexmarkGen computed: nothing lost, nothing twice.
 */
class CheckpointRecoveryTest {
    static final int EVENTS = 200_000;
    static final AtomicLong LINES = new AtomicLong();
    static volatile long failAt;

    @TempDir
    static Path dir;

    @BeforeAll
    static void generate() throws IOException, InterruptedException {
        NexmarkExactnessTest.NexmarkGenerator.run(EVENTS, 7, 10, dir.resolve("events.csv"), dir.resolve("answers"));
    }

    @Test
    @Timeout(120)
    void q7RecoversFromAFailureWithExactlyTheAnswer() throws IOException {
        long seed = Long.getLong("e2e.seed", System.nanoTime());
        failAt = EVENTS / 4 + new Random(seed).nextInt(EVENTS / 2);
        LINES.set(0);
        Path out = dir.resolve("out");
        Dataflow flow = Dataflow.create(DataflowOptions.defaults()
                .withParallelism(2)
                .withCheckpoints(CheckpointSettings.in(dir.resolve("checkpoints"))
                        .withInterval(Duration.ofMillis(20))
                        .withRestartAttempts(2)));
        NexmarkQueries.q7(flow.readTextFile(dir.resolve("events.csv"))
                        .flatMap(CheckpointRecoveryTest::failOnceThenParse, Codecs.record(NexmarkEvent.Bid.class))
                        .assignTimestamps(NexmarkEvent.Bid::dateTime, NexmarkQueries.WATERMARKS))
                .writeAsTextExactlyOnce(out);
        flow.execute();

        assertThat(LINES.get()).as("seed %d: the failure happened", seed).isGreaterThan(failAt);
        try (Stream<Path> checkpoints = Files.list(dir.resolve("checkpoints"))) {
            List<String> names =
                    checkpoints.map(p -> p.getFileName().toString()).sorted().toList();
            System.out.println("seed " + seed + ", failed at line " + failAt + ", checkpoints kept " + names);
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
        List<String> expected = Files.readAllLines(dir.resolve("answers").resolve("q7.txt"), StandardCharsets.US_ASCII);
        assertThat(expected).isNotEmpty();
        assertThat(lines).as("seed %d", seed).isEqualTo(expected);
    }

    static void failOnceThenParse(String line, Collector<NexmarkEvent.Bid> out) {
        if (LINES.incrementAndGet() == failAt) throw new IllegalStateException("injected failure at line " + failAt);
        NexmarkParser.bids(line, out);
    }
}
