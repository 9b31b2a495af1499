package dev.cairn.dataflow.functions;

import java.io.Serializable;

/**
 * Combines two values of the same key (and window) into one. Must be associative; the runtime may
 * combine in any grouping, but always in arrival order per key.
 */
@FunctionalInterface
public interface ReduceFunction<T> extends Serializable {
    T reduce(T accumulated, T value) throws Exception;
}
