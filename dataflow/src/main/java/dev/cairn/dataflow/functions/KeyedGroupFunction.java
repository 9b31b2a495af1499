package dev.cairn.dataflow.functions;

import java.io.Serializable;

/**
 * Called once per key with all of that key's records (batch mode): Spark's {@code groupByKey}
 * followed by a function of the group, or MapReduce's reduce.
 */
@FunctionalInterface
public interface KeyedGroupFunction<K, T, O> extends Serializable {
    void apply(K key, Iterable<T> records, Collector<O> out) throws Exception;
}
