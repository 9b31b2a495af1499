package dev.cairn.dataflow.functions;

import java.io.Serializable;

/**
 * Incremental aggregation: an accumulator per key (and window) that each input is added to, and a
 * result read from it. The accumulator is stored in keyed state, so it needs a codec where the
 * program is built. {@link #add} may mutate and return the accumulator it was given.
 * {@link #merge} is needed only by merging (session) windows.
 */
public interface AggregateFunction<T, A, R> extends Serializable {
    A createAccumulator();

    A add(T value, A accumulator) throws Exception;

    R getResult(A accumulator) throws Exception;

    /** Combines two accumulators into one: session windows merge, and so do their accumulators. */
    A merge(A a, A b) throws Exception;
}
