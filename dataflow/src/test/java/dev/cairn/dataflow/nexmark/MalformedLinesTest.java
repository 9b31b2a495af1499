package dev.cairn.dataflow.nexmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.dataflow.CollectedResult;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowException;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.Stream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malformed event lines: by default the job fails with a message naming the file, the line's
 * byte offset and the bad field; with {@link NexmarkQueries#wellFormed} in front of Q7 they go to
 * its side output, every one of them with its reason, and Q7 still gives exactly the answer for
 * the good events.
 */
class MalformedLinesTest {
    /** One of each way a line can be malformed. */
    static final List<String> BAD_LINES = List.of(
            "",
            "X,1,2,3",
            "Bid,1,2,3,4,x",
            "B",
            "B,notatime,1,2,3,x",
            "B,0,x7,3,4,extra",
            "B,0,1,2",
            "B,0,1,2,12345678901234567890,x",
            "P,0,abc,name,mail,card,city,state,x",
            "P,0,1,name",
            "A,0,1,item,desc,10,20,30,seller!,1,x",
            "B,0,1,2,3\tx,y");

    @TempDir
    static Path dir;

    @BeforeAll
    static void generate() throws IOException, InterruptedException {
        NexmarkExactnessTest.NexmarkGenerator.run(20_000, 5, 10, dir.resolve("events.csv"), dir.resolve("answers"));
    }

    /** {@code events} with {@link #BAD_LINES} spread among its lines, one every {@code every} lines. */
    static void mix(Path events, Path mixed, int every) throws IOException {
        List<String> lines = Files.readAllLines(events, StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>(lines.size() + BAD_LINES.size());
        int bad = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (i % every == every / 2 && bad < BAD_LINES.size()) out.add(BAD_LINES.get(bad++));
            out.add(lines.get(i));
        }
        while (bad < BAD_LINES.size()) out.add(BAD_LINES.get(bad++));
        Files.write(mixed, out, StandardCharsets.UTF_8);
    }

    /** The lines a side output holds, without their reasons, sorted. */
    static List<String> badLinesOf(List<String> sideOutput) {
        List<String> lines = new ArrayList<>();
        for (String s : sideOutput) {
            int tab = s.indexOf('\t');
            assertThat(tab).as("reason, tab, line: %s", s).isPositive();
            assertThat(s.substring(0, tab)).startsWith("malformed Nexmark ");
            lines.add(s.substring(tab + 1));
        }
        lines.sort(null);
        return lines;
    }

    static List<String> sortedBadLines() {
        List<String> expected = new ArrayList<>(BAD_LINES);
        expected.sort(null);
        return expected;
    }

    @ParameterizedTest(name = "at parallelism {0}")
    @ValueSource(ints = {1, 3})
    void malformedLinesGoToTheSideOutputAndQ7StillGivesTheAnswer(int parallelism) throws IOException {
        Path mixed = dir.resolve("mixed-" + parallelism + ".csv");
        mix(dir.resolve("events.csv"), mixed, 1_000);
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(parallelism));
        Stream<String> good = NexmarkQueries.wellFormed(flow.readTextFile(mixed));
        CollectedResult<String> malformed =
                good.sideOutput(NexmarkQueries.MALFORMED).collect();
        CollectedResult<String> q7 = NexmarkQueries.q7(good).collect();
        flow.execute();

        List<String> lines = new ArrayList<>(q7.get());
        lines.sort(null);
        List<String> expected = Files.readAllLines(dir.resolve("answers").resolve("q7.txt"), StandardCharsets.US_ASCII);
        assertThat(expected).isNotEmpty();
        assertThat(lines).isEqualTo(expected);
        assertThat(badLinesOf(malformed.get())).isEqualTo(sortedBadLines());
        assertThat(malformed.get())
                .contains("malformed Nexmark bid: field 3 (auction) is not a number: 'x7'\tB,0,x7,3,4,extra")
                .contains("malformed Nexmark bid: field 5 (price) is not a number: '3\\tx'\tB,0,1,2,3\tx,y");
    }

    @Test
    void byDefaultAMalformedLineFailsTheJobNamingTheFileOffsetAndField() throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve("events.csv"), StandardCharsets.UTF_8);
        Path mixed = dir.resolve("one-bad.csv");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 500; i++) text.append(lines.get(i)).append('\n');
        long offset = text.toString().getBytes(StandardCharsets.UTF_8).length;
        text.append("B,0,x7,3,4,extra\n");
        for (int i = 500; i < 1_000; i++) text.append(lines.get(i)).append('\n');
        Files.writeString(mixed, text, StandardCharsets.UTF_8);

        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(1));
        NexmarkQueries.q7(flow, mixed).collect();
        assertThatThrownBy(flow::execute)
                .isInstanceOf(DataflowException.class)
                .hasMessageContaining("(on the line at byte offset " + offset + " of " + mixed + ") threw")
                .hasMessageContaining("malformed Nexmark bid: field 3 (auction) is not a number: 'x7'"
                        + " in line 'B,0,x7,3,4,extra'");
    }

    @Test
    void theParserNamesTheBadField() {
        assertThatThrownBy(() -> NexmarkParser.parse("P,0,1,name"))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("malformed Nexmark person: field 5 (emailAddress) is missing in line 'P,0,1,name'");
        assertThatThrownBy(() -> NexmarkParser.parse("")).hasMessage("malformed Nexmark event: empty line in line ''");
        assertThat(NexmarkParser.parse("B,7,1,2,-3,x")).isEqualTo(new NexmarkEvent.Bid(1, 2, -3, 7));
    }
}
