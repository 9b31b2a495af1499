package dev.cairn.dataflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.functions.Collector;
import dev.cairn.dataflow.functions.KeyedProcessFunction;
import dev.cairn.dataflow.functions.ProcessWindowFunction;
import dev.cairn.dataflow.functions.SinkFunction;
import dev.cairn.dataflow.window.WindowAssigner;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ExecutorTest {
    static final AtomicLong SLOW_SINK_RECORDS = new AtomicLong();
    static final AtomicLong BLACKHOLE = new AtomicLong();

    /** Burns a little CPU per record, so its producers outrun it. */
    static final class SlowSink implements SinkFunction<Long> {
        private static final long serialVersionUID = 1L;
        private long sink;

        @Override
        public void invoke(Long value, long timestamp) {
            long h = value;
            for (int i = 0; i < 2_000; i++) h = h * 6364136223846793005L + 1442695040888963407L;
            sink += h;
            SLOW_SINK_RECORDS.incrementAndGet();
        }

        @Override
        public void finish() {
            // Published, so the JIT cannot drop the work that makes this sink slow.
            BLACKHOLE.addAndGet(sink);
        }
    }

    static final class PassThrough extends KeyedProcessFunction<Long, Long, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(Long value, Context<Long, Long> context, Collector<Long> out) {
            out.collect(value);
        }
    }

    @Test
    void aSlowSinkKeepsEveryQueueWithinItsBound() {
        int batchSize = 16;
        int capacity = 2;
        Dataflow flow =
                Dataflow.create(DataflowOptions.defaults().withParallelism(2).withExchangeBuffers(batchSize, capacity));
        List<Long> numbers = LongStream.range(0, 100_000).boxed().toList();
        flow.fromCollection(numbers, Codecs.LONG)
                .parallelism(2)
                .keyBy(x -> x % 1_000, Codecs.LONG)
                .process(new PassThrough(), Codecs.LONG)
                .rebalance()
                .addSink(new SlowSink(), "SlowSink");
        SLOW_SINK_RECORDS.set(0);
        ExecutionResult result = flow.execute();
        assertThat(SLOW_SINK_RECORDS.get()).isEqualTo(100_000);
        // 100,000 records passed; the sink's queues filled up (so producers blocked), and never held
        // more than capacity * batchSize records waiting for one consumer.
        assertThat(result.peakBufferedRecords()).isEqualTo((long) capacity * batchSize);
    }

    @Test
    void aThrowingFunctionFailsTheExecutionNamingTheOperatorAndCause() {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        flow.fromCollection(LongStream.range(0, 100_000).boxed().toList(), Codecs.LONG)
                .parallelism(2)
                .map(
                        x -> {
                            if (x == 5_000) throw new IllegalStateException("boom at " + x);
                            return x;
                        },
                        Codecs.LONG)
                .name("Explode")
                .keyBy(x -> x % 7, Codecs.LONG)
                .reduce(Long::sum)
                .addSink(new SlowSink(), "SlowSink");
        assertThatThrownBy(flow::execute)
                .isInstanceOf(DataflowException.class)
                .hasMessageContaining("operator 'Explode'")
                .hasMessageContaining("boom at 5000")
                .hasCauseInstanceOf(IllegalStateException.class)
                .satisfies(
                        e -> assertThat(((DataflowException) e).operatorName()).isEqualTo("Explode"));
    }

    @Test
    void aThrowingWindowFunctionIsNamedToo() {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        flow.fromCollection(LongStream.range(0, 1_000).boxed().toList(), Codecs.LONG)
                .assignTimestamps(x -> x, WatermarkStrategy.monotonousTimestamps())
                .keyBy(x -> x % 3, Codecs.LONG)
                .window(WindowAssigner.tumbling(Duration.ofMillis(100)))
                .process(
                        (Long key, ProcessWindowFunction.Context context, Iterable<Long> xs, Collector<Long> out) -> {
                            throw new ArithmeticException(
                                    "window " + context.window().start());
                        },
                        Codecs.LONG)
                .name("Windows")
                .print();
        assertThatThrownBy(flow::execute)
                .isInstanceOf(DataflowException.class)
                .hasMessageContaining("operator 'Windows'")
                .hasMessageContaining("ArithmeticException: window ");
    }

    @Test
    void functionsThatCannotBeShippedAreRejectedByName() {
        Dataflow flow = Dataflow.create();
        Object notSerializable = new Object();
        flow.fromCollection(List.of(1L), Codecs.LONG)
                .map(x -> x + notSerializable.hashCode(), Codecs.LONG)
                .print();
        assertThatThrownBy(flow::execute)
                .isInstanceOf(DataflowException.class)
                .hasMessageContaining("not serializable");
    }

    @Test
    void endOfInputFiresEveryWindowAndTheGraphRunsWithMoreSubtasksThanData() {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(4));
        List<Long> sums = flow.fromCollection(List.of(1L, 2L, 3L), Codecs.LONG)
                .parallelism(4) // subtask 3 has nothing
                .assignTimestamps(x -> x * 1_000_000, WatermarkStrategy.boundedOutOfOrderness(Duration.ofDays(1)))
                .keyBy(x -> 0L, Codecs.LONG)
                .window(WindowAssigner.tumbling(Duration.ofDays(365)))
                .reduce(Long::sum)
                .executeAndCollect();
        assertThat(sums).containsExactly(6L);
    }
}
