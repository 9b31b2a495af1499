package dev.cairn.dataflow.internal.state;

import dev.cairn.dataflow.internal.runtime.KeyGroupRange;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One named piece of keyed state on the heap: per key group, per key, per namespace (a window, or
 * {@link VoidNamespace}), a value. Organized by key group so that a snapshot or a rescale can take
 * one key group at a time ({@link #keyGroup}). Values are held as objects, not encoded.
 */
public final class StateTable<K, N, V> {
    private final String name;
    private final KeyGroupRange range;
    private final List<Map<K, Map<N, V>>> byKeyGroup;

    public StateTable(String name, KeyGroupRange range) {
        this.name = name;
        this.range = range;
        byKeyGroup = new ArrayList<>(range.size());
        for (int i = 0; i < range.size(); i++) byKeyGroup.add(new HashMap<>());
    }

    public String name() {
        return name;
    }

    private Map<K, Map<N, V>> group(int keyGroup) {
        if (!range.contains(keyGroup)) {
            throw new IllegalStateException(
                    "key group " + keyGroup + " is not in this subtask's range " + range + " (state " + name + ")");
        }
        return byKeyGroup.get(keyGroup - range.first());
    }

    public V get(K key, int keyGroup, N namespace) {
        Map<N, V> namespaces = group(keyGroup).get(key);
        return namespaces == null ? null : namespaces.get(namespace);
    }

    public void put(K key, int keyGroup, N namespace, V value) {
        group(keyGroup).computeIfAbsent(key, k -> new HashMap<>(4)).put(namespace, value);
    }

    public void remove(K key, int keyGroup, N namespace) {
        Map<K, Map<N, V>> group = group(keyGroup);
        Map<N, V> namespaces = group.get(key);
        if (namespaces == null) return;
        namespaces.remove(namespace);
        if (namespaces.isEmpty()) group.remove(key);
    }

    /** The namespaces the key has state in (read-only). */
    public Map<N, V> namespaces(K key, int keyGroup) {
        Map<N, V> namespaces = group(keyGroup).get(key);
        return namespaces == null ? Map.of() : Collections.unmodifiableMap(namespaces);
    }

    /** All state of one key group (read-only): what a snapshot of that group writes. */
    public Map<K, Map<N, V>> keyGroup(int keyGroup) {
        return Collections.unmodifiableMap(group(keyGroup));
    }

    /** Number of (key, namespace) entries, for tests and metrics. */
    public long size() {
        long n = 0;
        for (Map<K, Map<N, V>> g : byKeyGroup) for (Map<N, V> m : g.values()) n += m.size();
        return n;
    }
}
