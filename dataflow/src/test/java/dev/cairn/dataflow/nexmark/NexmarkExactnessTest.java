package dev.cairn.dataflow.nexmark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.dataflow.CollectedResult;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.Stream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Cairn's Q5, Q7 and Q8 against the exact answers NexmarkGen computes single-threaded from the
 * definitions: 200,000 events (seed 7), at parallelism 1, 2 and 4. At NexmarkGen's default rate
 * (100,000 events per second of event time) they span 2 s, so only a few windows; the "spread"
 * data set (--delay-us 500, 2,000 events per second) spans 100 s: 10 tumbling and 50 sliding
 * window ends.
 */
class NexmarkExactnessTest {
    static final int EVENTS = 200_000;

    @TempDir
    static Path dir;

    @BeforeAll
    static void generate() throws IOException, InterruptedException {
        NexmarkGenerator.run(EVENTS, 7, 10, dir.resolve("default.csv"), dir.resolve("default"));
        NexmarkGenerator.run(EVENTS, 7, 500, dir.resolve("spread.csv"), dir.resolve("spread"));
    }

    @ParameterizedTest(name = "{0} on {1} data at parallelism {2}")
    @CsvSource({
        "q5, default, 1",
        "q5, default, 2",
        "q5, default, 4",
        "q7, default, 1",
        "q7, default, 2",
        "q7, default, 4",
        "q8, default, 1",
        "q8, default, 2",
        "q8, default, 4",
        "q5, spread, 1",
        "q5, spread, 2",
        "q5, spread, 4",
        "q7, spread, 1",
        "q7, spread, 2",
        "q7, spread, 4",
        "q8, spread, 1",
        "q8, spread, 2",
        "q8, spread, 4"
    })
    void matchesTheExactAnswer(String query, String data, int parallelism) throws IOException {
        Path events = dir.resolve(data + ".csv");
        Path answers = dir.resolve(data);
        BiFunction<Dataflow, Path, Stream<String>> program = switch (query) {
            case "q5" -> NexmarkQueries::q5;
            case "q7" -> NexmarkQueries::q7;
            case "q8" -> NexmarkQueries::q8;
            default -> throw new IllegalArgumentException(query);
        };
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(parallelism));
        CollectedResult<String> result = program.apply(flow, events).collect();
        flow.execute();
        List<String> lines = new ArrayList<>(result.get());
        lines.sort(null); // ASCII only: String order is byte order
        List<String> expected = Files.readAllLines(answers.resolve(query + ".txt"), StandardCharsets.US_ASCII);
        assertThat(expected).isNotEmpty();
        assertThat(lines).hasSameSizeAs(expected);
        assertThat(lines).isEqualTo(expected);
    }

    /** Runs /work/shared/bench/NexmarkGen.java (found by walking up from the working directory) with this JVM's java. */
    static final class NexmarkGenerator {
        static Path find() {
            for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
                Path candidate = d.resolve("shared/bench/NexmarkGen.java");
                if (Files.isRegularFile(candidate)) return candidate;
            }
            throw new IllegalStateException("shared/bench/NexmarkGen.java not found in any parent of "
                    + Path.of("").toAbsolutePath());
        }

        static void run(long events, long seed, long delayMicros, Path out, Path answers)
                throws IOException, InterruptedException {
            String java = ProcessHandle.current()
                    .info()
                    .command()
                    .orElseThrow(() -> new IllegalStateException("cannot tell this JVM's java command"));
            Process p = new ProcessBuilder(
                            java,
                            find().toString(),
                            "--events",
                            Long.toString(events),
                            "--seed",
                            Long.toString(seed),
                            "--delay-us",
                            Long.toString(delayMicros),
                            "--out",
                            out.toString(),
                            "--answers",
                            answers.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("NexmarkGen did not finish in 120 s");
            }
            if (p.exitValue() != 0) throw new IllegalStateException("NexmarkGen exited with " + p.exitValue());
        }
    }
}
