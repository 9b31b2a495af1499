package dev.cairn.dataflow.internal.runtime;

import dev.cairn.common.codec.Bytes;
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
        return keyGroupOfEncoded(scratch.array(), 0, scratch.size(), maxParallelism);
    }

    /** The key group of a key encoded (by its codec) in {@code data[offset, offset + length)}. */
    public static int keyGroupOfEncoded(byte[] data, int offset, int length, int maxParallelism) {
        return Math.floorMod(murmur3(data, offset, length, 0x9747b28c), maxParallelism);
    }

    /** MurmurHash3 x86 32-bit (common's {@link Bytes#hash}). */
    static int murmur3(byte[] data, int offset, int length, int seed) {
        return Bytes.hash(data, offset, length, seed);
    }
}
