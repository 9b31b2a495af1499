package dev.cairn.dataflow;

import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.functions.AggregateFunction;
import dev.cairn.dataflow.functions.ProcessWindowFunction;
import dev.cairn.dataflow.functions.ReduceFunction;
import dev.cairn.dataflow.internal.operators.WindowContents;
import dev.cairn.dataflow.internal.operators.WindowOperator;
import dev.cairn.dataflow.window.WindowAssigner;
import java.time.Duration;

/**
 * A keyed stream cut into event-time windows. A window fires when the watermark reaches its end
 * minus one: every record of the window that was on time is in it. Then:
 * <ul>
 *   <li>without allowed lateness its state is dropped, and later records of it are late;
 *   <li>with allowed lateness {@code L} its state is kept until the watermark passes
 *       {@code end - 1 + L}; each record arriving in between fires the window again with all its
 *       records (an update of the earlier result).
 * </ul>
 * Late records (their every window already past the lateness) are dropped, or sent to the side
 * output set with {@link #sideOutputLateData}. Results carry the timestamp {@code end - 1}.
 */
public final class WindowedStream<K, T> {
    private final KeyedStream<K, T> keyed;
    private final WindowAssigner assigner;
    private long allowedLatenessMillis;
    private OutputTag<T> lateDataTag;

    WindowedStream(KeyedStream<K, T> keyed, WindowAssigner assigner) {
        this.keyed = keyed;
        this.assigner = assigner;
    }

    public WindowedStream<K, T> allowedLateness(Duration lateness) {
        if (lateness.isNegative())
            throw new IllegalArgumentException("allowed lateness must not be negative: " + lateness);
        allowedLatenessMillis = lateness.toMillis();
        return this;
    }

    public WindowedStream<K, T> sideOutputLateData(OutputTag<T> tag) {
        lateDataTag = tag;
        return this;
    }

    /** Reduces each window incrementally; emits the reduction when the window fires. */
    public Stream<T> reduce(ReduceFunction<T> function) {
        return build("WindowReduce", WindowContents.reducing(function, keyed.input.codec), keyed.input.codec);
    }

    /** Aggregates each window incrementally; emits the result when the window fires. */
    public <A, R> Stream<R> aggregate(
            AggregateFunction<T, A, R> function, Codec<A> accumulatorCodec, Codec<R> outCodec) {
        return build("WindowAggregate", WindowContents.aggregating(function, accumulatorCodec), outCodec);
    }

    /**
     * Aggregates each window incrementally, and when it fires hands the result to
     * {@code windowFunction} (with the key and window) as its only element.
     */
    public <A, V, R> Stream<R> aggregate(
            AggregateFunction<T, A, V> function,
            ProcessWindowFunction<V, R, K> windowFunction,
            Codec<A> accumulatorCodec,
            Codec<R> outCodec) {
        return build(
                "WindowAggregate", WindowContents.aggregating(function, windowFunction, accumulatorCodec), outCodec);
    }

    /** Keeps every record of each window and hands them all to {@code function} when it fires. */
    public <R> Stream<R> process(ProcessWindowFunction<T, R, K> function, Codec<R> outCodec) {
        return build("WindowProcess", WindowContents.buffering(function, keyed.input.codec), outCodec);
    }

    private <A, R> Stream<R> build(String name, WindowContents<K, T, A, R> contents, Codec<R> outCodec) {
        return keyed.partitioned()
                .oneInput(
                        name,
                        new WindowOperator.Factory<>(
                                keyed.keySelector,
                                keyed.keyCodec,
                                assigner,
                                allowedLatenessMillis,
                                lateDataTag,
                                contents),
                        outCodec);
    }
}
