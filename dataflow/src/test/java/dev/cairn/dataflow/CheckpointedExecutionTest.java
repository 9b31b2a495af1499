package dev.cairn.dataflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.internal.operators.CollectionSource;
import dev.cairn.dataflow.internal.operators.FailAfterCheckpointSource;
import dev.cairn.dataflow.internal.runtime.LocalExecutor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Checkpointed jobs in the local executor: restarts, keyed state, the restart limit, the sink's directory. */
@Timeout(60)
class CheckpointedExecutionTest {
    static final AtomicLong SEEN = new AtomicLong();
    static volatile long failAt = -1;

    @TempDir
    Path dir;

    private Dataflow flow(int restarts) {
        return Dataflow.create(DataflowOptions.defaults()
                .withParallelism(2)
                .withCheckpoints(CheckpointSettings.in(dir.resolve("chk"))
                        .withInterval(Duration.ofMillis(5))
                        .withRestartAttempts(restarts)));
    }

    private static Long failOnce(Long x) {
        if (SEEN.incrementAndGet() == failAt) throw new IllegalStateException("injected at " + failAt);
        return x;
    }

    private List<String> committed(Path out) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.filter(f -> !f.getFileName().toString().startsWith("."))
                    .toList()) lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
        }
        lines.sort(null);
        return lines;
    }

    @Test
    void aBoundedJobCommitsEverythingThroughItsFinalCheckpoint() throws IOException {
        SEEN.set(0);
        failAt = -1;
        Dataflow flow = flow(0);
        flow.fromCollection(LongStream.range(0, 10_000).boxed().toList(), Codecs.LONG)
                .map(CheckpointedExecutionTest::failOnce, Codecs.LONG)
                .writeAsTextExactlyOnce(dir.resolve("out"));
        flow.execute();
        assertThat(committed(dir.resolve("out")))
                .isEqualTo(LongStream.range(0, 10_000)
                        .mapToObj(Long::toString)
                        .sorted()
                        .toList());
        try (Stream<Path> out = Files.list(dir.resolve("out"))) {
            assertThat(out.map(p -> p.getFileName().toString()))
                    .as("nothing staged is left")
                    .noneMatch(n -> n.startsWith("."));
        }
        try (Stream<Path> chk = Files.list(dir.resolve("chk"))) {
            assertThat(chk.map(p -> p.getFileName().toString()).toList()).isNotEmpty();
        }
    }

    @Test
    void aFailedJobRestartsAndCommitsEachRecordOnce() throws IOException {
        SEEN.set(0);
        failAt = 7_000;
        Dataflow flow = flow(1);
        flow.fromCollection(LongStream.range(0, 20_000).boxed().toList(), Codecs.LONG)
                .rebalance()
                .map(CheckpointedExecutionTest::failOnce, Codecs.LONG)
                .writeAsTextExactlyOnce(dir.resolve("out"));
        flow.execute();
        assertThat(SEEN.get()).isGreaterThan(failAt);
        assertThat(committed(dir.resolve("out")))
                .isEqualTo(LongStream.range(0, 20_000)
                        .mapToObj(Long::toString)
                        .sorted()
                        .toList());
    }

    @Test
    void pastTheRestartLimitTheJobFailsWithTheRootCause() {
        SEEN.set(0);
        failAt = 100;
        Dataflow flow = flow(0);
        flow.fromCollection(LongStream.range(0, 1_000).boxed().toList(), Codecs.LONG)
                .map(CheckpointedExecutionTest::failOnce, Codecs.LONG)
                .writeAsTextExactlyOnce(dir.resolve("out"));
        assertThatThrownBy(flow::execute)
                .isInstanceOf(DataflowException.class)
                .hasMessageContaining("injected at 100")
                .hasMessageContaining("after 0 restarts");
    }

    /** A running count of one key. */
    public record Count(long key, long count) {}

    @Test
    void keyedStateIsRestoredAfterAFailure() throws IOException {
        FailAfterCheckpointSource.FAILED.set(false);
        Dataflow flow = flow(1);
        flow.fromCollection(LongStream.range(0, 100_000).boxed().toList(), Codecs.LONG)
                .map(x -> new Count(x % 10, 1), Codecs.record(Count.class))
                .keyBy(Count::key, Codecs.LONG)
                .reduce((a, b) -> new Count(a.key(), a.count() + b.count()))
                .map(c -> c.key() + " " + c.count(), Codecs.STRING)
                .writeAsTextExactlyOnce(dir.resolve("out"));
        new LocalExecutor(flow.options())
                .execute(FailAfterCheckpointSource.wrapSources(flow.toGraph(), CollectionSource.Factory.class, 30_000));
        assertThat(FailAfterCheckpointSource.FAILED)
                .as("failed after a checkpoint")
                .isTrue();
        // Whatever the order of a key's records, its running counts are 1 to 10,000, each once.
        assertThat(committed(dir.resolve("out")))
                .isEqualTo(LongStream.range(0, 10)
                        .boxed()
                        .flatMap(k -> LongStream.rangeClosed(1, 10_000).mapToObj(n -> k + " " + n))
                        .sorted()
                        .toList());
    }

    @Test
    void theSinkRefusesAnExistingDirectory() throws IOException {
        Files.createDirectories(dir.resolve("out"));
        Dataflow flow = flow(0);
        Stream<Long> unused = Stream.empty();
        assertThat(unused).isEmpty();
        assertThatThrownBy(
                        () -> flow.fromCollection(List.of(1L), Codecs.LONG).writeAsTextExactlyOnce(dir.resolve("out")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already exists");
    }
}
