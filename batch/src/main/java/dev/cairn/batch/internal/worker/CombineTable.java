package dev.cairn.batch.internal.worker;

import java.util.Arrays;

/**
 * The map-side pre-aggregation table: an open-addressing hash table (linear probing) from key to
 * combined value, with each slot's hash kept beside it so most probes never touch the key.
 * Compared with a {@code HashMap} it allocates nothing per key and chases one pointer less per
 * lookup, which matters: word count spends most of its map time here. Not thread-safe; never
 * removes single keys (it is drained whole).
 */
final class CombineTable<K, V> {
    @FunctionalInterface
    interface Fold<V> {
        V apply(V left, V right) throws Exception;
    }

    @FunctionalInterface
    interface Sink<K, V> {
        void accept(K key, V value) throws Exception;
    }

    private Object[] keys;
    private Object[] values;
    private int[] hashes;
    private int mask;
    private int size;

    CombineTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        allocate(Math.min(capacity, 1 << 30));
    }

    private void allocate(int capacity) {
        keys = new Object[capacity];
        values = new Object[capacity];
        hashes = new int[capacity];
        mask = capacity - 1;
    }

    /** Adds {@code value} under {@code key}, folding it into the value already there. */
    @SuppressWarnings("unchecked")
    void merge(K key, V value, Fold<V> fold) throws Exception {
        int h = key.hashCode();
        h ^= h >>> 16;
        int i = h & mask;
        while (true) {
            Object k = keys[i];
            if (k == null) {
                keys[i] = key;
                values[i] = value;
                hashes[i] = h;
                if (++size * 2 > keys.length) grow();
                return;
            }
            if (hashes[i] == h && java.util.Objects.equals(k, key)) {
                values[i] = fold.apply((V) values[i], value);
                return;
            }
            i = (i + 1) & mask;
        }
    }

    int size() {
        return size;
    }

    /** Hands every entry to {@code sink} and empties the table. */
    @SuppressWarnings("unchecked")
    void drain(Sink<K, V> sink) throws Exception {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) sink.accept((K) keys[i], (V) values[i]);
        }
        Arrays.fill(keys, null);
        Arrays.fill(values, null);
        size = 0;
    }

    private void grow() {
        Object[] oldKeys = keys;
        Object[] oldValues = values;
        int[] oldHashes = hashes;
        allocate(keys.length * 2);
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] == null) continue;
            int i = oldHashes[j] & mask;
            while (keys[i] != null) i = (i + 1) & mask;
            keys[i] = oldKeys[j];
            values[i] = oldValues[j];
            hashes[i] = oldHashes[j];
        }
    }
}
