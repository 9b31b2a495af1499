package dev.cairn.dataflow;

import dev.cairn.dataflow.functions.SinkFunction;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The records a collect sink received in the last execution of its dataflow, in arrival order
 * per subtask (interleaved between subtasks). Only for in-JVM execution and tests: everything is
 * held in memory.
 */
public final class CollectedResult<T> {
    // The sink's subtasks get serialized copies of the sink function; they find their result here by id.
    private static final Map<String, WeakReference<CollectedResult<?>>> LIVE = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();

    private final String id = "collect-" + IDS.incrementAndGet();
    private final List<T> records = Collections.synchronizedList(new ArrayList<>());

    CollectedResult() {
        LIVE.put(id, new WeakReference<>(this));
    }

    void clear() {
        records.clear();
    }

    /** A copy of what was collected so far. */
    public List<T> get() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    SinkFunction<T> sink() {
        return new CollectSink<>(id);
    }

    /** Finds its result by id, so it can be shipped to subtasks like any sink. */
    private record CollectSink<T>(String resultId) implements SinkFunction<T> {
        @Override
        @SuppressWarnings("unchecked") // the id names the CollectedResult<T> that created this sink
        public void invoke(T value, long timestamp) {
            WeakReference<CollectedResult<?>> ref = LIVE.get(resultId);
            CollectedResult<?> result = ref == null ? null : ref.get();
            if (result == null) throw new IllegalStateException("collected result " + resultId + " is gone");
            ((CollectedResult<T>) result).records.add(value);
        }
    }
}
