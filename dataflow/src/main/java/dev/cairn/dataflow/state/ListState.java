package dev.cairn.dataflow.state;

import java.util.List;

/** A list per key, in insertion order; empty when the key has none. */
public interface ListState<V> {
    void add(V value);

    /** A read-only view of the current key's list; valid until the state is next changed. */
    List<V> get();

    void update(List<V> values);

    void clear();
}
