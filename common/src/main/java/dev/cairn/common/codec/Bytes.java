package dev.cairn.common.codec;

import java.util.Arrays;

/**
 * Byte-array helpers for code that sorts, merges and partitions encoded keys without decoding
 * them. Every method reads {@code b[off, off + len)} only.
 */
public final class Bytes {
    private Bytes() {}

    private static final int C1 = 0xcc9e2d51;
    private static final int C2 = 0x1b873593;

    /**
     * Unsigned lexicographic order, a shorter array first when it is a prefix of the other: the
     * order of the values the bytes encode (see {@link Codec}). Negative, zero or positive.
     */
    public static int compare(byte[] a, int aOff, int aLen, byte[] b, int bOff, int bLen) {
        return Arrays.compareUnsigned(a, aOff, aOff + aLen, b, bOff, bOff + bLen);
    }

    /**
     * The first 8 bytes, big-endian, zero-padded. When two prefixes differ as unsigned longs
     * ({@link Long#compareUnsigned}), that difference has the sign of {@link #compare}; when they
     * are equal, only the full compare can tell (the bytes may differ later, or one may be a
     * zero-padded prefix of the other).
     */
    public static long prefix(byte[] b, int off, int len) {
        long v = 0;
        int n = Math.min(8, len);
        for (int i = 0; i < n; i++) v = (v << 8) | (b[off + i] & 0xFF);
        // n == 0 would shift by 64, which Java takes mod 64; v is 0 then anyway.
        return n == 0 ? 0 : v << (8 * (8 - n));
    }

    /**
     * MurmurHash3 x86 32-bit of the bytes with seed 0 (equal to Guava's {@code murmur3_32_fixed()}):
     * well spread, and the same on every JVM and node, as partitioning needs.
     */
    public static int hash(byte[] b, int off, int len) {
        return hash(b, off, len, 0);
    }

    /** MurmurHash3 x86 32-bit of {@code b[off, off + len)} with {@code seed}: the same on every JVM. */
    public static int hash(byte[] b, int off, int len, int seed) {
        int h = seed;
        int end = off + (len & ~3);
        for (int i = off; i < end; i += 4) {
            int k = (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
            h ^= mixK(k);
            h = Integer.rotateLeft(h, 13);
            h = h * 5 + 0xe6546b64;
        }
        int tail = len & 3;
        if (tail > 0) {
            int k = 0;
            for (int i = tail - 1; i >= 0; i--) k = k << 8 | (b[end + i] & 0xFF);
            h ^= mixK(k);
        }
        h ^= len;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    private static int mixK(int k) {
        k *= C1;
        k = Integer.rotateLeft(k, 15);
        return k * C2;
    }
}
