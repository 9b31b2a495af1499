package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.functions.AggregateFunction;
import dev.cairn.dataflow.functions.Collector;
import dev.cairn.dataflow.functions.KeyedProcessFunction;
import dev.cairn.dataflow.functions.ReduceFunction;
import dev.cairn.dataflow.state.KeyedStateStore;
import dev.cairn.dataflow.state.StateDescriptor;
import dev.cairn.dataflow.state.ValueState;

/**
 * Rolling reduce and aggregate of a keyed stream, written as keyed process functions on value
 * state: the built-ins use the same extension point as user code. They are named classes so that
 * the batch planner can recognize them and run them as one result per key instead.
 */
public final class RollingAggregation {
    private RollingAggregation() {}

    public static <K, T> KeyedProcessFunction<K, T, T> reducing(ReduceFunction<T> function, Codec<T> valueCodec) {
        return new Reducing<>(function, CodecReference.of(valueCodec));
    }

    public static <K, T, A, R> KeyedProcessFunction<K, T, R> aggregating(
            AggregateFunction<T, A, R> function, Codec<A> codec) {
        return new Aggregating<>(function, CodecReference.of(codec));
    }

    /** For each record, the reduction of its key's records so far. */
    public static final class Reducing<K, T> extends KeyedProcessFunction<K, T, T> {
        private static final long serialVersionUID = 1L;
        private final ReduceFunction<T> function;
        private final Codec<T> codec;
        private transient ValueState<T> state;

        Reducing(ReduceFunction<T> function, Codec<T> codec) {
            this.function = function;
            this.codec = codec;
        }

        public ReduceFunction<T> function() {
            return function;
        }

        @Override
        public void open(KeyedStateStore store) {
            state = store.valueState(StateDescriptor.value("reduce", codec));
        }

        @Override
        public void processElement(T value, Context<K, T> context, Collector<T> out) throws Exception {
            T current = state.value();
            T next = current == null ? value : function.reduce(current, value);
            state.update(next);
            out.collect(next);
        }
    }

    /** Each key's first record, once: the stream form of {@code distinct}; in batch mode, a reduce keeping the first. */
    public static final class FirstOfKey<K, T> extends KeyedProcessFunction<K, T, T> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<Boolean> seen;

        @Override
        public void open(KeyedStateStore store) {
            seen = store.valueState(StateDescriptor.value("seen", dev.cairn.common.codec.Codecs.BOOLEAN));
        }

        @Override
        public void processElement(T value, Context<K, T> context, Collector<T> out) throws Exception {
            if (seen.value() != null) return;
            seen.update(true);
            out.collect(value);
        }
    }

    /** For each record, the aggregate of its key's records so far. */
    public static final class Aggregating<K, T, A, R> extends KeyedProcessFunction<K, T, R> {
        private static final long serialVersionUID = 1L;
        private final AggregateFunction<T, A, R> function;
        private final Codec<A> accumulatorCodec;
        private transient ValueState<A> state;

        Aggregating(AggregateFunction<T, A, R> function, Codec<A> accumulatorCodec) {
            this.function = function;
            this.accumulatorCodec = accumulatorCodec;
        }

        public AggregateFunction<T, A, R> function() {
            return function;
        }

        @Override
        public void open(KeyedStateStore store) {
            state = store.valueState(StateDescriptor.value("aggregate", accumulatorCodec));
        }

        @Override
        public void processElement(T value, Context<K, R> context, Collector<R> out) throws Exception {
            A current = state.value();
            A next = function.add(value, current == null ? function.createAccumulator() : current);
            state.update(next);
            out.collect(function.getResult(next));
        }
    }
}
