package dev.cairn.batch.internal.sort;

import dev.cairn.common.codec.BytesOut;

/**
 * Folds the encoded values of one key into one encoded value, without the key: {@link #start}
 * with the first value, {@link #add} for each further one, then {@link #finish} appends the
 * folded value. One fold runs at a time, so an implementation may keep its accumulator in fields;
 * folds at spills run on the buffer's spill thread, the final merge's on the thread calling
 * {@link MapOutputBuffer#finish}, never two at once.
 *
 * <p>The slices passed in are only valid during the call. The sort machinery calls a combiner
 * zero, one or several times per key (at each spill and possibly in the final merge), so folding
 * must be associative and commutative, and a folded value must decode like an emitted one.
 * Whatever a method throws fails the map task: it surfaces, wrapped in an {@link
 * java.io.IOException} whose cause it is, from {@link MapOutputBuffer#collect} or {@link
 * MapOutputBuffer#finish}.
 */
public interface RawCombiner {
    /** Begins a fold with the key's first value. */
    void start(byte[] buf, int off, int len) throws Exception;

    /** Folds in one more value of the same key. */
    void add(byte[] buf, int off, int len) throws Exception;

    /** Appends the folded value to {@code out} and ends the fold. */
    void finish(BytesOut out) throws Exception;
}
