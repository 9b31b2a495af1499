package dev.cairn.dataflow.internal.batch;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A hash table from byte strings (encoded keys) to a long total and a long timestamp, with no
 * object per key: open addressing with linear probing over an int index of entry numbers, the
 * entries in parallel arrays in first-seen order (frequent keys, usually seen first, share cache
 * lines) and their bytes in one arena. Keys are hashed eight bytes at a time and compared as
 * bytes, after their hash and length. It holds at most {@code maxKeys} keys and
 * {@code maxKeyBytes} bytes of them; a key that would pass either bound is refused, so that the
 * caller can pass its record on instead.
 */
final class BytesLongTable {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long MIX = 0x9E3779B97F4A7C15L;

    private final int maxKeys;
    private final int maxKeyBytes;
    /** Entry number + 1 per slot, 0 for an empty slot; a power of two long, at most half full. */
    private int[] slots = new int[1 << 10];

    private int[] hashes = new int[1 << 9];
    private int[] offsets = new int[1 << 9];
    private int[] lengths = new int[1 << 9];
    private long[] totals = new long[1 << 9];
    private long[] timestamps = new long[1 << 9];
    private byte[] arena = new byte[1 << 12];
    private int arenaSize;
    private int size;

    BytesLongTable(int maxKeys, int maxKeyBytes) {
        if (maxKeys < 1 || maxKeyBytes < 1) throw new IllegalArgumentException("bounds must be positive");
        this.maxKeys = maxKeys;
        this.maxKeyBytes = maxKeyBytes;
    }

    /**
     * Adds {@code value} to the total of the key {@code key[offset, offset + length)} and keeps
     * the greater timestamp; a key not yet held starts at {@code value}. Returns false, changing
     * nothing, if the key is not held and the table is full.
     */
    boolean add(byte[] key, int offset, int length, long value, long timestamp) {
        int h = hash(key, offset, length);
        int mask = slots.length - 1;
        int i = h & mask;
        while (true) {
            int e = slots[i] - 1;
            if (e < 0) break;
            if (hashes[e] == h
                    && lengths[e] == length
                    && Arrays.equals(arena, offsets[e], offsets[e] + length, key, offset, offset + length)) {
                totals[e] += value;
                if (timestamp > timestamps[e]) timestamps[e] = timestamp;
                return true;
            }
            i = (i + 1) & mask;
        }
        if (size >= maxKeys || arenaSize + length > maxKeyBytes || arenaSize + length < 0) return false;
        int e = size++;
        if (e == hashes.length) growEntries();
        if (arenaSize + length > arena.length)
            arena = Arrays.copyOf(arena, (int)
                    Math.min(Integer.MAX_VALUE - 16, Math.max(2L * arena.length, (long) arenaSize + length)));
        System.arraycopy(key, offset, arena, arenaSize, length);
        hashes[e] = h;
        offsets[e] = arenaSize;
        lengths[e] = length;
        totals[e] = value;
        timestamps[e] = timestamp;
        arenaSize += length;
        slots[i] = e + 1;
        if (size * 2 > slots.length) rehash(slots.length * 2);
        return true;
    }

    /** The number of keys held; they are entries {@code 0..size-1}, in the order first added. */
    int size() {
        return size;
    }

    /** The array holding entry {@code e}'s key bytes, from {@link #keyOffset}; valid until the next {@link #add}. */
    byte[] keyArray() {
        return arena;
    }

    int keyOffset(int e) {
        return offsets[e];
    }

    int keyLength(int e) {
        return lengths[e];
    }

    long total(int e) {
        return totals[e];
    }

    long timestamp(int e) {
        return timestamps[e];
    }

    /** Forgets every key, keeping the memory. */
    void clear() {
        Arrays.fill(slots, 0);
        size = 0;
        arenaSize = 0;
    }

    private void growEntries() {
        int n = hashes.length * 2;
        hashes = Arrays.copyOf(hashes, n);
        offsets = Arrays.copyOf(offsets, n);
        lengths = Arrays.copyOf(lengths, n);
        totals = Arrays.copyOf(totals, n);
        timestamps = Arrays.copyOf(timestamps, n);
    }

    private void rehash(int capacity) {
        int[] next = new int[capacity];
        int mask = capacity - 1;
        for (int e = 0; e < size; e++) {
            int i = hashes[e] & mask;
            while (next[i] != 0) i = (i + 1) & mask;
            next[i] = e + 1;
        }
        slots = next;
    }

    /** A hash of the bytes, eight at a time, well mixed in its low bits (the slot index). */
    static int hash(byte[] b, int offset, int length) {
        long h = length * MIX;
        int i = offset;
        int end = offset + length;
        for (; i + 8 <= end; i += 8) h = (h ^ (long) LONGS.get(b, i)) * MIX;
        if (i < end) {
            long tail = 0;
            for (int shift = 0; i < end; i++, shift += 8) tail |= (b[i] & 0xffL) << shift;
            h = (h ^ tail) * MIX;
        }
        h ^= h >>> 29;
        h *= MIX;
        return (int) (h ^ (h >>> 32));
    }
}
