package dev.cairn.dataflow.nexmark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.dataflow.CollectedResult;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.RuntimeMode;
import dev.cairn.dataflow.Stream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The stream programs of Q5 (two keyed stages: counts per sliding window, then the hottest per
 * window), Q7 (a tumbling-window max, then a window join with its input) and Q8 (a window join of
 * two streams) run unchanged in batch mode, stage by stage on a batch master and worker, and give
 * NexmarkGen's exact answers.
 */
class NexmarkBatchTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void generate() throws IOException, InterruptedException {
        NexmarkExactnessTest.NexmarkGenerator.run(100_000, 11, 500, dir.resolve("spread.csv"), dir.resolve("spread"));
    }

    @ParameterizedTest(name = "{0} at parallelism {1}")
    @CsvSource({"q5, 2", "q7, 2", "q8, 2", "q8, 3"})
    void batchModeGivesTheExactAnswer(String query, int parallelism) throws IOException {
        BiFunction<Dataflow, Path, Stream<String>> program = switch (query) {
            case "q5" -> NexmarkQueries::q5;
            case "q7" -> NexmarkQueries::q7;
            case "q8" -> NexmarkQueries::q8;
            default -> throw new IllegalArgumentException(query);
        };
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(parallelism));
        CollectedResult<String> result =
                program.apply(flow, dir.resolve("spread.csv")).collect();
        flow.execute(RuntimeMode.BATCH);
        List<String> lines = new ArrayList<>(result.get());
        lines.sort(null);
        List<String> expected =
                Files.readAllLines(dir.resolve("spread").resolve(query + ".txt"), StandardCharsets.US_ASCII);
        assertThat(expected).isNotEmpty();
        assertThat(lines).isEqualTo(expected);
    }
}
