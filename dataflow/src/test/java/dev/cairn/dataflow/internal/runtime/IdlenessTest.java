package dev.cairn.dataflow.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.codec.Codecs;
import dev.cairn.common.time.ManualClock;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.WatermarkStrategy;
import dev.cairn.dataflow.internal.graph.Edge;
import dev.cairn.dataflow.internal.graph.GraphBuilder;
import dev.cairn.dataflow.internal.graph.OperatorFactory;
import dev.cairn.dataflow.internal.graph.Partitioning;
import dev.cairn.dataflow.internal.operators.Output;
import dev.cairn.dataflow.internal.operators.SinkOperator;
import dev.cairn.dataflow.internal.operators.SourceOperator;
import dev.cairn.dataflow.internal.operators.StreamOperator;
import dev.cairn.dataflow.internal.operators.TimestampsAndWatermarksOperator;
import dev.cairn.dataflow.internal.operators.WindowContents;
import dev.cairn.dataflow.internal.operators.WindowOperator;
import dev.cairn.dataflow.window.WindowAssigner;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Idleness through the executor: two unbounded sources feed one window; one never produces. With
 * idleness, the window fires on the other source's watermark while both still run.
 */
@Timeout(60)
class IdlenessTest {
    static final CountDownLatch RELEASE = new CountDownLatch(1);
    static final CountDownLatch FIRED = new CountDownLatch(1);
    static final List<String> RESULTS = new CopyOnWriteArrayList<>();

    /** Emits its timestamps once, then runs (producing nothing) until the test releases it. */
    record ScriptedSource(List<Long> timestamps) implements OperatorFactory {
        @Override
        public String kind() {
            return "scripted source";
        }

        @Override
        public StreamOperator<?> create() {
            return new Source(timestamps);
        }
    }

    static final class Source extends StreamOperator<Long> implements SourceOperator {
        private final List<Long> timestamps;
        private boolean emitted;

        Source(List<Long> timestamps) {
            this.timestamps = timestamps;
        }

        @Override
        public boolean emitNext() {
            if (!emitted) {
                for (long ts : timestamps) output.emit(ts, Output.NO_TIMESTAMP);
                emitted = true;
                return true;
            }
            if (RELEASE.getCount() == 0) return false;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // an unbounded source waiting for data
            return true;
        }
    }

    @Test
    void anIdleSourceDoesNotHoldBackTheWindowsOfAnActiveOne() throws Exception {
        ManualClock clock = new ManualClock(0);
        WatermarkStrategy strategy = WatermarkStrategy.monotonousTimestamps().withIdleness(Duration.ofSeconds(1));
        GraphBuilder g = new GraphBuilder();
        int active = g.addNode("active", 1, 0, new ScriptedSource(List.of(1_000L, 25_000L)));
        int silent = g.addNode("silent", 1, 0, new ScriptedSource(List.of()));
        int activeTs = g.addNode(
                "active timestamps", 1, 1, new TimestampsAndWatermarksOperator.Factory<Long>(v -> v, strategy));
        int silentTs = g.addNode(
                "silent timestamps", 1, 1, new TimestampsAndWatermarksOperator.Factory<Long>(v -> v, strategy));
        int window = g.addNode(
                "window",
                1,
                1,
                new WindowOperator.Factory<Long, Long, Long, Long>(
                        v -> 0L,
                        Codecs.LONG,
                        WindowAssigner.tumbling(Duration.ofSeconds(10)),
                        0,
                        null,
                        WindowContents.reducing(Long::sum)));
        int sink = g.addNode("sink", 1, 1, new SinkOperator.Factory<Long>((value, ts) -> {
            RESULTS.add(value + "@" + ts);
            FIRED.countDown();
        }));
        Partitioning byKey = new Partitioning.KeyGroupHash<Long, Long>(v -> 0L, Codecs.LONG);
        g.addEdge(new Edge(active, activeTs, 0, new Partitioning.Forward(), null, Codecs.LONG));
        g.addEdge(new Edge(silent, silentTs, 0, new Partitioning.Forward(), null, Codecs.LONG));
        g.addEdge(new Edge(activeTs, window, 0, byKey, null, Codecs.LONG));
        g.addEdge(new Edge(silentTs, window, 0, byKey, null, Codecs.LONG));
        g.addEdge(new Edge(window, sink, 0, new Partitioning.Forward(), null, Codecs.LONG));
        LocalExecutor executor = new LocalExecutor(
                DataflowOptions.defaults().withWatermarkIntervalRecords(1).withClock(clock));
        Thread run = new Thread(() -> executor.execute(g.build(128)));
        run.start();
        try {
            // Processing time moves only here; the subtasks may not have started yet, so keep moving it.
            for (int i = 0; i < 300 && !FIRED.await(100, TimeUnit.MILLISECONDS); i++)
                clock.advance(1, TimeUnit.SECONDS);
            assertThat(FIRED.getCount())
                    .as("the window fired while the silent source still ran")
                    .isZero();
            assertThat(RESULTS).containsExactly("1000@9999");
        } finally {
            RELEASE.countDown();
            run.join();
        }
        assertThat(RESULTS).containsExactly("1000@9999", "25000@29999");
    }
}
