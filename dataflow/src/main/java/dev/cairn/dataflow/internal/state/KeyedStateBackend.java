package dev.cairn.dataflow.internal.state;

import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.internal.runtime.KeyGroupRange;
import dev.cairn.dataflow.state.KeyedStateStore;

/**
 * The keyed state of one operator instance: state handles that act on the current key, which
 * the operator sets before calling user code. Implemented on the heap
 * ({@link HeapKeyedStateBackend}) and in RocksDB ({@link RocksDbKeyedStateBackend}).
 * Single-threaded, like its operator.
 */
public interface KeyedStateBackend<K> extends KeyedStateStore {
    /** Computes the key's group and makes it current. */
    void setCurrentKey(K key);

    /** Makes {@code key}, of group {@code keyGroup}, current. */
    void setCurrentKey(K key, int keyGroup);

    K currentKey();

    int currentKeyGroup();

    KeyGroupRange keyGroups();

    Codec<K> keyCodec();
}
