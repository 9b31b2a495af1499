package dev.cairn.dataflow.nexmark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.dataflow.CheckpointSettings;
import dev.cairn.dataflow.CollectedResult;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.Stream;
import dev.cairn.dataflow.internal.operators.FailAfterCheckpointSource;
import dev.cairn.dataflow.internal.operators.NexmarkEventSource;
import dev.cairn.dataflow.internal.runtime.LocalExecutor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The generated Nexmark source against NexmarkGen, the reference: the same bytes for the same
 * settings (the generator alone, and the source at parallelism 1 in order, at 3 as a multiset),
 * Q5, Q7 and Q8 over the source equal to NexmarkGen's answers, and a checkpointed Q8 that fails
 * once after a checkpoint and restores the sources' event numbers with exactly the answer.
 */
class NexmarkEventSourceTest {
    static final int QUERY_EVENTS = 200_000;

    @TempDir
    static Path dir;

    @BeforeAll
    static void generateAnswers() throws IOException, InterruptedException {
        // 2,000 events per second of event time: 100 s, 10 tumbling and 50 sliding window ends.
        nexmarkGen(null, dir.resolve("spread"), "--events", "" + QUERY_EVENTS, "--seed", "7", "--delay-us", "500");
        nexmarkGen(null, dir.resolve("q8"), "--events", "" + QUERY_EVENTS, "--seed", "8", "--delay-us", "250");
    }

    @ParameterizedTest(name = "{0} events of seed {1}, delay {2} µs, base {3} ms, disorder {4} up to {5} ms")
    @CsvSource({
        "1000, 1, 10, 1704067201234, 0.1, 2000",
        "60000, 42, 10, 1704067201234, 0.1, 2000",
        "30000, 7, 3, 5, 0.5, 5000",
        "20000, 3, 777, -100000, 0, 1",
        "5000, -9, 1, 0, 1, 1000"
    })
    void generatesNexmarkGensBytes(long events, long seed, long delay, long base, double fraction, int maxDisorder)
            throws IOException, InterruptedException {
        NexmarkEventGenerator.Settings settings =
                new NexmarkEventGenerator.Settings(events, seed, delay, base, fraction, maxDisorder);
        Path file = dir.resolve("events-" + events + "-" + seed + ".csv");
        nexmarkGen(
                file,
                null,
                "--events",
                "" + events,
                "--seed",
                "" + seed,
                "--delay-us",
                "" + delay,
                "--base-ms",
                "" + base,
                "--disorder-fraction",
                "" + fraction,
                "--max-disorder-ms",
                "" + maxDisorder);
        byte[] expected = Files.readAllBytes(file);

        NexmarkEventGenerator generator = new NexmarkEventGenerator(settings);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(expected.length);
        for (long i = 0; i < events; i++) {
            bytes.writeBytes(generator.event(i).getBytes(StandardCharsets.US_ASCII));
            bytes.write('\n');
        }
        assertThat(Arrays.mismatch(bytes.toByteArray(), expected))
                .as("first differing byte")
                .isEqualTo(-1);

        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        assertThat(generated(settings, 1)).isEqualTo(lines);
        List<String> parallel = new ArrayList<>(generated(settings, 3));
        List<String> sorted = new ArrayList<>(lines);
        parallel.sort(null);
        sorted.sort(null);
        assertThat(parallel).isEqualTo(sorted);
    }

    @ParameterizedTest(name = "{0} at parallelism 2")
    @ValueSource(strings = {"q5", "q7", "q8"})
    void queriesOverTheSourceGiveTheExactAnswers(String query) throws IOException {
        Function<Stream<String>, Stream<String>> program = switch (query) {
            case "q5" -> NexmarkQueries::q5;
            case "q7" -> NexmarkQueries::q7;
            case "q8" -> NexmarkQueries::q8;
            default -> throw new IllegalArgumentException(query);
        };
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        CollectedResult<String> result = program.apply(flow.nexmark(
                        NexmarkEventGenerator.Settings.of(QUERY_EVENTS, 7).withDelayMicros(500)))
                .collect();
        flow.execute();
        List<String> lines = new ArrayList<>(result.get());
        lines.sort(null);
        List<String> expected =
                Files.readAllLines(dir.resolve("spread").resolve(query + ".txt"), StandardCharsets.US_ASCII);
        assertThat(expected).isNotEmpty();
        assertThat(lines).isEqualTo(expected);
    }

