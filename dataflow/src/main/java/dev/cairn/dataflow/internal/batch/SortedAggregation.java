package dev.cairn.dataflow.internal.batch;

import dev.cairn.dataflow.functions.AggregateFunction;
import dev.cairn.dataflow.functions.KeySelector;
import dev.cairn.dataflow.functions.ReduceFunction;
import dev.cairn.dataflow.internal.graph.OperatorFactory;
import dev.cairn.dataflow.internal.operators.OneInputOperator;
import dev.cairn.dataflow.internal.operators.StreamOperator;

/**
 * A keyed reduce or aggregate in batch mode: one result per key, emitted when its key's records
 * end ({@link KeyGrouped}), rather than a rolling result per record. Its input arrives sorted by
 * key (the shuffle sorts by the key's encoding), so it holds one key's accumulator at a time,
 * whatever the number of keys. The result carries the latest timestamp of its key's records.
 */
final class SortedAggregation<T, A, R> extends KeyGroupedOperator<R> implements OneInputOperator<T> {
    /** The batch form of {@code KeyedStream.reduce}. */
    record ReduceFactory<K, T>(KeySelector<T, K> keySelector, ReduceFunction<T> function) implements OperatorFactory {
        @Override
        public String kind() {
            return "sorted reduce";
        }

        @Override
        public StreamOperator<?> create() {
            return new SortedAggregation<T, T, T>(new AggregateFunction<>() {
                private static final long serialVersionUID = 1L;

                @Override
                public T createAccumulator() {
                    return null;
                }

                @Override
                public T add(T value, T accumulator) throws Exception {
                    return accumulator == null ? value : function.reduce(accumulator, value);
                }

                @Override
                public T getResult(T accumulator) {
                    return accumulator;
                }

                @Override
                public T merge(T a, T b) throws Exception {
                    return a == null ? b : b == null ? a : function.reduce(a, b);
                }
            });
        }
    }

    /** The batch form of {@code KeyedStream.aggregate}. */
    record AggregateFactory<K, T, A, R>(KeySelector<T, K> keySelector, AggregateFunction<T, A, R> function)
            implements OperatorFactory {
        @Override
        public String kind() {
            return "sorted aggregate";
        }

        @Override
        public StreamOperator<?> create() {
            return new SortedAggregation<T, A, R>(function);
        }
    }

    private final AggregateFunction<T, A, R> function;
    private boolean inKey;
    private A accumulator;
    private long timestamp;

    SortedAggregation(AggregateFunction<T, A, R> function) {
        this.function = function;
    }

    @Override
    public void processElement(T value, long timestamp) throws Exception {
        if (!inKey) {
            inKey = true;
            accumulator = function.createAccumulator();
            this.timestamp = timestamp;
        }
        accumulator = function.add(value, accumulator);
        this.timestamp = Math.max(this.timestamp, timestamp);
    }

    @Override
    void emitCurrent() throws Exception {
        if (!inKey) return;
        inKey = false;
        output.emit(function.getResult(accumulator), timestamp);
        accumulator = null;
    }
}
