package dev.cairn.dataflow;

import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.functions.AggregateFunction;
import dev.cairn.dataflow.functions.KeySelector;
import dev.cairn.dataflow.functions.KeyedGroupFunction;
import dev.cairn.dataflow.functions.KeyedProcessFunction;
import dev.cairn.dataflow.functions.ReduceFunction;
import dev.cairn.dataflow.functions.ToLongFunction;
import dev.cairn.dataflow.internal.batch.SortedGroup;
import dev.cairn.dataflow.internal.graph.Partitioning;
import dev.cairn.dataflow.internal.operators.KeyedProcessOperator;
import dev.cairn.dataflow.internal.operators.RollingAggregation;
import dev.cairn.dataflow.internal.operators.Totals;
import dev.cairn.dataflow.window.WindowAssigner;

/**
 * A stream partitioned by key: the next operator's subtask for a record is decided by the key's
 * key group, and that operator keeps state and timers per key. Keys must have a deterministic
 * encoding in their codec (every built-in codec does).
 */
public final class KeyedStream<K, T> {
    final Stream<T> input;
    final KeySelector<T, K> keySelector;
    final Codec<K> keyCodec;

    KeyedStream(Stream<T> input, KeySelector<T, K> keySelector, Codec<K> keyCodec) {
        this.input = input;
        this.keySelector = keySelector;
        this.keyCodec = keyCodec;
    }

    public Codec<K> keyCodec() {
        return keyCodec;
    }

    /** The input as the edge into a keyed operator: partitioned by key group. */
    Stream<T> partitioned() {
        return new Stream<>(
                input.flow,
                input.nodeId,
                input.sideTag,
                input.codec,
                new Partitioning.KeyGroupHash<>(keySelector, keyCodec));
    }

    /**
     * A rolling reduce: for each record, the reduction of all records of its key so far (the first
     * record of a key is emitted as is).
     */
    public Stream<T> reduce(ReduceFunction<T> function) {
        return process(RollingAggregation.reducing(function, input.codec), input.codec)
                .name("Reduce");
    }

    /**
     * A rolling count per key: for each record, its key's {@link Total} of records so far. In
     * batch mode, one total per key. Counting is a {@link #sum} of one per record, and as fast.
     */
    public Stream<Total<K>> count() {
        return sum(new Totals.One<>()).name("Count");
    }

    /**
     * A rolling sum per key of {@code value}, a long of each record: for each record, its key's
     * {@link Total} so far (overflow wraps, as long addition does). In batch mode, one total per
     * key; the sum then runs on encoded keys: each task adds up its records' values in a hash
     * table of the keys' encodings and long totals, not of key objects, and ships one record per
     * key (or, past a bound on the keys it holds, lets the shuffle's sort add the rest up as
     * bytes). So the keys need no {@code equals} or {@code hashCode}: keys are equal when their
     * encodings are. The function must be serializable (a lambda is).
     */
    public Stream<Total<K>> sum(ToLongFunction<T> value) {
        Codec<Total<K>> codec = Total.codec(keyCodec);
        return input.map(new Totals.ToTotal<>(keySelector, value), codec)
                .name("Sum")
                .keyBy(new Totals.KeyOf<K>(), keyCodec)
                .reduce(new Totals.Add<>())
                .name("Sum");
    }

    /**
     * Each key's records at once, handed to {@code function} (batch mode only: a stream's groups
     * never end). The records of one key are held in memory while it runs; prefer {@link #reduce}
     * or {@link #aggregate}, which combine as they go (and before the shuffle), where they can.
     */
    public <R> Stream<R> reduceGroup(KeyedGroupFunction<K, T, R> function, Codec<R> outCodec) {
        int id = input.flow.addOperator(
                "ReduceGroup",
                input.flow.parallelismOf(input.nodeId),
                1,
                new SortedGroup.Factory<>(keySelector, function));
        input.flow.connect(partitioned(), id, 0);
        return new Stream<>(input.flow, id, null, outCodec);
    }

    /** A rolling aggregate: for each record, the result over all records of its key so far. */
    public <A, R> Stream<R> aggregate(
            AggregateFunction<T, A, R> function, Codec<A> accumulatorCodec, Codec<R> outCodec) {
        return process(RollingAggregation.aggregating(function, accumulatorCodec), outCodec)
                .name("Aggregate");
    }

    /** The general keyed operation: the function's state and timers are per key. */
    public <R> Stream<R> process(KeyedProcessFunction<K, T, R> function, Codec<R> outCodec) {
        return partitioned()
                .oneInput(
                        "KeyedProcess", new KeyedProcessOperator.Factory<>(keySelector, keyCodec, function), outCodec);
    }

    /** Groups each key's records into event-time windows. */
    public WindowedStream<K, T> window(WindowAssigner assigner) {
        return new WindowedStream<>(this, assigner);
    }

    /** Joins with {@code other} on the key, within windows (see {@link JoinedStreams}). */
    public <R> JoinedStreams<K, T, R> join(KeyedStream<K, R> other) {
        return new JoinedStreams<>(this, other);
    }

    /**
     * Joins with {@code other} on the key, pairing records whose timestamps are close: see
     * {@link IntervalJoin}.
     */
    public <R> IntervalJoin<K, T, R> intervalJoin(KeyedStream<K, R> other) {
        return new IntervalJoin<>(this, other);
    }
}
