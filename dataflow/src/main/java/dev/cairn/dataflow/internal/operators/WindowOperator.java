package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.OutputTag;
import dev.cairn.dataflow.functions.Collector;
import dev.cairn.dataflow.functions.KeySelector;
import dev.cairn.dataflow.functions.ProcessWindowFunction;
import dev.cairn.dataflow.internal.graph.OperatorFactory;
import dev.cairn.dataflow.internal.runtime.KeyGroupRange;
import dev.cairn.dataflow.internal.state.HeapKeyedStateBackend;
import dev.cairn.dataflow.internal.state.KeyedStateSnapshot;
import dev.cairn.dataflow.internal.state.StateTable;
import dev.cairn.dataflow.internal.state.TimerQueue;
import dev.cairn.dataflow.window.TimeWindow;
import dev.cairn.dataflow.window.WindowAssigner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Event-time windows of a keyed stream. Every window has two event times: the firing at
 * {@code end - 1} and, with allowed lateness, the cleanup at {@code end - 1 + lateness} (with no
 * lateness both are one).
 *
 * <p>Aligned windows (tumbling, sliding) are the same for every key, so their state is kept window
 * first ({@link AlignedWindows}: window, then key, then the {@link WindowContents}' state) and the
 * operator keeps no timer per key: at each watermark it fires the windows whose time has come,
 * walking each one's keys, and drops each window whole at its cleanup time. Session windows differ
 * per key: their state sits in a state table with the window as namespace, and each key and
 * window has its own timers.
 *
 * <p>A record is late for a window once the watermark has reached the window's cleanup time; it
 * is added to the windows it is not late for, and if none, goes to the late-data side output (or
 * is dropped and counted). A record added to a window whose firing time has passed (within the
 * lateness) fires it again at once, and a key new to such a window once more at the next
 * watermark (its own firing timer, in the general path). Session windows merge on arrival: the
 * new window and every window of the key it overlaps become one, their states merged and their
 * timers replaced.
 *
 * <p>Snapshots have one format for both paths, the general path's (a table per key group, and the
 * timers each key and window has), so a checkpoint restores whichever way it was written.
 */
