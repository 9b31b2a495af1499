package dev.cairn.batch.internal.sort;

import java.io.IOException;

/**
 * A cursor over encoded key/value records. The accessors describe the current record and stay
 * valid only until the next call to {@link #next}.
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

    @Override
    void close() throws IOException;
}
