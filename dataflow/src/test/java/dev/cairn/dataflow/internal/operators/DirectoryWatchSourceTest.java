package dev.cairn.dataflow.internal.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.CollectedResult;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The directory watcher: appended lines as they come, partial lines held back, offsets checkpointed, the end marker. */
class DirectoryWatchSourceTest {
    @TempDir
    Path dir;

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Polls once (the clock moved past the poll interval) and drains every queued line. */
    private static List<Object> poll(OperatorHarness<String> h) throws Exception {
        h.clock.advance(100, TimeUnit.MILLISECONDS);
        DirectoryWatchSource source = (DirectoryWatchSource) h.operator();
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            assertThat(source.emitNext()).isTrue();
            List<Object> got = h.drainValues();
            if (got.isEmpty() && i > 0) break;
            out.addAll(got);
        }
        return out;
    }

    @Test
    void appendedCompleteLinesComeAsTheyAreWrittenAndPartialOnesWait() throws Exception {
        Path log = dir.resolve("app.log");
        append(log, "a1\na2\npart");
        OperatorHarness<String> h = new OperatorHarness<>(new DirectoryWatchSource.Factory(dir.toString(), 50));
        assertThat(poll(h)).containsExactly("a1", "a2");
        append(log, "ial\r\nb1\n");
        append(dir.resolve("other.log"), "o1\n");
        append(dir.resolve(".hidden"), "never\n");
        assertThat(poll(h)).containsExactlyInAnyOrder("partial", "b1", "o1");
        assertThat(poll(h)).isEmpty();
    }

    @Test
    void aRestoredWatcherGoesOnFromTheOffsetsOfWhatItHadEmitted() throws Exception {
        Path log = dir.resolve("app.log");
        append(log, IntStream.range(0, 2000).mapToObj(i -> "line-" + i + "\n").reduce("", String::concat));
        OperatorHarness<String> first = new OperatorHarness<>(new DirectoryWatchSource.Factory(dir.toString(), 50));
        first.clock.advance(100, TimeUnit.MILLISECONDS);
        DirectoryWatchSource source = (DirectoryWatchSource) first.operator();
        assertThat(source.emitNext()).isTrue(); // one call emits at most 512 lines; the rest stay queued
        List<Object> before = first.drainValues();
        assertThat(before).hasSizeLessThan(2000).isNotEmpty();
        byte[] snapshot = first.snapshot(1);

        OperatorHarness<String> second = OperatorHarness.restored(
                new DirectoryWatchSource.Factory(dir.toString(), 50),
                new dev.cairn.dataflow.internal.runtime.KeyGroupRange(0, 127),
                List.of(snapshot),
                0);
        append(log, "line-2000\n");
        List<Object> after = poll(second);
        List<Object> all = new ArrayList<>(before);
        all.addAll(after);
        assertThat(all)
                .containsExactlyElementsOf(IntStream.rangeClosed(0, 2000)
                        .mapToObj(i -> (Object) ("line-" + i))
                        .toList());
    }

    @Test
    void aShrunkFileIsANewFileReadFromItsStart() throws Exception {
        Path log = dir.resolve("app.log");
        append(log, "old-1\nold-2\n");
        OperatorHarness<String> h = new OperatorHarness<>(new DirectoryWatchSource.Factory(dir.toString(), 50));
        assertThat(poll(h)).containsExactly("old-1", "old-2");
        Files.writeString(log, "new\n");
        assertThat(poll(h)).containsExactly("new");
    }

    @Test
    void aMissingDirectoryIsNamed() throws Exception {
        OperatorHarness<String> h = new OperatorHarness<>(
                new DirectoryWatchSource.Factory(dir.resolve("nope").toString(), 50));
        h.clock.advance(100, TimeUnit.MILLISECONDS);
        assertThatThrownBy(() -> ((DirectoryWatchSource) h.operator()).emitNext())
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(dir.resolve("nope").toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    @Timeout(60)
    void aJobOverAGrowingDirectoryEndsAtTheMarkerWithEveryLine() throws Exception {
        append(dir.resolve("a.log"), "x y\n");
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        CollectedResult<String> words = flow.watchTextFiles(dir, Duration.ofMillis(10))
                .flatMap(
                        (String line, dev.cairn.dataflow.functions.Collector<String> out) -> {
                            for (String w : line.split(" ", -1)) out.collect(w);
                        },
                        Codecs.STRING)
                .collect();
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < 50; i++) append(dir.resolve("f" + (i % 3) + ".log"), "w" + i + "\n");
                append(dir.resolve("_DONE"), "");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        flow.execute();
        writer.join();
        List<String> expected = new ArrayList<>(List.of("x", "y"));
        for (int i = 0; i < 50; i++) expected.add("w" + i);
        assertThat(words.get()).containsExactlyInAnyOrderElementsOf(expected);
    }
}
