package dev.cairn.dataflow.functions;

import java.io.Serializable;

/**
 * Called once per key that either side of an unwindowed join has, with all of that key's records
 * of each side (either may be empty): the general form of inner and outer joins, in batch mode.
 */
@FunctionalInterface
public interface KeyedCoGroupFunction<K, L, R, O> extends Serializable {
    void coGroup(K key, Iterable<L> left, Iterable<R> right, Collector<O> out) throws Exception;
}
