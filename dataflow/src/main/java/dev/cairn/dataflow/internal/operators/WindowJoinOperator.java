package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.functions.CoGroupFunction;
import dev.cairn.dataflow.functions.Collector;
import dev.cairn.dataflow.functions.JoinFunction;
import dev.cairn.dataflow.functions.KeySelector;
import dev.cairn.dataflow.internal.graph.OperatorFactory;
import dev.cairn.dataflow.internal.state.HeapKeyedStateBackend;
import dev.cairn.dataflow.internal.state.StateCodecs;
import dev.cairn.dataflow.internal.state.StateTable;
import dev.cairn.dataflow.internal.state.TimerQueue;
import dev.cairn.dataflow.window.TimeWindow;
import dev.cairn.dataflow.window.WindowAssigner;
import java.util.ArrayList;
import java.util.List;

/**
 * Window join (co-group) of two keyed streams: per key and window, the records of each side in a
 * list; when the watermark reaches the window's end minus one, both lists go to the function and
 * are dropped. Records for windows already fired are late and dropped.
 *
 * <p>Checkpoints ({@link KeyedCheckpoints}) hold the watermark, both sides' lists per key and
 * window (with the sides' record codecs) and the windows' timers, per key group.
 */
public final class WindowJoinOperator<K, L, R, O> extends StreamOperator<O>
        implements TwoInputOperator<L, R>, Collector<O>, CheckpointedOperator {
    private static final String LEFT = "join-left";
    private static final String RIGHT = "join-right";

    public record Factory<K, L, R, O>(
            KeySelector<L, K> leftKey,
            KeySelector<R, K> rightKey,
            Codec<K> keyCodec,
            Codec<L> leftCodec,
            Codec<R> rightCodec,
            WindowAssigner assigner,
            CoGroupFunction<K, L, R, O> function)
            implements OperatorFactory {
        public Factory {
            keyCodec = CodecReference.of(keyCodec);
            leftCodec = CodecReference.of(leftCodec);
            rightCodec = CodecReference.of(rightCodec);
        }

        @Override
        public String kind() {
            return "window join " + assigner;
        }

        @Override
        public StreamOperator<?> create() {
            return new WindowJoinOperator<>(this);
        }
    }

    /** An inner join as a co-group: every pair, left-major. */
    public static <K, L, R, O> CoGroupFunction<K, L, R, O> innerJoin(JoinFunction<L, R, O> join) {
        return (key, window, left, right, out) -> {
            for (L l : left) for (R r : right) out.collect(join.join(l, r));
        };
    }

    private final Factory<K, L, R, O> factory;
    private final CoGroupFunction<K, L, R, O> function;
    private HeapKeyedStateBackend<K> backend;
    private StateTable<K, TimeWindow, List<L>> lefts;
    private StateTable<K, TimeWindow, List<R>> rights;
    private KeyedTimers<K, TimeWindow> timers;
    private final KeyedTimers.Handler<K, TimeWindow> onTimer = this::onTimer;
    private long outputTimestamp;
    private long droppedLateRecords;
    private final KeyedCheckpoints restored = new KeyedCheckpoints();

    WindowJoinOperator(Factory<K, L, R, O> factory) {
        this.factory = factory;
        this.function = FunctionCopies.copy(factory.function());
    }

    @Override
    public void open() {
        backend =
                new HeapKeyedStateBackend<>(name(), factory.keyCodec(), context.keyGroups(), context.maxParallelism());
        lefts = backend.table(LEFT);
        rights = backend.table(RIGHT);
        backend.declareCodecs(LEFT, WindowOperator.WINDOW_CODEC, StateCodecs.list(factory.leftCodec()));
        backend.declareCodecs(RIGHT, WindowOperator.WINDOW_CODEC, StateCodecs.list(factory.rightCodec()));
        timers = new KeyedTimers<>(backend);
        currentWatermark = restored.restore(backend, timers.queues(), WindowOperator.WINDOW_CODEC, currentWatermark);
    }

    @Override
    public void snapshotState(long checkpointId, BytesOut out) {
        KeyedCheckpoints.write(currentWatermark, backend, timers.queues(), WindowOperator.WINDOW_CODEC, out);
    }

    /** May be called more than once, with snapshots of several subtasks: see {@link KeyedCheckpoints}. */
    @Override
    public void restoreState(BytesIn in) {
        restored.add(in);
    }

    public long droppedLateRecords() {
        return droppedLateRecords;
    }

    @Override
    public void processElement1(L value, long timestamp) throws Exception {
        backend.setCurrentKey(factory.leftKey().getKey(value));
        add(lefts, value, timestamp);
    }

    @Override
    public void processElement2(R value, long timestamp) throws Exception {
        backend.setCurrentKey(factory.rightKey().getKey(value));
        add(rights, value, timestamp);
    }

    private <V> void add(StateTable<K, TimeWindow, List<V>> side, V value, long timestamp) {
        if (timestamp == Output.NO_TIMESTAMP) {
            throw new IllegalStateException(
                    "record without a timestamp reached a window join; call assignTimestamps upstream");
        }
        K key = backend.currentKey();
        int keyGroup = backend.currentKeyGroup();
        boolean added = false;
        for (TimeWindow w : factory.assigner().assignWindows(timestamp)) {
            if (w.maxTimestamp() <= currentWatermark) continue;
            added = true;
            List<V> list = side.get(key, keyGroup, w);
            if (list == null) {
                list = new ArrayList<>();
                side.put(key, keyGroup, w, list);
                timers.registerEventTime(w.maxTimestamp(), w);
            }
            list.add(value);
        }
        if (!added) droppedLateRecords++;
    }

    @Override
    public void processWatermark(long watermark) throws Exception {
        if (watermark <= currentWatermark) return; // restored ahead of the rewound inputs
        currentWatermark = watermark;
        timers.advanceWatermark(watermark, onTimer);
        output.emitWatermark(watermark);
    }

    private void onTimer(TimerQueue.Timer<K, TimeWindow> timer, boolean eventTime) throws Exception {
        TimeWindow w = timer.namespace();
        K key = timer.key();
        int keyGroup = timer.keyGroup();
        List<L> left = lefts.get(key, keyGroup, w);
        List<R> right = rights.get(key, keyGroup, w);
        lefts.remove(key, keyGroup, w);
        rights.remove(key, keyGroup, w);
        outputTimestamp = w.maxTimestamp();
        function.coGroup(key, w, left == null ? List.of() : left, right == null ? List.of() : right, this);
    }

    @Override
    public void collect(O value) {
        output.emit(value, outputTimestamp);
    }
}
