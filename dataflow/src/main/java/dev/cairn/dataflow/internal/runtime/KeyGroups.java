package dev.cairn.dataflow.internal.runtime;

import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;

/**
 * Key to key group to subtask. A key's group is the murmur3 hash of its encoding (so equal keys
 * agree on every JVM, whatever their {@code hashCode}) modulo the max parallelism; key group
 * {@code g} belongs to subtask {@code g * parallelism / maxParallelism}, i.e. each subtask owns a
 * contiguous range ({@link KeyGroupRange#forSubtask}). Rescaling moves whole ranges.
 */
public final class KeyGroups {
    public static final int DEFAULT_MAX_PARALLELISM = 128;

    private KeyGroups() {}

    public static int subtaskFor(int keyGroup, int maxParallelism, int parallelism) {
        return keyGroup * parallelism / maxParallelism;
    }

    /** The key group of {@code key}; {@code scratch} is reset and used for the encoding. */
    public static <K> int keyGroupOf(K key, Codec<K> codec, int maxParallelism, BytesOut scratch) {
        scratch.reset();
        codec.encode(key, scratch);
        return Math.floorMod(murmur3(scratch.array(), 0, scratch.size(), 0x9747b28c), maxParallelism);
    }

    /** MurmurHash3 x86 32-bit. */
    static int murmur3(byte[] data, int offset, int length, int seed) {
        int h = seed;
        int end = offset + (length & ~3);
        for (int i = offset; i < end; i += 4) {
            int k = (data[i] & 0xff)
                    | (data[i + 1] & 0xff) << 8
                    | (data[i + 2] & 0xff) << 16
                    | (data[i + 3] & 0xff) << 24;
            h ^= mixK(k);
            h = Integer.rotateLeft(h, 13) * 5 + 0xe6546b64;
        }
        int tail = length & 3;
        if (tail > 0) {
            int k = 0;
            if (tail == 3) k ^= (data[end + 2] & 0xff) << 16;
            if (tail >= 2) k ^= (data[end + 1] & 0xff) << 8;
            k ^= data[end] & 0xff;
            h ^= mixK(k);
        }
        h ^= length;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    private static int mixK(int k) {
        k *= 0xcc9e2d51;
        k = Integer.rotateLeft(k, 15);
        return k * 0x1b873593;
    }
}
