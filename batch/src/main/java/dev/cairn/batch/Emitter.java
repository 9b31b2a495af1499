package dev.cairn.batch;

/** Where user functions send their output pairs. Keys and values must not be null. */
@FunctionalInterface
public interface Emitter<K, V> {
    void emit(K key, V value) throws Exception;
}
