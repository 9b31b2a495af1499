package dev.cairn.dataflow.internal.state;

import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.internal.runtime.KeyGroupRange;
import dev.cairn.dataflow.internal.runtime.KeyGroups;
import dev.cairn.dataflow.state.ListState;
import dev.cairn.dataflow.state.MapState;
import dev.cairn.dataflow.state.StateDescriptor;
import dev.cairn.dataflow.state.ValueState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keyed state of one operator instance, on the heap, in {@link StateTable}s organized by key
 * group. The operator sets the current key ({@link #setCurrentKey}) before calling user code; the
 * state handles act on that key. Single-threaded, like its operator.
 */
public final class HeapKeyedStateBackend<K> implements KeyedStateBackend<K> {
    private final String operatorName;
    private final Codec<K> keyCodec;
    private final KeyGroupRange keyGroups;
    private final int maxParallelism;
    private final BytesOut scratch = new BytesOut();
    private final Map<String, StateTable<K, ?, ?>> tables = new LinkedHashMap<>();
    private final Map<String, StateDescriptor> descriptors = new HashMap<>();
    private final Map<String, TableCodecs<?, ?>> codecs = new HashMap<>();
    private K currentKey;
    private int currentKeyGroup = -1;

    public HeapKeyedStateBackend(String operatorName, Codec<K> keyCodec, KeyGroupRange keyGroups, int maxParallelism) {
        this.operatorName = operatorName;
        this.keyCodec = keyCodec;
        this.keyGroups = keyGroups;
        this.maxParallelism = maxParallelism;
    }

    @Override
    public void setCurrentKey(K key) {
        setCurrentKey(key, KeyGroups.keyGroupOf(key, keyCodec, maxParallelism, scratch));
    }

    @Override
    public void setCurrentKey(K key, int keyGroup) {
        if (!keyGroups.contains(keyGroup)) {
            throw new IllegalStateException("operator " + operatorName + " got key " + key + " of key group " + keyGroup
                    + ", outside its range " + keyGroups
                    + ": the key selector is not deterministic, or the key's codec is not");
        }
        currentKey = key;
        currentKeyGroup = keyGroup;
    }

    @Override
    public K currentKey() {
        return currentKey;
    }

    @Override
    public int currentKeyGroup() {
        return currentKeyGroup;
    }

    @Override
    public KeyGroupRange keyGroups() {
        return keyGroups;
    }

    /** The table named {@code name}, created on first use. */
    @SuppressWarnings("unchecked") // one name, one table: the descriptor check below keeps the types of a name fixed
    public <N, V> StateTable<K, N, V> table(String name) {
        return (StateTable<K, N, V>) tables.computeIfAbsent(name, n -> new StateTable<>(n, keyGroups));
    }

    /** Every table, for snapshots and tests. */
    public Map<String, StateTable<K, ?, ?>> tables() {
        return Collections.unmodifiableMap(tables);
    }

    private void declare(StateDescriptor descriptor) {
        StateDescriptor known = descriptors.putIfAbsent(descriptor.name(), descriptor);
        if (known != null && known.getClass() != descriptor.getClass()) {
            throw new IllegalArgumentException("state '" + descriptor.name() + "' of operator " + operatorName
                    + " already exists as " + known.getClass().getSimpleName() + " state");
        }
        if (known == null) {
            Codec<?> value = switch (descriptor) {
                case StateDescriptor.Value<?> v -> v.codec();
                case StateDescriptor.List<?> l -> StateCodecs.list(l.codec());
                case StateDescriptor.Map<?, ?> m -> StateCodecs.map(m.keyCodec(), m.valueCodec());
            };
            codecs.put(descriptor.name(), new TableCodecs<>(StateCodecs.VOID, value));
        }
    }

    /** How a table's namespaces and values are encoded in snapshots. */
    public record TableCodecs<N, V>(Codec<N> namespace, Codec<V> value) {}

    /**
     * Declares the codecs of a table an operator uses directly ({@link #table}), such as window
     * contents; tables behind state descriptors get theirs from the descriptor.
     */
    public <N, V> void declareCodecs(String table, Codec<N> namespace, Codec<V> value) {
        codecs.put(table, new TableCodecs<>(namespace, value));
    }

    /** The codecs of a table, for snapshots. */
    public TableCodecs<?, ?> codecsOf(String table) {
        TableCodecs<?, ?> c = codecs.get(table);
        if (c == null) {
            throw new IllegalStateException("state '" + table + "' of operator " + operatorName
                    + " has no declared codecs, so it cannot be checkpointed");
        }
        return c;
    }

    @Override
    public Codec<K> keyCodec() {
        return keyCodec;
    }

    @Override
    public <V> ValueState<V> valueState(StateDescriptor.Value<V> descriptor) {
        declare(descriptor);
        StateTable<K, VoidNamespace, V> table = table(descriptor.name());
        return new ValueState<>() {
            @Override
            public V value() {
                return table.get(currentKey, currentKeyGroup, VoidNamespace.INSTANCE);
            }

            @Override
            public void update(V value) {
                if (value == null) clear();
                else table.put(currentKey, currentKeyGroup, VoidNamespace.INSTANCE, value);
            }

            @Override
            public void clear() {
                table.remove(currentKey, currentKeyGroup, VoidNamespace.INSTANCE);
            }
        };
    }

    @Override
    public <V> ListState<V> listState(StateDescriptor.List<V> descriptor) {
        declare(descriptor);
        StateTable<K, VoidNamespace, List<V>> table = table(descriptor.name());
        return new ListState<>() {
            @Override
            public void add(V value) {
                List<V> list = table.get(currentKey, currentKeyGroup, VoidNamespace.INSTANCE);
                if (list == null) {
                    list = new ArrayList<>();
                    table.put(currentKey, currentKeyGroup, VoidNamespace.INSTANCE, list);
                }
                list.add(value);
            }

            @Override
            public List<V> get() {
                List<V> list = table.get(currentKey, currentKeyGroup, VoidNamespace.INSTANCE);
                return list == null ? List.of() : Collections.unmodifiableList(list);
            }

            @Override
            public void update(List<V> values) {
                if (values.isEmpty()) clear();
                else table.put(currentKey, currentKeyGroup, VoidNamespace.INSTANCE, new ArrayList<>(values));
            }

            @Override
            public void clear() {
                table.remove(currentKey, currentKeyGroup, VoidNamespace.INSTANCE);
            }
        };
    }

    @Override
    public <MK, MV> MapState<MK, MV> mapState(StateDescriptor.Map<MK, MV> descriptor) {
        declare(descriptor);
        StateTable<K, VoidNamespace, Map<MK, MV>> table = table(descriptor.name());
        return new MapState<>() {
            private Map<MK, MV> map(boolean create) {
                Map<MK, MV> map = table.get(currentKey, currentKeyGroup, VoidNamespace.INSTANCE);
                if (map == null && create) {
                    map = new HashMap<>();
                    table.put(currentKey, currentKeyGroup, VoidNamespace.INSTANCE, map);
                }
                return map;
            }

            @Override
            public MV get(MK mapKey) {
                Map<MK, MV> map = map(false);
                return map == null ? null : map.get(mapKey);
            }

            @Override
            public void put(MK mapKey, MV value) {
                map(true).put(mapKey, value);
            }

            @Override
            public void remove(MK mapKey) {
                Map<MK, MV> map = map(false);
                if (map == null) return;
                map.remove(mapKey);
                if (map.isEmpty()) clear();
            }

            @Override
            public boolean contains(MK mapKey) {
                Map<MK, MV> map = map(false);
                return map != null && map.containsKey(mapKey);
            }

            @Override
            public Map<MK, MV> entries() {
                Map<MK, MV> map = map(false);
                return map == null ? Map.of() : Collections.unmodifiableMap(map);
            }

            @Override
            public void clear() {
                table.remove(currentKey, currentKeyGroup, VoidNamespace.INSTANCE);
            }
        };
    }
}
