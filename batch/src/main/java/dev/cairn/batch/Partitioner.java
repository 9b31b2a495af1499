package dev.cairn.batch;

/**
 * Chooses the reduce partition of an intermediate key. Must be a pure function of the key, the
 * same on every node. The default hashes the key's encoded bytes.
 */
@FunctionalInterface
public interface Partitioner<K> {
    /** Returns a partition in {@code [0, numPartitions)}. */
    int partition(K key, int numPartitions);
}
