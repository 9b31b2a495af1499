package dev.cairn.examples.terasort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.RuntimeMode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TeraGen then TeraSort in batch mode, on a batch master and workers in this JVM. */
class TeraSortTest {
    @TempDir
    Path dir;

    private static final int ROWS = 30_000;

    private static List<Path> parts(Path out) throws IOException {
        try (Stream<Path> files = Files.list(out)) {
            return files.filter(f -> f.getFileName().toString().startsWith("part-"))
                    .sorted()
                    .toList();
        }
    }

    private static byte[] concatenated(List<Path> parts) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Path p : parts) all.write(Files.readAllBytes(p));
        return all.toByteArray();
    }

    private static List<String> records(byte[] bytes) {
        assertThat(bytes.length % TeraGen.RECORD_BYTES).isZero();
        List<String> records = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += TeraGen.RECORD_BYTES)
            records.add(new String(bytes, i, TeraGen.RECORD_BYTES, StandardCharsets.US_ASCII));
        return records;
    }

    @Test
    void teraSortOrdersTeraGensRecordsByKeyAcrossBalancedParts() throws Exception {
        Path generated = dir.resolve("gen");
        Dataflow gen = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        new TeraGen().define(gen, new String[] {Integer.toString(ROWS), generated.toString()});
        gen.execute(RuntimeMode.BATCH);

        List<String> input = records(concatenated(parts(generated)));
        assertThat(input).hasSize(ROWS);
        assertThat(input.get(7))
                .as("gensort -a: key, 2 spaces, the row in 32 hex digits, 2 spaces, filler, CR LF")
                .matches("[ -~]{10}  0{31}7  ([A-P])\\1{3}([A-P])\\2{3}.{44}\r\n");

        Path sorted = dir.resolve("sorted");
        Dataflow sort = Dataflow.create(DataflowOptions.defaults().withParallelism(3));
        new TeraSort().define(sort, new String[] {generated.toString(), sorted.toString()});
        sort.execute(RuntimeMode.BATCH);

        List<Path> parts = parts(sorted);
        List<String> output = records(concatenated(parts));
        String[] expected = input.toArray(new String[0]);
        Arrays.sort(expected, (a, b) -> a.substring(0, 10).compareTo(b.substring(0, 10)));
        assertThat(output).extracting(r -> r.substring(0, 10)).isSorted();
        assertThat(output).containsExactlyInAnyOrder(expected);
        assertThat(parts).hasSize(3);
        for (Path p : parts)
            assertThat(Files.size(p) / TeraGen.RECORD_BYTES)
                    .as("a sampled range's share of " + ROWS)
                    .isBetween((long) ROWS / 6, (long) ROWS / 2);
    }

    @Test
    void aLineThatIsNoRecordFailsTheSortNamingWhere() throws IOException {
        Path in = dir.resolve("in.txt");
        Files.writeString(in, TeraGen.recordWithoutNewline(0) + "\nshort line\n");
        Dataflow sort = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        new TeraSort()
                .define(sort, new String[] {in.toString(), dir.resolve("out").toString()});
        assertThatThrownBy(() -> sort.execute(RuntimeMode.BATCH))
                .hasMessageContaining("not a gensort ASCII record: 10 bytes before its line end, not 98")
                .hasMessageContaining("on the line at byte offset 100 of " + in);
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingRuns() {
        assertThatThrownBy(() -> new TeraGen().define(Dataflow.create(), new String[] {"many", "/tmp/x"}))
                .hasMessage("teragen: ROWS must be a whole number, got 'many'");
        assertThatThrownBy(() -> new TeraSort().define(Dataflow.create(), new String[] {
                    dir.resolve("nothing").toString(), "/tmp/x"
                }))
                .hasMessageContaining("does not exist");
    }
}
