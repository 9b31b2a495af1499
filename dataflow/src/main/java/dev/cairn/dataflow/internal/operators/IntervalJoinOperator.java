package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.functions.Collector;
import dev.cairn.dataflow.functions.KeySelector;
import dev.cairn.dataflow.functions.ProcessJoinFunction;
import dev.cairn.dataflow.internal.graph.OperatorFactory;
import dev.cairn.dataflow.internal.state.HeapKeyedStateBackend;
import dev.cairn.dataflow.internal.state.StateCodecs;
import dev.cairn.dataflow.internal.state.StateTable;
import dev.cairn.dataflow.internal.state.TimerQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Interval join: right record b matches left record a of the same key when
 * {@code a.ts + lower <= b.ts <= a.ts + upper}. Each side buffers its records per key by
 * timestamp; an arriving record probes the other side's buffer of its key. A left record is kept
 * until the watermark reaches {@code a.ts + upper}, a right one until it reaches
 * {@code b.ts - lower}: after that no record that can still arrive (timestamp above the watermark)
 * matches it. Records at or below the watermark on arrival are late and dropped.
 *
 * <p>Checkpoints ({@link KeyedCheckpoints}) hold the watermark, both sides' buffers per key and
 * timestamp (with the sides' record codecs) and both sides' cleanup timers, per key group.
 */
public final class IntervalJoinOperator<K, L, R, O> extends StreamOperator<O>
        implements TwoInputOperator<L, R>, Collector<O>, CheckpointedOperator {
    private static final String LEFT = "interval-left";
    private static final String RIGHT = "interval-right";

    public record Factory<K, L, R, O>(
            KeySelector<L, K> leftKey,
            KeySelector<R, K> rightKey,
            Codec<K> keyCodec,
            Codec<L> leftCodec,
            Codec<R> rightCodec,
            long lowerMillis,
            long upperMillis,
            ProcessJoinFunction<L, R, O> function)
            implements OperatorFactory {
        public Factory {
            keyCodec = CodecReference.of(keyCodec);
            leftCodec = CodecReference.of(leftCodec);
            rightCodec = CodecReference.of(rightCodec);
        }

        @Override
        public String kind() {
            return "interval join [" + lowerMillis + ", " + upperMillis + "] ms";
        }

        @Override
        public StreamOperator<?> create() {
            return new IntervalJoinOperator<>(this);
        }
    }

    private final Factory<K, L, R, O> factory;
    private final ProcessJoinFunction<L, R, O> function;
    private HeapKeyedStateBackend<K> backend;
    private StateTable<K, Long, List<L>> lefts;
    private StateTable<K, Long, List<R>> rights;
    private KeyedTimers<K, Long> leftCleanup;
    private KeyedTimers<K, Long> rightCleanup;
    private long outputTimestamp;
    private long droppedLateRecords;
    private final KeyedCheckpoints restored = new KeyedCheckpoints();

    IntervalJoinOperator(Factory<K, L, R, O> factory) {
        this.factory = factory;
        this.function = FunctionCopies.copy(factory.function());
    }

    @Override
    public void open() {
        backend =
                new HeapKeyedStateBackend<>(name(), factory.keyCodec(), context.keyGroups(), context.maxParallelism());
        lefts = backend.table(LEFT);
        rights = backend.table(RIGHT);
        backend.declareCodecs(LEFT, Codecs.LONG, StateCodecs.list(factory.leftCodec()));
        backend.declareCodecs(RIGHT, Codecs.LONG, StateCodecs.list(factory.rightCodec()));
        leftCleanup = new KeyedTimers<>(backend);
        rightCleanup = new KeyedTimers<>(backend);
        currentWatermark = restored.restore(backend, timerQueues(), Codecs.LONG, currentWatermark);
    }

    /** The left side's cleanup timers (event, processing), then the right side's. */
    private List<TimerQueue<K, Long>> timerQueues() {
        List<TimerQueue<K, Long>> queues = new ArrayList<>(leftCleanup.queues());
        queues.addAll(rightCleanup.queues());
        return queues;
    }

    @Override
    public void snapshotState(long checkpointId, BytesOut out) {
        KeyedCheckpoints.write(currentWatermark, backend, timerQueues(), Codecs.LONG, out);
    }

    /** May be called more than once, with snapshots of several subtasks: see {@link KeyedCheckpoints}. */
    @Override
    public void restoreState(BytesIn in) {
        restored.add(in);
    }

    /** The state backend, for tests. */
    public HeapKeyedStateBackend<K> backend() {
        return backend;
    }

    public long droppedLateRecords() {
        return droppedLateRecords;
    }

    @Override
    public void processElement1(L value, long timestamp) throws Exception {
        backend.setCurrentKey(factory.leftKey().getKey(value));
        if (isLate(timestamp)) return;
        K key = backend.currentKey();
        int keyGroup = backend.currentKeyGroup();
        buffer(lefts, leftCleanup, value, timestamp, saturatingAdd(timestamp, factory.upperMillis()));
        for (Map.Entry<Long, List<R>> e : rights.namespaces(key, keyGroup).entrySet()) {
            long rightTs = e.getKey();
            if (rightTs < timestamp + factory.lowerMillis() || rightTs > timestamp + factory.upperMillis()) continue;
            for (R right : e.getValue()) emit(value, right, timestamp, rightTs);
        }
    }

    @Override
    public void processElement2(R value, long timestamp) throws Exception {
        backend.setCurrentKey(factory.rightKey().getKey(value));
        if (isLate(timestamp)) return;
        K key = backend.currentKey();
        int keyGroup = backend.currentKeyGroup();
        buffer(rights, rightCleanup, value, timestamp, saturatingAdd(timestamp, -factory.lowerMillis()));
        for (Map.Entry<Long, List<L>> e : lefts.namespaces(key, keyGroup).entrySet()) {
            long leftTs = e.getKey();
            if (timestamp < leftTs + factory.lowerMillis() || timestamp > leftTs + factory.upperMillis()) continue;
            for (L left : e.getValue()) emit(left, value, leftTs, timestamp);
        }
    }

    private boolean isLate(long timestamp) {
        if (timestamp == Output.NO_TIMESTAMP) {
            throw new IllegalStateException(
                    "record without a timestamp reached an interval join; call assignTimestamps upstream");
        }
        if (timestamp <= currentWatermark) {
            droppedLateRecords++;
            return true;
        }
        return false;
    }

    private static long saturatingAdd(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) return b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        return r;
    }

    private <V> void buffer(
            StateTable<K, Long, List<V>> side,
            KeyedTimers<K, Long> cleanup,
            V value,
            long timestamp,
            long cleanupTime) {
        K key = backend.currentKey();
        int keyGroup = backend.currentKeyGroup();
        List<V> list = side.get(key, keyGroup, timestamp);
        if (list == null) {
            list = new ArrayList<>(2);
            side.put(key, keyGroup, timestamp, list);
            cleanup.registerEventTime(cleanupTime, timestamp);
        }
        list.add(value);
    }

    private void emit(L left, R right, long leftTs, long rightTs) throws Exception {
        outputTimestamp = Math.max(leftTs, rightTs);
        function.processElement(left, right, leftTs, rightTs, this);
    }

    @Override
    public void processWatermark(long watermark) throws Exception {
        if (watermark <= currentWatermark) return; // restored ahead of the rewound inputs
        currentWatermark = watermark;
        leftCleanup.advanceWatermark(watermark, this::dropLeft);
        rightCleanup.advanceWatermark(watermark, this::dropRight);
        output.emitWatermark(watermark);
    }

    private void dropLeft(TimerQueue.Timer<K, Long> timer, boolean eventTime) {
        lefts.remove(timer.key(), timer.keyGroup(), timer.namespace());
    }

    private void dropRight(TimerQueue.Timer<K, Long> timer, boolean eventTime) {
        rights.remove(timer.key(), timer.keyGroup(), timer.namespace());
    }

    @Override
    public void collect(O value) {
        output.emit(value, outputTimestamp);
    }
}
