package dev.cairn.batch.internal.sort;

import java.io.IOException;

/**
 * A cursor over encoded key/value records. Before the first {@link #next} and after it returns
 * false there is no current record. The accessors describe the current record as slices of
 * arrays the iterator owns; they stay valid only until the next call to {@link #next} or {@link
 * #close}, so a caller that keeps a key or value must copy it.
 */
public interface RawRecordIterator extends AutoCloseable {
    /** Moves to the next record; false when there is none. */
    boolean next() throws IOException;

    byte[] keyArray();

    int keyOffset();

    int keyLength();

    byte[] valueArray();

    int valueOffset();

    int valueLength();

    /** Releases the iterator's input; idempotent. */
    @Override
    void close() throws IOException;
}
