package dev.cairn.dataflow.state;

import java.util.Map;

/** A map per key; empty when the key has none. */
public interface MapState<MK, MV> {
    MV get(MK mapKey);

    void put(MK mapKey, MV value);

    void remove(MK mapKey);

    boolean contains(MK mapKey);

    /** A read-only view of the current key's map; valid until the state is next changed. */
    Map<MK, MV> entries();

    void clear();
}
