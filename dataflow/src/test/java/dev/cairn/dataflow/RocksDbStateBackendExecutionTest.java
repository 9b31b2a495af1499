package dev.cairn.dataflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.functions.Collector;
import dev.cairn.dataflow.functions.KeyedProcessFunction;
import dev.cairn.dataflow.internal.operators.CollectionSource;
import dev.cairn.dataflow.internal.operators.FailAfterCheckpointSource;
import dev.cairn.dataflow.internal.runtime.LocalExecutor;
import dev.cairn.dataflow.state.KeyedStateStore;
import dev.cairn.dataflow.state.ListState;
import dev.cairn.dataflow.state.MapState;
import dev.cairn.dataflow.state.StateDescriptor;
import dev.cairn.dataflow.state.ValueState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A keyed process function with value, list and map state, checkpointed every few milliseconds
 * and failing once after a checkpoint, gives exactly the same committed output with its state in
 * RocksDB as on the heap.
 */
@Timeout(120)
class RocksDbStateBackendExecutionTest {
    private static final int RECORDS = 60_000;
    private static final int KEYS = 97;

    @TempDir
    Path dir;

    /**
     * Per key: a count (value state), the last three values (list state) and a count per bucket
     * (map state). Every line it emits is the same whatever order a key's records come in.
     */
    static final class Tally extends KeyedProcessFunction<Long, Long, String> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<Long> count;
        private transient ListState<Long> last;
        private transient MapState<Long, Long> buckets;

        @Override
        public void open(KeyedStateStore store) {
            count = store.valueState(StateDescriptor.value("count", Codecs.LONG));
            last = store.listState(StateDescriptor.list("last", Codecs.LONG));
            buckets = store.mapState(StateDescriptor.map("buckets", Codecs.LONG, Codecs.LONG));
        }

        @Override
        public void processElement(Long value, Context<Long, String> context, Collector<String> out) {
            long key = context.currentKey();
            Long c = count.value();
            long n = c == null ? 1 : c + 1;
            count.update(n);
            out.collect(key + " count " + n);
            List<Long> values = new ArrayList<>(last.get());
            values.add(value);
            if (values.size() > 3) values.remove(0);
            last.update(values);
            out.collect(key + " last " + last.get().size());
            long bucket = value % 5;
            Long b = buckets.get(bucket);
            long m = b == null ? 1 : b + 1;
            buckets.put(bucket, m);
            out.collect(key + " bucket " + bucket + " " + m + " of "
                    + buckets.entries().size());
        }
    }

    private List<String> run(StateBackendKind backend, String name) throws IOException {
        FailAfterCheckpointSource.FAILED.set(false);
        Path out = dir.resolve(name + "-out");
        Dataflow flow = Dataflow.create(DataflowOptions.defaults()
                .withParallelism(2)
                .withStateBackend(backend)
                .withCheckpoints(CheckpointSettings.in(dir.resolve(name + "-chk"))
                        .withInterval(Duration.ofMillis(10))
                        .withRestartAttempts(1)));
        flow.fromCollection(LongStream.range(0, RECORDS).boxed().toList(), Codecs.LONG)
                .keyBy(x -> x % KEYS, Codecs.LONG)
                .process(new Tally(), Codecs.STRING)
                .writeAsTextExactlyOnce(out);
        new LocalExecutor(flow.options())
                .execute(FailAfterCheckpointSource.wrapSources(
                        flow.toGraph(), CollectionSource.Factory.class, RECORDS / 4));
        assertThat(FailAfterCheckpointSource.FAILED)
                .as("failed after a checkpoint")
                .isTrue();
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.filter(f -> !f.getFileName().toString().startsWith("."))
                    .toList()) lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
        }
        lines.sort(null);
        return lines;
    }

    @Test
    void rocksDbGivesTheHeapsOutputAcrossAFailure() throws IOException {
        List<String> heap = run(StateBackendKind.HEAP, "heap");
        List<String> rocks = run(StateBackendKind.ROCKSDB, "rocks");
        assertThat(heap).hasSize(RECORDS * 3);
        assertThat(rocks).isEqualTo(heap);
        // The RocksDB run kept its SST files in the checkpoints' shared area, referenced by manifests.
        try (Stream<Path> shared = Files.list(dir.resolve("rocks-chk/shared"))) {
            assertThat(shared.toList()).isNotEmpty();
        }
        assertThat(dir.resolve("heap-chk/shared")).doesNotExist();
    }

    @Test
    void theConfigKeyNamesTheBackend() {
        assertThat(StateBackendKind.parse(DataflowConfig.STATE_BACKEND.defaultValue()))
                .isEqualTo(StateBackendKind.HEAP);
        assertThat(StateBackendKind.parse("RocksDB")).isEqualTo(StateBackendKind.ROCKSDB);
        assertThat(DataflowConfig.KEYS).contains(DataflowConfig.STATE_BACKEND);
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withStateBackend(StateBackendKind.ROCKSDB));
        assertThat(flow.toGraph().stateBackend()).isEqualTo(StateBackendKind.ROCKSDB);
    }
}
