package dev.cairn.batch.internal.sort;

import dev.cairn.common.codec.BytesOut;

/**
 * Folds the encoded values of one key into one encoded value: {@link #start} with the first,
 * {@link #add} for each further one, {@link #finish} to append the result. One fold at a time.
 */
public interface RawCombiner {
    void start(byte[] buf, int off, int len) throws Exception;

    void add(byte[] buf, int off, int len) throws Exception;

    void finish(BytesOut out) throws Exception;
}