public final class WindowOperator<K, T, A, R> extends StreamOperator<R>
        implements OneInputOperator<T>, ProcessWindowFunction.Context, Collector<R>, CheckpointedOperator {
    private static final String CONTENTS = "window-contents";

    /** Windows in snapshots: start and end. */
    static final Codec<TimeWindow> WINDOW_CODEC = new Codec<>() {
        @Override
        public String id() {
            return "time-window";
        }

        @Override
        public void encode(TimeWindow w, BytesOut out) {
            out.writeLong(w.start());
            out.writeLong(w.end());
        }

        @Override
        public TimeWindow decode(BytesIn in) {
            return new TimeWindow(in.readLong(), in.readLong());
        }
    };

    public record Factory<K, T, A, R>(
            KeySelector<T, K> keySelector,
            Codec<K> keyCodec,
            WindowAssigner assigner,
            long allowedLatenessMillis,
            OutputTag<T> lateDataTag,
            WindowContents<K, T, A, R> contents)
            implements OperatorFactory {
        public Factory {
            keyCodec = CodecReference.of(keyCodec);
        }

        @Override
        public String kind() {
            return "window " + assigner
                    + (allowedLatenessMillis > 0 ? " lateness " + allowedLatenessMillis + " ms" : "");
        }

        @Override
        public StreamOperator<?> create() {
            return new WindowOperator<>(this);
        }
    }

    private final KeySelector<T, K> keySelector;
    private final Codec<K> keyCodec;
    private final WindowAssigner assigner;
    /** The state of aligned windows; null for sessions. */
    private final AlignedWindows<K, A> aligned;
    /** No aligned window has anything to do before this watermark. */
    private long alignedNextDue = Long.MAX_VALUE;

    private final long lateness;
    private final OutputTag<T> lateDataTag;
    private final WindowContents<K, T, A, R> contents;
    private HeapKeyedStateBackend<K> backend;
    private StateTable<K, TimeWindow, A> windows;
    private KeyedTimers<K, TimeWindow> timers;
    private final KeyedTimers.Handler<K, TimeWindow> onTimer = this::onTimer;
    private TimeWindow firing;
    private long droppedLateRecords;
    private final List<byte[]> restored = new ArrayList<>();

    WindowOperator(Factory<K, T, A, R> factory) {
        keySelector = factory.keySelector();
        keyCodec = factory.keyCodec();
        assigner = factory.assigner();
        aligned = switch (assigner) {
            case WindowAssigner.Tumbling t -> new AlignedWindows<>(t.sizeMillis(), t.sizeMillis(), t.offsetMillis());
            case WindowAssigner.Sliding s -> new AlignedWindows<>(s.sizeMillis(), s.slideMillis(), s.offsetMillis());
            case WindowAssigner.Session s -> null;
        };
        lateness = factory.allowedLatenessMillis();
        lateDataTag = factory.lateDataTag();
        contents = FunctionCopies.copy(factory.contents());
    }

    @Override
    public void open() {
        backend = new HeapKeyedStateBackend<>(name(), keyCodec, context.keyGroups(), context.maxParallelism());
        timers = new KeyedTimers<>(backend);
        if (aligned == null) {
            windows = backend.table(CONTENTS);
            declareCodecs(backend);
        }
        if (!restored.isEmpty()) {
            // The least watermark of the snapshots first: the aligned windows' restore judges by it
            // which windows fired (a key group of a subtask that was behind has not fired them yet).
            long least = Long.MAX_VALUE;
            for (byte[] snapshot : restored) least = Math.min(least, new BytesIn(snapshot).readLong());
            currentWatermark = least;
            for (byte[] snapshot : restored) {
                BytesIn in = new BytesIn(snapshot);
                in.readLong();
                if (aligned == null) KeyedStateSnapshot.read(backend, timers.queues(), WINDOW_CODEC, in);
                else restoreAligned(in);
            }
            restored.clear();
        }
    }

    private void declareCodecs(HeapKeyedStateBackend<K> b) {
        Codec<A> stateCodec = contents.stateCodec();
        if (stateCodec != null) b.declareCodecs(CONTENTS, WINDOW_CODEC, stateCodec);
    }

    /** A backend of this operator's key groups for the aligned windows' snapshots, not kept. */
    private HeapKeyedStateBackend<K> snapshotBackend() {
        HeapKeyedStateBackend<K> b =
                new HeapKeyedStateBackend<>(name(), keyCodec, backend.keyGroups(), context.maxParallelism());
        b.table(CONTENTS);
        declareCodecs(b);
        return b;
    }

    /**
     * The watermark (so records late before the failure stay late after it), then window
     * contents and timers per key group ({@link KeyedStateSnapshot}).
     */
    @Override
    public void snapshotState(long checkpointId, BytesOut out) {
        out.writeLong(currentWatermark);
        if (aligned == null) KeyedStateSnapshot.write(backend, timers.queues(), WINDOW_CODEC, out);
        else snapshotAligned(out);
    }

    /**
     * Writes the aligned windows in the format of the general path: the state per key and window
     * in a table, and the timers each (key, window) would have — the firing if the window has not
     * fired (or the key waits to fire again), the cleanup with lateness.
     */
    private void snapshotAligned(BytesOut out) {
        HeapKeyedStateBackend<K> b = snapshotBackend();
        StateTable<K, TimeWindow, A> table = b.table(CONTENTS);
        TimerQueue<K, TimeWindow> eventTimers = new TimerQueue<>();
        for (AlignedWindows.Slot<K, A> s : aligned.slots()) {
            TimeWindow w = s.window;
            for (AlignedWindows.Entry<K, A> e : s.entries()) {
                table.put(e.key, e.keyGroup, w, e.state);
                if (!s.fired || e.refire) {
                    eventTimers.register(new TimerQueue.Timer<>(w.maxTimestamp(), e.key, e.keyGroup, w));
                }
                if (lateness > 0) eventTimers.register(new TimerQueue.Timer<>(cleanupTime(w), e.key, e.keyGroup, w));
            }
        }
        KeyedStateSnapshot.write(b, List.of(eventTimers, new TimerQueue<>()), WINDOW_CODEC, out);
    }

    /** Reads what {@link #snapshotAligned} wrote, keeping the key groups of this subtask. */
    private void restoreAligned(BytesIn in) {
        HeapKeyedStateBackend<K> b = snapshotBackend();
        TimerQueue<K, TimeWindow> eventTimers = new TimerQueue<>();
        KeyedStateSnapshot.read(b, List.of(eventTimers, new TimerQueue<>()), WINDOW_CODEC, in);
        StateTable<K, TimeWindow, A> table = b.table(CONTENTS);
        KeyGroupRange range = b.keyGroups();
        for (int kg = range.first(); kg < range.first() + range.size(); kg++) {
            for (Map.Entry<K, Map<TimeWindow, A>> byKey : table.keyGroup(kg).entrySet()) {
                K key = byKey.getKey();
                for (Map.Entry<TimeWindow, A> byWindow : byKey.getValue().entrySet()) {
                    AlignedWindows.Slot<K, A> s = alignedSlot(byWindow.getKey());
                    s.add(key, AlignedWindows.hash(key), kg).state = byWindow.getValue();
                }
            }
        }
        for (TimerQueue.Timer<K, TimeWindow> t : eventTimers.live()) {
            TimeWindow w = t.namespace();
            if (t.time() != w.maxTimestamp() || w.maxTimestamp() > currentWatermark) continue;
            AlignedWindows.Slot<K, A> s = aligned.slot(aligned.indexOf(w.start()));
            AlignedWindows.Entry<K, A> e = s == null ? null : s.get(t.key(), AlignedWindows.hash(t.key()));
            if (e != null && !e.refire) {
                e.refire = true;
                s.refires.add(e);
            }
        }
        alignedNextDue = nextAlignedDue();
    }

    private AlignedWindows.Slot<K, A> alignedSlot(TimeWindow w) {
        long index = aligned.indexOf(w.start());
        if (aligned.start(index) != w.start() || w.end() - w.start() != aligned.size()) {
            throw new IllegalStateException(
                    "operator " + name() + " restored window " + w + ", which is not one of " + assigner);
        }
        return aligned.slotOrCreate(index, w.maxTimestamp() <= currentWatermark);
    }

    /**
     * May be called more than once, with the snapshots of several old subtasks after a change of
     * parallelism: {@code open} keeps from each the key groups this subtask owns and takes the
     * least of their watermarks (as {@link KeyedCheckpoints} does).
     */
    @Override
    public void restoreState(BytesIn in) {
        byte[] copy = new byte[in.remaining()];
        System.arraycopy(in.array(), in.position(), copy, 0, copy.length);
        restored.add(copy);
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
        boolean added;
        if (aligned != null) {
            added = addToAligned(key, value, timestamp);
        } else {
            backend.setCurrentKey(key);
            added = addToSession(assigner.assignWindows(timestamp).get(0), value);
        }
        if (!added) {
            if (lateDataTag != null) output.emitSide(lateDataTag, value, timestamp);
            else droppedLateRecords++;
        }
    }

    private long cleanupTime(long maxTimestamp) {
        long t = maxTimestamp + lateness;
        return t < maxTimestamp ? Long.MAX_VALUE : t;
    }

    private long cleanupTime(TimeWindow w) {
        return cleanupTime(w.maxTimestamp());
    }

    private boolean isLate(TimeWindow w) {
        return cleanupTime(w) <= currentWatermark;
    }

    /**
     * Adds to the aligned windows holding {@code timestamp} that are not late (the windows whose
     * start lies in {@code (timestamp - size, alignedStart(timestamp)]}, as {@link
     * WindowAssigner#assignWindows} lists them); false if every one is late. A key new to a window
     * that has fired (within the lateness) fires at once and once more at the next watermark, as
     * its own firing timer would.
     */
    private boolean addToAligned(K key, T value, long timestamp) throws Exception {
        long size = aligned.size();
        long slide = aligned.slide();
        long lastStart = TimeWindow.alignedStart(timestamp, aligned.offset(), slide);
        long first = lastStart;
        while (first - slide > timestamp - size) first -= slide;
        long index = aligned.indexOf(first);
        int hash = AlignedWindows.hash(key);
        int keyGroup = -1;
        boolean added = false;
        for (long start = first; start <= lastStart; start += slide, index++) {
            long maxTimestamp = start + size - 1;
            if (maxTimestamp < start) { // the end overflows, which TimeWindow rejects
                throw new IllegalArgumentException("window end " + (start + size) + " not after start " + start);
            }
            if (cleanupTime(maxTimestamp) <= currentWatermark) continue;
            added = true;
            boolean passed = maxTimestamp <= currentWatermark;
            AlignedWindows.Slot<K, A> s = aligned.slot(index);
            if (s == null) {
                s = aligned.slotOrCreate(index, passed);
                if (maxTimestamp < alignedNextDue) alignedNextDue = maxTimestamp;
            }
            AlignedWindows.Entry<K, A> e = s.get(key, hash);
            if (e != null) {
                keyGroup = e.keyGroup;
            } else {
                if (keyGroup < 0) {
                    backend.setCurrentKey(key);
                    keyGroup = backend.currentKeyGroup();
                }
                e = s.add(key, hash, keyGroup);
                if (passed) {
                    e.refire = true;
                    s.refires.add(e);
                    if (maxTimestamp < alignedNextDue) alignedNextDue = maxTimestamp;
                }
            }
            e.state = contents.add(e.state, value);
            if (passed) fire(s.window, e.key, e.keyGroup, e.state);
        }
        return added;
    }

    /** A due event of an aligned window: its firing (or refiring), or its cleanup. */
    private record Due<K, A>(long time, boolean cleanup, AlignedWindows.Slot<K, A> slot) {}

    /**
     * Fires and drops the aligned windows whose times the watermark has reached, in time order
     * (a window's firing before its cleanup), as their per-key timers would have.
     */
    private void advanceAligned(long watermark) throws Exception {
        if (watermark < alignedNextDue) return;
        List<Due<K, A>> due = new ArrayList<>();
        for (AlignedWindows.Slot<K, A> s : aligned.slots()) {
            long maxTimestamp = s.window.maxTimestamp();
            if (maxTimestamp > watermark) break;
            if (!s.fired || !s.refires.isEmpty()) due.add(new Due<>(maxTimestamp, false, s));
            if (cleanupTime(maxTimestamp) <= watermark) due.add(new Due<>(cleanupTime(maxTimestamp), true, s));
        }
        due.sort((a, b) -> Long.compare(a.time(), b.time())); // stable: a window fires before its cleanup
        for (Due<K, A> d : due) {
            AlignedWindows.Slot<K, A> s = d.slot();
            if (d.cleanup()) {
                aligned.remove(s);
            } else if (!s.fired) {
                s.fired = true;
                s.forEach(e -> fire(s.window, e.key, e.keyGroup, e.state));
            } else {
                for (AlignedWindows.Entry<K, A> e : s.refires) {
                    e.refire = false;
                    fire(s.window, e.key, e.keyGroup, e.state);
                }
                s.refires.clear();
            }
        }
        alignedNextDue = nextAlignedDue();
    }

    private long nextAlignedDue() {
        long next = Long.MAX_VALUE;
        for (AlignedWindows.Slot<K, A> s : aligned.slots()) {
            long maxTimestamp = s.window.maxTimestamp();
            if (maxTimestamp >= next) break; // later windows have nothing due earlier
            next = Math.min(next, !s.fired || !s.refires.isEmpty() ? maxTimestamp : cleanupTime(maxTimestamp));
        }
        return next;
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
        // After a restore the rewound sources send watermarks below the restored one for a while:
        // going back would let a record that was late before the failure count as on time.
        if (watermark < currentWatermark) return;
        currentWatermark = watermark;
        if (aligned != null) advanceAligned(watermark);
        else timers.advanceWatermark(watermark, onTimer);
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

    private void fire(TimeWindow w, K key, int keyGroup, A state) throws Exception {
        backend.setCurrentKey(key, keyGroup);
        fire(w, state);
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
        if (aligned == null) return windows.namespaces(key, backend.currentKeyGroup());
        Map<TimeWindow, A> found = new TreeMap<>();
        for (AlignedWindows.Slot<K, A> s : aligned.slots()) {
            AlignedWindows.Entry<K, A> e = s.get(key, AlignedWindows.hash(key));
            if (e != null) found.put(s.window, e.state);
        }
        return Collections.unmodifiableMap(found);
    }

    /** Number of (key, window) states held, for tests. */
    public long windowStateSize() {
        return aligned == null ? windows.size() : aligned.entries();
    }
}
