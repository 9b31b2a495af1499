package dev.cairn.examples.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowException;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.StateBackendKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The bundled stream jobs defined from their command-line arguments, as {@code submit --example}
 * does, and run in this JVM: Nexmark with and without a directory for malformed lines, and
 * big-state on both state backends.
 */
class StreamExamplesTest {
    @TempDir
    Path dir;

    private static final String BAD = "B,2000,x7,3,4,extra";

    private Path events() throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 100; i++) lines.add("B," + (i * 100) + "," + (i % 5) + "," + i + "," + (1000 + i) + ",x");
        lines.add(20, BAD);
        lines.add(50, "");
        Path events = dir.resolve("events.csv");
        Files.write(events, lines, StandardCharsets.UTF_8);
        return events;
    }

    @Test
    void nexmarkWithAMalformedDirectoryWritesTheBadLinesThereAndGoesOn() throws IOException {
        Path out = dir.resolve("q7");
        Path malformed = dir.resolve("malformed");
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        new NexmarkJob.Q7().define(flow, new String[] {events().toString(), out.toString(), malformed.toString()});
        flow.execute();
        assertThat(lines(out)).isNotEmpty();
        assertThat(lines(malformed))
                .containsExactly(
                        "malformed Nexmark bid: field 3 (auction) is not a number: 'x7'\t" + BAD,
                        "malformed Nexmark event: empty line\t");
    }

    @Test
    void nexmarkWithoutOneFailsOnTheFirstMalformedLine() throws IOException {
        Path events = events();
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(1));
        new NexmarkJob.Q7()
                .define(flow, new String[] {events.toString(), dir.resolve("q7").toString()});
        assertThatThrownBy(flow::execute)
                .isInstanceOf(DataflowException.class)
                .hasMessageContaining("of " + events + ") threw")
                .hasMessageContaining("field 3 (auction) is not a number: 'x7'");
    }

    @ParameterizedTest
    @EnumSource(StateBackendKind.class)
    void bigStateReadsEveryValueBack(StateBackendKind backend) throws IOException {
        Path out = dir.resolve("out");
        Dataflow flow =
                Dataflow.create(DataflowOptions.defaults().withParallelism(2).withStateBackend(backend));
        new BigState().define(flow, new String[] {"10000", "100", out.toString()});
        System.setProperty("cairn.rocksdb.dir", dir.resolve("rocksdb").toString());
        try {
            flow.execute();
        } finally {
            System.clearProperty("cairn.rocksdb.dir");
        }
        assertThat(lines(out)).isEqualTo(BigState.expected(10_000, 100)).hasSize(16);
    }

    @Test
    void bigStateSaysWhatIsWrongWithItsArguments() {
        Dataflow flow = Dataflow.create();
        assertThatThrownBy(() -> new BigState().define(flow, new String[] {"ten", "100", "out"}))
                .hasMessage("KEYS must be a positive number, got 'ten'");
        assertThatThrownBy(() -> new BigState().define(flow, new String[] {"10"}))
                .hasMessage("usage: big-state KEYS VALUE_BYTES OUT_DIR");
    }

    private static List<String> lines(Path out) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .sorted()
                    .toList()) lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
        }
        lines.sort(null);
        return lines;
    }
}
