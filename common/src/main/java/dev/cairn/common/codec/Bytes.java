package dev.cairn.common.codec;

import java.util.Arrays;

/** Byte-array helpers for code that sorts, merges and partitions encoded keys without decoding them. */
public final class Bytes {
    private Bytes() {}

    /** Unsigned lexicographic order: the order of the values the bytes encode (see {@link Codec}). */
    public static int compare(byte[] a, int aOff, int aLen, byte[] b, int bOff, int bLen) {
        return Arrays.compareUnsigned(a, aOff, aOff + aLen, b, bOff, bOff + bLen);
    }

    /**
     * The first 8 bytes, big-endian, zero-padded: when two prefixes differ as unsigned longs, that
     * difference has the sign of {@link #compare}; when they are equal the full compare decides.
     */
    public static long prefix(byte[] b, int off, int len) {
        long v = 0;
        int n = Math.min(8, len);
        for (int i = 0; i < n; i++) v = (v << 8) | (b[off + i] & 0xFF);
        return v << (8 * (8 - n));
    }

    /** Murmur3 x86 32-bit of the bytes, seed 0: well spread, the same on every JVM and node. */
    public static int hash(byte[] b, int off, int len) {
        final int c1 = 0xcc9e2d51, c2 = 0x1b873593;
        int h = 0;
        int end = off + (len & ~3);
        for (int i = off; i < end; i += 4) {
            int k = (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
            k *= c1;
            k = Integer.rotateLeft(k, 15);
            k *= c2;
            h ^= k;
            h = Integer.rotateLeft(h, 13);
            h = h * 5 + 0xe6546b64;
        }
        int k = 0;
        switch (len & 3) {
            case 3:
                k ^= (b[end + 2] & 0xFF) << 16;
            case 2:
                k ^= (b[end + 1] & 0xFF) << 8;
            case 1:
                k ^= b[end] & 0xFF;
                k *= c1;
                k = Integer.rotateLeft(k, 15);
                k *= c2;
                h ^= k;
            default:
        }
        h ^= len;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
