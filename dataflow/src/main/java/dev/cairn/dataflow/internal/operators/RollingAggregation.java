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
 * state: the built-ins use the same extension point as user code.
 */
public final class RollingAggregation {
    private RollingAggregation() {}

    public static <K, T> KeyedProcessFunction<K, T, T> reducing(ReduceFunction<T> function, Codec<T> valueCodec) {
        Codec<T> codec = CodecReference.of(valueCodec);
        return new KeyedProcessFunction<>() {
            private static final long serialVersionUID = 1L;
            private transient ValueState<T> state;

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
        };
    }

    public static <K, T, A, R> KeyedProcessFunction<K, T, R> aggregating(
            AggregateFunction<T, A, R> function, Codec<A> codec) {
        Codec<A> accumulatorCodec = CodecReference.of(codec);
        return new KeyedProcessFunction<>() {
            private static final long serialVersionUID = 1L;
            private transient ValueState<A> state;

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
        };
    }
}