    @Test
    @Timeout(120)
    void q8RecoversFromAFailureAfterACheckpointWithExactlyTheAnswer() throws IOException {
        long seed = Long.getLong("e2e.seed", System.nanoTime());
        long pauseAt = QUERY_EVENTS / 8L + new Random(seed).nextInt(QUERY_EVENTS / 4);
        FailAfterCheckpointSource.FAILED.set(false);
        Path out = dir.resolve("q8-out");
        Path checkpoints = dir.resolve("q8-checkpoints");
        Dataflow flow = Dataflow.create(DataflowOptions.defaults()
                .withParallelism(2)
                .withCheckpoints(CheckpointSettings.in(checkpoints)
                        .withInterval(Duration.ofMillis(20))
                        .withRestartAttempts(2)));
        NexmarkQueries.q8(flow.nexmark(
                        NexmarkEventGenerator.Settings.of(QUERY_EVENTS, 8).withDelayMicros(250)))
                .writeAsTextExactlyOnce(out);
        new LocalExecutor(flow.options())
                .execute(FailAfterCheckpointSource.wrapSources(
                        flow.toGraph(), NexmarkEventSource.Factory.class, pauseAt));

        assertThat(FailAfterCheckpointSource.FAILED)
                .as("seed %d: the failure happened", seed)
                .isTrue();
        try (java.util.stream.Stream<Path> names = Files.list(checkpoints)) {
            assertThat(names.toList()).as("checkpoints completed").isNotEmpty();
        }
        List<String> lines = new ArrayList<>();
        try (java.util.stream.Stream<Path> files = Files.list(out)) {
            for (Path f : files.sorted().toList()) lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
        }
        lines.sort(null);
        List<String> expected = Files.readAllLines(dir.resolve("q8").resolve("q8.txt"), StandardCharsets.US_ASCII);
        assertThat(expected).isNotEmpty();
        assertThat(lines).as("seed %d", seed).isEqualTo(expected);
    }

    /** Not a benchmark: prints the generator's events/s on one thread (the lines' Strings included). */
    @Test
    void generationRate() {
        NexmarkEventGenerator generator = new NexmarkEventGenerator(NexmarkEventGenerator.Settings.of(0, 42));
        long events = 3_000_000, chars = 0;
        for (int run = 0; run < 3; run++) {
            long started = System.nanoTime();
            for (long i = 0; i < events; i++) chars += generator.event(i).length();
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf(
                    "NexmarkEventGenerator run %d: %,d events in %.2f s, %,.0f events/s, %.0f MB/s%n",
                    run, events, seconds, events / seconds, chars / seconds / 1e6);
            chars = 0;
        }
    }

    private static List<String> generated(NexmarkEventGenerator.Settings settings, int parallelism) {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(parallelism));
        CollectedResult<String> result = flow.nexmark(settings).collect();
        flow.execute();
        return result.get();
    }

    /** Runs NexmarkGen.java with this JVM's java; {@code out} or {@code answers} may be null. */
    private static void nexmarkGen(Path out, Path answers, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add(NexmarkExactnessTest.NexmarkGenerator.find().toString());
        command.addAll(List.of(args));
        if (out != null) command.addAll(List.of("--out", out.toString()));
        if (answers != null) command.addAll(List.of("--answers", answers.toString()));
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("NexmarkGen did not finish in 120 s");
        }
        assertThat(p.exitValue()).as("NexmarkGen's exit code for %s", command).isZero();
    }
}
