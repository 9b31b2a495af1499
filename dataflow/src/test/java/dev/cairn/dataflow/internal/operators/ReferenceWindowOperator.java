package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.OutputTag;
import dev.cairn.dataflow.functions.Collector;
import dev.cairn.dataflow.functions.KeySelector;
import dev.cairn.dataflow.functions.ProcessWindowFunction;
import dev.cairn.dataflow.internal.state.HeapKeyedStateBackend;
import dev.cairn.dataflow.internal.state.KeyedStateSnapshot;
import dev.cairn.dataflow.internal.state.StateTable;
import dev.cairn.dataflow.internal.state.TimerQueue;
import dev.cairn.dataflow.window.TimeWindow;
import dev.cairn.dataflow.window.WindowAssigner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The window operator as it was before aligned windows got their own path (a state table keyed by
 * key then window, two timers per key and window): the reference that {@link
 * WindowEquivalenceTest} checks the operator against, results and snapshots alike.
 */
final class ReferenceWindowOperator<K, T, A, R> extends StreamOperator<R>
        implements OneInputOperator<T>, ProcessWindowFunction.Context, Collector<R>, CheckpointedOperator {
    private static final String CONTENTS = "window-contents";
    static final Codec<TimeWindow> WINDOW_CODEC = WindowOperator.WINDOW_CODEC;

    private final KeySelector<T, K> keySelector;
    private final Codec<K> keyCodec;
    private final WindowAssigner assigner;
    private final WindowAssigner.Tumbling tumbling;
    private final long lateness;
    private final OutputTag<T> lateDataTag;
    private final WindowContents<K, T, A, R> contents;
    private HeapKeyedStateBackend<K> backend;
    private StateTable<K, TimeWindow, A> windows;
    private KeyedTimers<K, TimeWindow> timers;
    private final KeyedTimers.Handler<K, TimeWindow> onTimer = this::onTimer;
    private TimeWindow firing;
    private long droppedLateRecords;
    private byte[] restored;

    ReferenceWindowOperator(WindowOperator.Factory<K, T, A, R> factory) {
        keySelector = factory.keySelector();
        keyCodec = factory.keyCodec();
        assigner = factory.assigner();
        tumbling = assigner instanceof WindowAssigner.Tumbling t ? t : null;
        lateness = factory.allowedLatenessMillis();
        lateDataTag = factory.lateDataTag();
        contents = FunctionCopies.copy(factory.contents());
    }

    @Override
    public void open() {
        backend = new HeapKeyedStateBackend<>(name(), keyCodec, context.keyGroups(), context.maxParallelism());
        windows = backend.table(CONTENTS);
        timers = new KeyedTimers<>(backend);
        Codec<A> stateCodec = contents.stateCodec();
        if (stateCodec != null) backend.declareCodecs(CONTENTS, WINDOW_CODEC, stateCodec);
        if (restored != null) {
            BytesIn in = new BytesIn(restored);
            currentWatermark = in.readLong();
            KeyedStateSnapshot.read(backend, timers.queues(), WINDOW_CODEC, in);
            restored = null;
        }
    }

    /**
     * The watermark (so records late before the failure stay late after it), then window
     * contents and timers per key group ({@link KeyedStateSnapshot}).
     */
    @Override
    public void snapshotState(long checkpointId, BytesOut out) {
        out.writeLong(currentWatermark);
        KeyedStateSnapshot.write(backend, timers.queues(), WINDOW_CODEC, out);
    }

    @Override
    public void restoreState(BytesIn in) {
        restored = new byte[in.remaining()];
        System.arraycopy(in.array(), in.position(), restored, 0, restored.length);
    }

    /** The state backend, for tests. */
    public HeapKeyedStateBackend<K> backend() {
        return backend;
    }

    /** Records dropped as late because no side output was set. */
    public long droppedLateRecords() {
        return droppedLateRecords;
    }

    @Override
    public void processElement(T value, long timestamp) throws Exception {
        if (timestamp == Output.NO_TIMESTAMP) {
            throw new IllegalStateException(
                    "record without a timestamp reached an event-time window; call assignTimestamps upstream");
        }
        K key = keySelector.getKey(value);
        backend.setCurrentKey(key);
        boolean added;
        if (tumbling != null) {
            long start = tumbling.windowStart(timestamp);
            added = addTo(new TimeWindow(start, start + tumbling.sizeMillis()), value);
        } else if (assigner.isMerging()) {
            added = addToSession(assigner.assignWindows(timestamp).get(0), value);
        } else {
            added = false;
            for (TimeWindow w : assigner.assignWindows(timestamp)) added |= addTo(w, value);
        }
        if (!added) {
            if (lateDataTag != null) output.emitSide(lateDataTag, value, timestamp);
            else droppedLateRecords++;
        }
    }

    private long cleanupTime(TimeWindow w) {
        long t = w.maxTimestamp() + lateness;
        return t < w.maxTimestamp() ? Long.MAX_VALUE : t;
    }

    private boolean isLate(TimeWindow w) {
        return cleanupTime(w) <= currentWatermark;
    }

    /** Adds to a non-merging window; false if the window is late. */
    private boolean addTo(TimeWindow w, T value) throws Exception {
        if (isLate(w)) return false;
        K key = backend.currentKey();
        int keyGroup = backend.currentKeyGroup();
        A state = windows.get(key, keyGroup, w);
        A next = contents.add(state, value);
        @SuppressWarnings("ReferenceEquality") // identity is meant: an accumulator updated in place needs no put
        boolean replaced = next != state;
        if (replaced) windows.put(key, keyGroup, w, next);
        if (state == null) registerTimers(w);
        if (w.maxTimestamp() <= currentWatermark) fire(w, next);
        return true;
    }

    private boolean addToSession(TimeWindow fresh, T value) throws Exception {
        K key = backend.currentKey();
        int keyGroup = backend.currentKeyGroup();
        TimeWindow merged = fresh;
        List<TimeWindow> overlapping = new ArrayList<>();
        for (TimeWindow w : windows.namespaces(key, keyGroup).keySet()) {
            if (w.intersects(fresh)) {
                overlapping.add(w);
                merged = merged.cover(w);
            }
        }
        if (isLate(merged)) return false;
        A state = null;
        for (TimeWindow w : overlapping) {
            A old = windows.get(key, keyGroup, w);
            state = state == null ? old : contents.merge(state, old);
            windows.remove(key, keyGroup, w);
            deleteTimers(w);
        }
        A next = contents.add(state, value);
        windows.put(key, keyGroup, merged, next);
        registerTimers(merged);
        if (merged.maxTimestamp() <= currentWatermark) fire(merged, next);
        return true;
    }

    private void registerTimers(TimeWindow w) {
        timers.registerEventTime(w.maxTimestamp(), w);
        if (lateness > 0) timers.registerEventTime(cleanupTime(w), w);
    }

    private void deleteTimers(TimeWindow w) {
        timers.deleteEventTime(w.maxTimestamp(), w);
        if (lateness > 0) timers.deleteEventTime(cleanupTime(w), w);
    }

    @Override
    public void processWatermark(long watermark) throws Exception {
        currentWatermark = watermark;
        timers.advanceWatermark(watermark, onTimer);
        output.emitWatermark(watermark);
    }

    private void onTimer(TimerQueue.Timer<K, TimeWindow> timer, boolean eventTime) throws Exception {
        TimeWindow w = timer.namespace();
        K key = timer.key();
        A state = windows.get(key, timer.keyGroup(), w);
        if (state == null) return;
        if (timer.time() == w.maxTimestamp()) fire(w, state);
        if (timer.time() == cleanupTime(w)) windows.remove(key, timer.keyGroup(), w);
    }

    private void fire(TimeWindow w, A state) throws Exception {
        firing = w;
        contents.emit(backend.currentKey(), state, this, this);
        firing = null;
    }

    @Override
    public void collect(R value) {
        output.emit(value, firing.maxTimestamp());
    }

    @Override
    public TimeWindow window() {
        return firing;
    }

    @Override
    public long currentWatermark() {
        return currentWatermark;
    }

    @Override
    public <X> void output(OutputTag<X> tag, X value) {
        output.emitSide(tag, value, firing.maxTimestamp());
    }

    /** The windows the current state holds for {@code key}, for tests. */
    public Map<TimeWindow, A> windowsOf(K key) {
        backend.setCurrentKey(key);
        return windows.namespaces(key, backend.currentKeyGroup());
    }
}
