package dev.cairn.dataflow.internal.state;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.internal.runtime.KeyGroupRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes and reads the keyed state of one operator instance — every state table of a
 * {@link HeapKeyedStateBackend} and its timers — one key group at a time, so that a restore can
 * take exactly the key groups its subtask owns (and, after a rescale, key groups another subtask
 * wrote). Format:
 *
 * <pre>
 * i32 key groups
 * per key group: i32 key group, i32 byte length, then
 *   i32 tables; per table: string name, i32 keys; per key: key, i32 namespaces; per namespace: namespace, value
 *   per timer queue: i32 timers; per timer: i64 time, key, namespace
 * </pre>
 *
 * Keys, namespaces and values are encoded with the declared codecs
 * ({@link HeapKeyedStateBackend#codecsOf}). Encoding runs on the operator's thread at the
 * barrier, so the bytes are a consistent copy; storing them is asynchronous.
 */
public final class KeyedStateSnapshot {
    private KeyedStateSnapshot() {}

    /** Writes every key group of {@code backend}'s range, with the given timer queues. */
    public static <K, N> void write(
            HeapKeyedStateBackend<K> backend, List<TimerQueue<K, N>> timers, Codec<N> timerNamespace, BytesOut out) {
        KeyGroupRange range = backend.keyGroups();
        out.writeInt(range.size());
        BytesOut group = new BytesOut();
        List<List<TimerQueue.Timer<K, N>>> timersByQueue = new ArrayList<>();
        for (TimerQueue<K, N> q : timers) timersByQueue.add(q.live());
        for (int kg = range.first(); kg < range.first() + range.size(); kg++) {
            group.reset();
            writeKeyGroup(backend, kg, timersByQueue, timerNamespace, group);
            out.writeInt(kg);
            out.writeInt(group.size());
            out.write(group.array(), 0, group.size());
        }
    }

    @SuppressWarnings("unchecked") // each table's codecs were declared with its types
    private static <K, N> void writeKeyGroup(
            HeapKeyedStateBackend<K> backend,
            int keyGroup,
            List<List<TimerQueue.Timer<K, N>>> timers,
            Codec<N> timerNamespace,
            BytesOut out) {
        Codec<K> keyCodec = backend.keyCodec();
        Map<String, StateTable<K, ?, ?>> tables = backend.tables();
        out.writeInt(tables.size());
        for (Map.Entry<String, StateTable<K, ?, ?>> t : tables.entrySet()) {
            HeapKeyedStateBackend.TableCodecs<?, ?> codecs = backend.codecsOf(t.getKey());
            Codec<Object> ns = (Codec<Object>) codecs.namespace();
            Codec<Object> value = (Codec<Object>) codecs.value();
            Codecs.STRING.encode(t.getKey(), out);
            Map<K, ? extends Map<?, ?>> group = t.getValue().keyGroup(keyGroup);
            out.writeInt(group.size());
            for (Map.Entry<K, ? extends Map<?, ?>> e : group.entrySet()) {
                keyCodec.encode(e.getKey(), out);
                out.writeInt(e.getValue().size());
                for (Map.Entry<?, ?> v : e.getValue().entrySet()) {
                    ns.encode(v.getKey(), out);
                    value.encode(v.getValue(), out);
                }
            }
        }
        for (List<TimerQueue.Timer<K, N>> queue : timers) {
            int count = 0;
            for (TimerQueue.Timer<K, N> timer : queue) if (timer.keyGroup() == keyGroup) count++;
            out.writeInt(count);
            for (TimerQueue.Timer<K, N> timer : queue) {
                if (timer.keyGroup() != keyGroup) continue;
                out.writeLong(timer.time());
                keyCodec.encode(timer.key(), out);
                timerNamespace.encode(timer.namespace(), out);
            }
        }
    }

    /**
     * Restores the key groups of {@code in} that lie in {@code backend}'s range into it and the
     * timer queues; skips the others. Tables must have their codecs declared first.
     */
    public static <K, N> void read(
            HeapKeyedStateBackend<K> backend, List<TimerQueue<K, N>> timers, Codec<N> timerNamespace, BytesIn in) {
        int groups = in.readInt();
        for (int i = 0; i < groups; i++) {
            int kg = in.readInt();
            int length = in.readInt();
            int end = in.position() + length;
            if (backend.keyGroups().contains(kg)) readKeyGroup(backend, kg, timers, timerNamespace, in);
            in.position(end);
        }
    }

    private static <K, N> void readKeyGroup(
            HeapKeyedStateBackend<K> backend,
            int keyGroup,
            List<TimerQueue<K, N>> timers,
            Codec<N> timerNamespace,
            BytesIn in) {
        Codec<K> keyCodec = backend.keyCodec();
        int tables = in.readInt();
        for (int t = 0; t < tables; t++) {
            String name = Codecs.STRING.decode(in);
            HeapKeyedStateBackend.TableCodecs<?, ?> codecs = backend.codecsOf(name);
            StateTable<K, Object, Object> table = backend.table(name);
            int keys = in.readInt();
            for (int k = 0; k < keys; k++) {
                K key = keyCodec.decode(in);
                int namespaces = in.readInt();
                for (int n = 0; n < namespaces; n++) {
                    Object ns = codecs.namespace().decode(in);
                    Object value = codecs.value().decode(in);
                    table.put(key, keyGroup, ns, value);
                }
            }
        }
        for (TimerQueue<K, N> queue : timers) {
            int count = in.readInt();
            for (int c = 0; c < count; c++) {
                long time = in.readLong();
                K key = keyCodec.decode(in);
                N ns = timerNamespace.decode(in);
                queue.register(new TimerQueue.Timer<>(time, key, keyGroup, ns));
            }
        }
    }
}
