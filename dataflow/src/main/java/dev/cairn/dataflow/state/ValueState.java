package dev.cairn.dataflow.state;

/** One value per key; null when the key has none. */
public interface ValueState<V> {
    V value();

    /** Sets the value; null clears it. */
    void update(V value);

    void clear();
}
