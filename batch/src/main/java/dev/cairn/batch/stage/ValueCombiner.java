package dev.cairn.batch.stage;

import dev.cairn.common.codec.BytesOut;

/**
 * Folds the encoded values of one key into one, as records are sorted: {@link #start} with the
 * first value, {@link #add} for each further one, then {@link #finish} appends the folded value.
 * It may run any number of times per key, over values already folded, so folding must be
 * associative and commutative and a folded value must decode like an added one. One fold runs at
 * a time; slices are valid only during the call.
 */
public interface ValueCombiner {
    void start(byte[] buf, int off, int len) throws Exception;

    void add(byte[] buf, int off, int len) throws Exception;

    void finish(BytesOut out) throws Exception;
}
