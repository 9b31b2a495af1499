package dev.cairn.dataflow.internal.graph;

import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.functions.KeySelector;
import dev.cairn.dataflow.internal.operators.CodecReference;
import java.io.Serializable;

/** How an edge spreads the records of one producer subtask over the consumer subtasks. */
public sealed interface Partitioning extends Serializable {
    /** Producer subtask i to consumer subtask i; needs equal parallelism. Chainable. */
    record Forward() implements Partitioning {}

    /** Round robin over all consumers. */
    record Rebalance() implements Partitioning {}

    /** Every record to every consumer. */
    record Broadcast() implements Partitioning {}

    /**
     * By key: the key's encoding is hashed to a key group in {@code [0, maxParallelism)} and the
     * key group belongs to one consumer by range (see {@code KeyGroups}).
     */
    record KeyGroupHash<T, K>(KeySelector<T, K> keySelector, Codec<K> keyCodec) implements Partitioning {
        public KeyGroupHash {
            keyCodec = CodecReference.of(keyCodec);
        }
    }

    /**
     * By key range, in key order (batch mode only): consumer i receives keys between the (i-1)th
     * and the i-th of boundaries sampled from the records, each consumer's keys in order, so that
     * the consumers' outputs one after the other are the whole input sorted.
     *
     * @param descending whether the order is the reverse of the key encoding's
     */
    record Range<T, K>(KeySelector<T, K> keySelector, Codec<K> keyCodec, boolean descending) implements Partitioning {
        public Range {
            keyCodec = CodecReference.of(keyCodec);
        }
    }
}
