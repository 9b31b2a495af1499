package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.OutputTag;
import dev.cairn.dataflow.StateBackendKind;
import dev.cairn.dataflow.functions.Collector;
import dev.cairn.dataflow.functions.KeySelector;
import dev.cairn.dataflow.functions.KeyedProcessFunction;
import dev.cairn.dataflow.internal.checkpoint.AsyncSnapshotPart;
import dev.cairn.dataflow.internal.graph.OperatorFactory;
import dev.cairn.dataflow.internal.state.HeapKeyedStateBackend;
import dev.cairn.dataflow.internal.state.KeyedStateBackend;
import dev.cairn.dataflow.internal.state.RocksDbKeyedStateBackend;
import dev.cairn.dataflow.internal.state.StateCodecs;
import dev.cairn.dataflow.internal.state.TimerQueue;
import dev.cairn.dataflow.internal.state.VoidNamespace;
import java.io.IOException;

/**
 * Runs a {@link KeyedProcessFunction}: keyed state in a heap or RocksDB backend (as the job's
 * {@link OperatorContext#stateBackend} says), timers per key on the heap. The
 * operator is its own context, collector and timer service, so a record costs no allocation.
 *
 * <p>Checkpoints ({@link KeyedCheckpoints}) hold the watermark, every state the function declared
 * (with the descriptors' codecs) and both kinds of timers, per key group. The function declares
 * its states in {@link KeyedProcessFunction#open}; a restore runs after that, so a state it no
 * longer declares fails the restore by name.
 */
public final class KeyedProcessOperator<K, T, O> extends StreamOperator<O>
        implements OneInputOperator<T>,
                KeyedProcessFunction.Context<K, O>,
                KeyedProcessFunction.TimerService,
                Collector<O>,
                CheckpointedOperator {

    public record Factory<K, T, O>(
            KeySelector<T, K> keySelector, Codec<K> keyCodec, KeyedProcessFunction<K, T, O> function)
            implements OperatorFactory {
        public Factory {
            keyCodec = CodecReference.of(keyCodec);
        }

        @Override
        public String kind() {
            return "keyed process " + function.getClass().getSimpleName();
        }

        @Override
        public StreamOperator<?> create() {
            return new KeyedProcessOperator<>(this);
        }
    }

    private final KeySelector<T, K> keySelector;
    private final Codec<K> keyCodec;
    private final KeyedProcessFunction<K, T, O> function;
    private KeyedStateBackend<K> backend;
    /** The heap backend: all state, or (with RocksDB) only the keys of the timers' snapshots. */
    private HeapKeyedStateBackend<K> heap;

    private RocksDbKeyedStateBackend<K> rocks;
    private AsyncSnapshotPart asyncPart;
    private KeyedTimers<K, VoidNamespace> timers;
    private long timestamp;
    private final KeyedTimers.Handler<K, VoidNamespace> onTimer = this::fire;
    private final KeyedCheckpoints restored = new KeyedCheckpoints();

    KeyedProcessOperator(Factory<K, T, O> factory) {
        this.keySelector = factory.keySelector();
        this.keyCodec = factory.keyCodec();
        this.function = FunctionCopies.copy(factory.function());
    }

    @Override
    public void open() throws Exception {
        heap = new HeapKeyedStateBackend<>(name(), keyCodec, context.keyGroups(), context.maxParallelism());
        if (context.stateBackend() == StateBackendKind.ROCKSDB) {
            rocks = new RocksDbKeyedStateBackend<>(
                    name(),
                    keyCodec,
                    context.keyGroups(),
                    context.maxParallelism(),
                    RocksDbKeyedStateBackend.defaultWorkingDirectory(),
                    context.checkpointStorage());
            backend = rocks;
        } else {
            backend = heap;
        }
        timers = new KeyedTimers<>(backend);
        function.open(backend);
        currentWatermark = rocks == null
                ? restored.restore(heap, timers.queues(), StateCodecs.VOID, currentWatermark)
                : restored.restoreRocks(rocks, heap, timers.queues(), StateCodecs.VOID, currentWatermark);
    }

    @Override
    public void snapshotState(long checkpointId, BytesOut out) throws IOException {
        if (rocks == null) {
            KeyedCheckpoints.write(currentWatermark, heap, timers.queues(), StateCodecs.VOID, out);
        } else {
            asyncPart = KeyedCheckpoints.writeRocks(
                    checkpointId, currentWatermark, rocks, heap, timers.queues(), StateCodecs.VOID, out);
        }
    }

    @Override
    public AsyncSnapshotPart takeAsyncPart() {
        AsyncSnapshotPart part = asyncPart;
        asyncPart = null;
        return part;
    }

    @Override
    public void checkpointComplete(long checkpointId) {
        if (rocks != null) rocks.checkpointComplete(checkpointId);
    }

    @Override
    public void close() {
        if (rocks != null) rocks.close();
    }

    /** May be called more than once, with snapshots of several subtasks: see {@link KeyedCheckpoints}. */
    @Override
    public void restoreState(BytesIn in) {
        restored.add(in);
    }

    /** The heap state backend (without state when the job keeps it in RocksDB), for tests. */
    public HeapKeyedStateBackend<K> backend() {
        return heap;
    }

    /** The RocksDB state backend, or null when state is on the heap; for tests. */
    public RocksDbKeyedStateBackend<K> rocksBackend() {
        return rocks;
    }

    @Override
    public void processElement(T value, long timestamp) throws Exception {
        backend.setCurrentKey(keySelector.getKey(value));
        this.timestamp = timestamp;
        function.processElement(value, this, this);
    }

    @Override
    public void processWatermark(long watermark) throws Exception {
        if (watermark <= currentWatermark) return; // restored ahead of the rewound inputs
        currentWatermark = watermark;
        timers.advanceWatermark(watermark, onTimer);
        output.emitWatermark(watermark);
    }

    @Override
    public void onProcessingTime(long now) throws Exception {
        timers.advanceProcessingTime(now, onTimer);
    }

    private void fire(TimerQueue.Timer<K, VoidNamespace> timer, boolean eventTime) throws Exception {
        timestamp = eventTime ? timer.time() : Output.NO_TIMESTAMP;
        function.onTimer(timer.time(), this, this);
    }

    @Override
    public void collect(O value) {
        output.emit(value, timestamp);
    }

    @Override
    public long timestamp() {
        return timestamp;
    }

    @Override
    public K currentKey() {
        return backend.currentKey();
    }

    @Override
    public KeyedProcessFunction.TimerService timerService() {
        return this;
    }

    @Override
    public <X> void output(OutputTag<X> tag, X value) {
        output.emitSide(tag, value, timestamp);
    }

    @Override
    public long currentWatermark() {
        return currentWatermark;
    }

    @Override
    public long currentProcessingTime() {
        return context.clock().millis();
    }

    @Override
    public void registerEventTimeTimer(long time) {
        timers.registerEventTime(time, VoidNamespace.INSTANCE);
    }

    @Override
    public void registerProcessingTimeTimer(long time) {
        timers.registerProcessingTime(time, VoidNamespace.INSTANCE);
    }

    @Override
    public void deleteEventTimeTimer(long time) {
        timers.deleteEventTime(time, VoidNamespace.INSTANCE);
    }

    @Override
    public void deleteProcessingTimeTimer(long time) {
        timers.deleteProcessingTime(time, VoidNamespace.INSTANCE);
    }
}
