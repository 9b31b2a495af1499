package dev.cairn.dataflow.internal.batch;

import dev.cairn.dataflow.functions.Collector;
import dev.cairn.dataflow.functions.KeySelector;
import dev.cairn.dataflow.functions.KeyedCoGroupFunction;
import dev.cairn.dataflow.internal.graph.OperatorFactory;
import dev.cairn.dataflow.internal.operators.StreamOperator;
import dev.cairn.dataflow.internal.operators.TwoInputOperator;
import java.util.ArrayList;
import java.util.List;

/**
 * An unwindowed join of two keyed inputs, co-grouped key by key: a sort-merge join. Batch mode
 * delivers both inputs merged in key order (the shuffle sorts each by key, and the stage merges
 * its parents), so this holds one key's records of both sides at a time and calls the function
 * when the key's records end ({@link KeyGrouped}). A key held by one side only is co-grouped with nothing, so outer joins
 * see it. In a stream the same join would need all of both inputs in state: it is refused there
 * ({@link Factory#create}); joins of streams are windowed.
 */
public final class SortedCoGroup<K, L, R, O> extends KeyGroupedOperator<O>
        implements TwoInputOperator<L, R>, Collector<O> {
    /**
     * The operator, created only in batch mode.
     *
     * @param function the co-group, for the sort-merge form
     * @param pairs for an inner or left outer join, the function of each pair (the co-group calls
     *     it), so that the planner may run the join as a broadcast hash join instead; null for a
     *     general co-group
     * @param leftOuter whether the join keeps left records without a match (paired with null)
     * @param keyCodec the keys' codec (both sides encode keys alike)
     */
    public record Factory<K, L, R, O>(
            KeySelector<L, K> leftKey,
            KeySelector<R, K> rightKey,
            KeyedCoGroupFunction<K, L, R, O> function,
            dev.cairn.dataflow.functions.JoinFunction<L, R, O> pairs,
            boolean leftOuter,
            dev.cairn.common.codec.Codec<K> keyCodec)
            implements OperatorFactory {
        public Factory {
            keyCodec = dev.cairn.dataflow.internal.operators.CodecReference.of(keyCodec);
        }

        @Override
        public String kind() {
            return pairs == null ? "co-group" : leftOuter ? "left outer join" : "join";
        }

        /** The stream form: an unbounded join would keep every record forever. */
        @Override
        public StreamOperator<?> create() {
            throw new IllegalStateException(
                    "an unwindowed join runs in batch mode (RuntimeMode.BATCH, submit --mode batch);"
                            + " in a stream, join within windows (join(...).window(...))");
        }

        StreamOperator<?> createSorted() {
            return new SortedCoGroup<>(this);
        }
    }

    private final Factory<K, L, R, O> factory;
    private final List<L> left = new ArrayList<>();
    private final List<R> right = new ArrayList<>();
    private boolean inKey;
    private K currentKey;
    private long timestamp;

    private SortedCoGroup(Factory<K, L, R, O> factory) {
        this.factory = factory;
    }

    @Override
    public void processElement1(L value, long timestamp) throws Exception {
        keyOf(factory.leftKey().getKey(value), timestamp);
        left.add(value);
    }

    @Override
    public void processElement2(R value, long timestamp) throws Exception {
        keyOf(factory.rightKey().getKey(value), timestamp);
        right.add(value);
    }

    private void keyOf(K key, long timestamp) {
        if (!inKey) {
            inKey = true;
            currentKey = key;
            this.timestamp = timestamp;
        }
        this.timestamp = Math.max(this.timestamp, timestamp);
    }

    @Override
    void emitCurrent() throws Exception {
        if (!inKey) return;
        inKey = false;
        factory.function().coGroup(currentKey, left, right, this);
        left.clear();
        right.clear();
        currentKey = null;
    }

    @Override
    public void collect(O value) {
        output.emit(value, timestamp);
    }
}
