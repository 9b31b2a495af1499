package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.functions.AggregateFunction;
import dev.cairn.dataflow.functions.Collector;
import dev.cairn.dataflow.functions.ProcessWindowFunction;
import dev.cairn.dataflow.functions.ReduceFunction;
import dev.cairn.dataflow.internal.state.StateCodecs;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What a window keeps per key and how it turns that into output: an incremental accumulator
 * (reduce, aggregate) or every element (process). {@code A} is the per-window state.
 */
public abstract class WindowContents<K, T, A, R> implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Adds {@code value} to {@code state} (null for a new window); returns the new state. */
    abstract A add(A state, T value) throws Exception;

    /** Combines the states of two windows that merge. */
    abstract A merge(A a, A b) throws Exception;

    /** The window fired: emit its result. */
    abstract void emit(K key, A state, ProcessWindowFunction.Context context, Collector<R> out) throws Exception;

    /**
     * The codec of a window's state, for checkpoints; null if none was given (then the window
     * operator cannot be checkpointed).
     */
    abstract Codec<A> stateCodec();

    /** Reduces into one value per window; not checkpointable (no codec). */
    public static <K, T> WindowContents<K, T, T, T> reducing(ReduceFunction<T> function) {
        return reducing(function, null);
    }

    /** Reduces into one value per window, encoded with {@code codec} in checkpoints. */
    public static <K, T> WindowContents<K, T, T, T> reducing(ReduceFunction<T> function, Codec<T> codec) {
        Codec<T> stateCodec = codec == null ? null : CodecReference.of(codec);
        return new WindowContents<>() {
            private static final long serialVersionUID = 1L;

            @Override
            Codec<T> stateCodec() {
                return stateCodec;
            }

            @Override
            T add(T state, T value) throws Exception {
                return state == null ? value : function.reduce(state, value);
            }

            @Override
            T merge(T a, T b) throws Exception {
                return function.reduce(a, b);
            }

            @Override
            void emit(K key, T state, ProcessWindowFunction.Context context, Collector<T> out) {
                out.collect(state);
            }
        };
    }

    public static <K, T, A, R> WindowContents<K, T, A, R> aggregating(
            AggregateFunction<T, A, R> function, Codec<A> accumulatorCodec) {
        return new Aggregating<>(function, accumulatorCodec) {
            private static final long serialVersionUID = 1L;

            @Override
            void emit(K key, A state, ProcessWindowFunction.Context context, Collector<R> out) throws Exception {
                out.collect(function.getResult(state));
            }
        };
    }

    public static <K, T, A, V, R> WindowContents<K, T, A, R> aggregating(
            AggregateFunction<T, A, V> function,
            ProcessWindowFunction<V, R, K> windowFunction,
            Codec<A> accumulatorCodec) {
        return new Aggregating<>(function, accumulatorCodec) {
            private static final long serialVersionUID = 1L;

            @Override
            void emit(K key, A state, ProcessWindowFunction.Context context, Collector<R> out) throws Exception {
                windowFunction.process(key, context, List.of(function.getResult(state)), out);
            }
        };
    }

    public static <K, T, R> WindowContents<K, T, List<T>, R> buffering(
            ProcessWindowFunction<T, R, K> function, Codec<T> elementCodec) {
        Codec<T> element = CodecReference.of(elementCodec);
        return new WindowContents<>() {
            private static final long serialVersionUID = 1L;

            @Override
            Codec<List<T>> stateCodec() {
                return StateCodecs.list(element);
            }

            @Override
            List<T> add(List<T> state, T value) {
                List<T> list = state == null ? new ArrayList<>() : state;
                list.add(value);
                return list;
            }

            @Override
            List<T> merge(List<T> a, List<T> b) {
                a.addAll(b);
                return a;
            }

            @Override
            void emit(K key, List<T> state, ProcessWindowFunction.Context context, Collector<R> out) throws Exception {
                function.process(key, context, state, out);
            }
        };
    }

    private abstract static class Aggregating<K, T, A, V, R> extends WindowContents<K, T, A, R> {
        private static final long serialVersionUID = 1L;
        final AggregateFunction<T, A, V> function;
        /** The accumulators' codec: what a snapshot of the window state encodes them with. */
        final Codec<A> accumulatorCodec;

        Aggregating(AggregateFunction<T, A, V> function, Codec<A> accumulatorCodec) {
            this.function = function;
            this.accumulatorCodec = CodecReference.of(accumulatorCodec);
        }

        @Override
        Codec<A> stateCodec() {
            return accumulatorCodec;
        }

        @Override
        A add(A state, T value) throws Exception {
            return function.add(value, state == null ? function.createAccumulator() : state);
        }

        @Override
        A merge(A a, A b) throws Exception {
            return function.merge(a, b);
        }
    }
}
