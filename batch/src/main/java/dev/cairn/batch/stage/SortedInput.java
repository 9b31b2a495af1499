package dev.cairn.batch.stage;

import java.io.IOException;

/**
 * One partition of a parent stage's output: key/value records merged from every task of the
 * parent, in the order of their key bytes (unsigned, lexicographic), read key by key. A slice
 * returned by the accessors is valid until the next call that moves.
 */
public interface SortedInput {
    /** Moves to the next distinct key (skipping values of the current one not read); false at the end. */
    boolean nextKey() throws IOException;

    byte[] keyArray();

    int keyOffset();

    int keyLength();

    /** Moves to the current key's next value; false when it has no more. */
    boolean nextValue() throws IOException;

    byte[] valueArray();

    int valueOffset();

    int valueLength();

    /** All records of this partition, over all its keys. */
    long records();
}
