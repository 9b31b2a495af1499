package dev.cairn.dataflow.functions;

/**
 * Where a function puts its outputs. Valid only during the call that received it. An output
 * carries the timestamp of the input (or timer, or window) being processed.
 */
@FunctionalInterface
public interface Collector<T> {
    /** Emits {@code value} (never null) downstream, synchronously. */
    void collect(T value);
}
