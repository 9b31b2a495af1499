package dev.cairn.dataflow.internal.batch;

import dev.cairn.dataflow.functions.Collector;
import dev.cairn.dataflow.functions.KeySelector;
import dev.cairn.dataflow.functions.KeyedGroupFunction;
import dev.cairn.dataflow.internal.graph.OperatorFactory;
import dev.cairn.dataflow.internal.operators.OneInputOperator;
import dev.cairn.dataflow.internal.operators.StreamOperator;
import java.util.ArrayList;
import java.util.List;

/**
 * All records of a key at once, from input sorted by key: batch mode delivers a keyed exchange
 * key by key and says where each key ends ({@link KeyGrouped}), so this holds one key's records
 * at a time. In a stream a key's group never ends: the stream form is refused ({@link Factory#create}).
 */
public final class SortedGroup<K, T, O> extends KeyGroupedOperator<O> implements OneInputOperator<T>, Collector<O> {
    /** The operator, created only in batch mode. */
    public record Factory<K, T, O>(KeySelector<T, K> key, KeyedGroupFunction<K, T, O> function)
            implements OperatorFactory {
        @Override
        public String kind() {
            return "group";
        }

        /** The stream form: an unbounded stream's groups never end. */
        @Override
        public StreamOperator<?> create() {
            throw new IllegalStateException("reduceGroup runs in batch mode (RuntimeMode.BATCH, submit --mode batch);"
                    + " in a stream, group within windows (window(...).process(...))");
        }

        StreamOperator<?> createSorted() {
            return new SortedGroup<>(this);
        }
    }

    private final Factory<K, T, O> factory;
    private final List<T> records = new ArrayList<>();
    private K currentKey;
    private long timestamp = Long.MIN_VALUE;

    private SortedGroup(Factory<K, T, O> factory) {
        this.factory = factory;
    }

    @Override
    public void processElement(T value, long timestamp) throws Exception {
        if (records.isEmpty()) currentKey = factory.key().getKey(value);
        records.add(value);
        this.timestamp = Math.max(this.timestamp, timestamp);
    }

    @Override
    void emitCurrent() throws Exception {
        if (records.isEmpty()) return;
        factory.function().apply(currentKey, records, this);
        records.clear();
        currentKey = null;
        timestamp = Long.MIN_VALUE;
    }

    @Override
    public void collect(O value) {
        output.emit(value, timestamp);
    }
}
