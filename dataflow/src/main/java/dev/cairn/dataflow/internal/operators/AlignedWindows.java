package dev.cairn.dataflow.internal.operators;

import dev.cairn.dataflow.window.TimeWindow;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * The contents of aligned (tumbling and sliding) windows, window first: per window, a hash table
 * of key to state. Aligned windows are the same for every key, so the window operator keeps its
 * timers per window rather than per key and window, and firing a window walks one table and then
 * drops it.
 *
 * <p>Window {@code i} is {@code [offset + i * slide, offset + i * slide + size)} (tumbling:
 * {@code slide == size}); a record's windows are found by arithmetic, without allocating. The few
 * live windows sit in a tree by index, with a small direct-mapped cache in front of it so that
 * a record finds its windows without boxing. Each entry remembers its key group, for snapshots.
 */
final class AlignedWindows<K, A> {
    /** The state of one key in one window. */
    static final class Entry<K, A> {
        final K key;
        final int hash;
        final int keyGroup;
        A state;
        /** Added after the window fired: fires once more at the next watermark. */
        boolean refire;

        Entry<K, A> next;

        Entry(K key, int hash, int keyGroup) {
            this.key = key;
            this.hash = hash;
            this.keyGroup = keyGroup;
        }
    }

    /** One window: its keys' states and where its firing stands. */
    static final class Slot<K, A> {
        final long index;
        final TimeWindow window;
        /** The watermark has passed {@code window.maxTimestamp()} and every key in it fired. */
        boolean fired;
        /** Entries added after the window fired, waiting to fire again at the next watermark. */
        final List<Entry<K, A>> refires = new ArrayList<>(0);

        private Entry<K, A>[] table;
        private int size;

        @SuppressWarnings("unchecked") // a fresh array of the erased entry type
        Slot(long index, TimeWindow window, int expectedKeys) {
            this.index = index;
            this.window = window;
            int capacity = 16;
            while (capacity - (capacity >>> 2) < expectedKeys && capacity < 1 << 30) capacity <<= 1;
            table = (Entry<K, A>[]) new Entry<?, ?>[capacity];
        }

        Entry<K, A> get(K key, int hash) {
            for (Entry<K, A> e = table[hash & (table.length - 1)]; e != null; e = e.next) {
                if (e.hash == hash && e.key.equals(key)) return e;
            }
            return null;
        }

        /** Adds a new entry; the key must not be in the window yet. */
        Entry<K, A> add(K key, int hash, int keyGroup) {
            if (size >= table.length - (table.length >>> 2)) grow();
            Entry<K, A> e = new Entry<>(key, hash, keyGroup);
            int i = hash & (table.length - 1);
            e.next = table[i];
            table[i] = e;
            size++;
            return e;
        }

        @SuppressWarnings("unchecked") // a fresh array of the erased entry type
        private void grow() {
            Entry<K, A>[] old = table;
            table = (Entry<K, A>[]) new Entry<?, ?>[old.length * 2];
            int mask = table.length - 1;
            for (Entry<K, A> head : old) {
                for (Entry<K, A> e = head; e != null; ) {
                    Entry<K, A> next = e.next;
                    int i = e.hash & mask;
                    e.next = table[i];
                    table[i] = e;
                    e = next;
                }
            }
        }

        int size() {
            return size;
        }

        /** Every entry, in no particular order; the window must not change meanwhile. */
        void forEach(EntryAction<K, A> action) throws Exception {
            for (Entry<K, A> head : table) {
                for (Entry<K, A> e = head; e != null; e = e.next) action.accept(e);
            }
        }

        /** Every entry, in no particular order, into a new list. */
        List<Entry<K, A>> entries() {
            List<Entry<K, A>> all = new ArrayList<>(size);
            for (Entry<K, A> head : table) {
                for (Entry<K, A> e = head; e != null; e = e.next) all.add(e);
            }
            return all;
        }
    }

    interface EntryAction<K, A> {
        void accept(Entry<K, A> entry) throws Exception;
    }

    static int hash(Object key) {
        int h = key.hashCode();
        return h ^ (h >>> 16);
    }

    private static final int CACHE = 32;

    private final long size;
    private final long slide;
    private final long offset;
    private final TreeMap<Long, Slot<K, A>> slots = new TreeMap<>();
    private int lastDroppedSize;

    @SuppressWarnings("unchecked") // a fresh array of the erased slot type
    private final Slot<K, A>[] cache = (Slot<K, A>[]) new Slot<?, ?>[CACHE];

    AlignedWindows(long size, long slide, long offset) {
        this.size = size;
        this.slide = slide;
        this.offset = offset;
    }

    long size() {
        return size;
    }

    long slide() {
        return slide;
    }

    long offset() {
        return offset;
    }

    long start(long index) {
        return offset + index * slide;
    }

    /** The index of the window starting at {@code start}, which must be aligned. */
    long indexOf(long start) {
        return Math.floorDiv(start - offset, slide);
    }

    /** The window of index {@code index}, or null if it holds no state. */
    Slot<K, A> slot(long index) {
        Slot<K, A> s = cache[(int) (index & (CACHE - 1))];
        if (s != null && s.index == index) return s;
        s = slots.get(index);
        if (s != null) cache[(int) (index & (CACHE - 1))] = s;
        return s;
    }

    /** The window of index {@code index}, created empty if absent. */
    Slot<K, A> slotOrCreate(long index, boolean fired) {
        Slot<K, A> s = slot(index);
        if (s != null) return s;
        long start = start(index);
        // A window comes to hold about as many keys as the last one dropped, or the fullest live
        // one: sized for those, it need not grow.
        int expectedKeys = lastDroppedSize;
        for (Slot<K, A> live : slots.values()) expectedKeys = Math.max(expectedKeys, live.size());
        s = new Slot<>(index, new TimeWindow(start, start + size), expectedKeys);
        s.fired = fired;
        slots.put(index, s);
        cache[(int) (index & (CACHE - 1))] = s;
        return s;
    }

    void remove(Slot<K, A> slot) {
        lastDroppedSize = slot.size();
        slots.remove(slot.index);
        int i = (int) (slot.index & (CACHE - 1));
        if (cache[i] == slot) cache[i] = null;
    }

    /** The live windows, earliest first (read-only view). */
    Collection<Slot<K, A>> slots() {
        return slots.values();
    }

    /** Number of (key, window) entries. */
    long entries() {
        long n = 0;
        for (Slot<K, A> s : slots.values()) n += s.size();
        return n;
    }
}
