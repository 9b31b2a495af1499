package dev.cairn.dataflow.internal.runtime;

/** One consumer of an operator's output: a chained operator or an exchange. */
public interface Downstream<T> {
    void accept(T value, long timestamp);

    void watermark(long watermark);

    void idleness(boolean idle);
}
