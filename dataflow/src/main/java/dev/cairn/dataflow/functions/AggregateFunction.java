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

    /** Combines two accumulators (for merging windows); by default unsupported. */
    default A merge(A a, A b) throws Exception {
        throw new UnsupportedOperationException(
                getClass().getName() + " does not implement merge, needed by merging windows");
    }
}
