package dev.cairn.dataflow;

import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.internal.operators.Totals;

/**
 * A key and the sum of a long over its records: what {@link KeyedStream#count} and
 * {@link KeyedStream#sum} emit.
 */
public record Total<K>(K key, long total) {
    /**
     * The codec of totals whose keys {@code keyCodec} encodes: the key's encoding, then the total
     * in eight bytes (big-endian, sign bit flipped, so that encodings sort as key, then total).
     */
    public static <K> Codec<Total<K>> codec(Codec<K> keyCodec) {
        return new Totals.TotalCodec<>(keyCodec);
    }
}
