package dev.cairn.dataflow.internal.batch;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A hash table from byte strings (encoded keys) to a long total and a long timestamp, with no
 * object per key: open addressing with linear probing over a long index holding each slot's hash
 * and entry number, the entries in first-seen order (frequent keys, usually seen first, share
 * cache lines) as five longs each: the key's first sixteen bytes as two little-endian longs (zero
 * padded), the total, the timestamp, and where the key's bytes are in an arena. A key is hashed
 * from those longs (and its further bytes, if longer), and compared by hash, length and the two
 * longs: a key of at most sixteen bytes (a word) is found without a byte comparison or a visit
 * to the arena. It holds at most {@code maxKeys} keys and {@code maxKeyBytes} bytes of them; a
 * key that would pass either bound is refused, so that the caller can pass its record on instead.
 */
final class BytesLongTable {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long MIX = 0x9E3779B97F4A7C15L;
    /** Longs per entry: key0, key1, total, timestamp, arena offset << 32 | length. */
    private static final int STRIDE = 5;

    private final int maxKeys;
    private final int maxKeyBytes;
    /** Per slot: 0 if empty, else the key's hash << 32 | (entry number + 1); a power of two long, at most half full. */
    private long[] slots = new long[1 << 10];

    private long[] entries = new long[STRIDE << 9];
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
        int end = offset + length;
        long k0 = word(key, offset, end);
        long k1 = word(key, offset + 8, end);
        int h = hash(k0, k1, key, offset, length);
        long[] en = entries;
        int mask = slots.length - 1;
        int i = h & mask;
        while (true) {
            long slot = slots[i];
            if (slot == 0) break;
            if ((int) (slot >>> 32) == h) {
                int base = ((int) slot - 1) * STRIDE;
                long where = en[base + 4];
                if (en[base] == k0
                        && en[base + 1] == k1
                        && (int) where == length
                        && (length <= 16 || restEquals(where, key, offset, length))) {
                    en[base + 2] += value;
                    if (timestamp > en[base + 3]) en[base + 3] = timestamp;
                    return true;
                }
            }
            i = (i + 1) & mask;
        }
        if (size >= maxKeys || arenaSize + length > maxKeyBytes || arenaSize + length < 0) return false;
        int e = size++;
        if ((e + 1) * STRIDE > entries.length) entries = Arrays.copyOf(entries, entries.length * 2);
        if (arenaSize + length > arena.length)
            arena = Arrays.copyOf(arena, (int)
                    Math.min(Integer.MAX_VALUE - 16, Math.max(2L * arena.length, (long) arenaSize + length)));
        System.arraycopy(key, offset, arena, arenaSize, length);
        int base = e * STRIDE;
        entries[base] = k0;
        entries[base + 1] = k1;
        entries[base + 2] = value;
        entries[base + 3] = timestamp;
        entries[base + 4] = (long) arenaSize << 32 | length;
        arenaSize += length;
        slots[i] = (long) h << 32 | (e + 1);
        if (size * 2 > slots.length) rehash(slots.length * 2);
        return true;
    }

    /** Whether the bytes of a key longer than sixteen bytes past its sixteenth equal the entry's. */
    private boolean restEquals(long where, byte[] key, int offset, int length) {
        int at = (int) (where >>> 32);
        return Arrays.equals(arena, at + 16, at + length, key, offset + 16, offset + length);
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
        return (int) (entries[e * STRIDE + 4] >>> 32);
    }

    int keyLength(int e) {
        return (int) entries[e * STRIDE + 4];
    }

    long total(int e) {
        return entries[e * STRIDE + 2];
    }

    long timestamp(int e) {
        return entries[e * STRIDE + 3];
    }

    /** Forgets every key, keeping the memory. */
    void clear() {
        Arrays.fill(slots, 0);
        size = 0;
        arenaSize = 0;
    }

    private void rehash(int capacity) {
        long[] next = new long[capacity];
        int mask = capacity - 1;
        for (long slot : slots) {
            if (slot == 0) continue;
            int i = (int) (slot >>> 32) & mask;
            while (next[i] != 0) i = (i + 1) & mask;
            next[i] = slot;
        }
        slots = next;
    }

    /** A hash of the bytes, well mixed in its low bits (the slot index). */
    static int hash(byte[] b, int offset, int length) {
        int end = offset + length;
        return hash(word(b, offset, end), word(b, offset + 8, end), b, offset, length);
    }

    /** The hash of a key whose first sixteen bytes are {@code k0} and {@code k1}. */
    private static int hash(long k0, long k1, byte[] b, int offset, int length) {
        long h = (length * MIX ^ k0) * MIX;
        h = (h ^ k1) * MIX;
        for (int i = offset + 16, end = offset + length; i < end; i += 8) h = (h ^ word(b, i, end)) * MIX;
        h ^= h >>> 29;
        h *= MIX;
        return (int) (h ^ (h >>> 32));
    }

    /** Bytes {@code [from, min(from + 8, end))} of {@code b} as a little-endian long, zero padded; 0 if none. */
    private static long word(byte[] b, int from, int end) {
        int n = end - from;
        if (n >= 8) return (long) LONGS.get(b, from);
        if (n <= 0) return 0;
        if (from + 8 <= b.length) return (long) LONGS.get(b, from) & (-1L >>> (64 - 8 * n));
        long v = 0;
        for (int i = 0; i < n; i++) v |= (b[from + i] & 0xffL) << (8 * i);
        return v;
    }
}
