package dev.cairn.batch.internal.sort;

import java.io.IOException;
import java.util.Arrays;
import java.util.NoSuchElementException;

/**
 * Walks a key-sorted record stream key by key, for reducers and combining merges:
 * <pre>
 *   while (groups.nextKey()) {
 *       use groups.keyArray(), keyOffset(), keyLength()
 *       while (groups.hasNextValue()) {
 *           groups.nextValue();
 *           use groups.valueArray(), valueOffset(), valueLength()
 *       }
 *   }
 * </pre>
 * {@link #nextKey} moves to the next distinct key, skipping the values of the previous one that
 * were not consumed. The key is a copy, valid until the next {@link #nextKey}; a value is a slice
 * of the input's buffer, valid until the next call to any method. Equality is byte equality. The
 * iterator does not close its input. Not thread-safe.
 */
public final class GroupingIterator {
    private final RawRecordIterator in;
    private byte[] key = new byte[64];
    private int keyLen;
    /** {@code in} is positioned on a record nobody has consumed yet. */
    private boolean pending;

    private boolean exhausted;
    private boolean hasKey;

    public GroupingIterator(RawRecordIterator in) {
        this.in = in;
    }

    /** Moves to the next distinct key; false when the input has no more records. */
    public boolean nextKey() throws IOException {
        if (hasKey) {
            while (hasNextValue()) pending = false;
        }
        if (!pending && !advance()) {
            hasKey = false;
            return false;
        }
        int len = in.keyLength();
        if (key.length < len) key = new byte[Math.max(len, key.length * 2)];
        System.arraycopy(in.keyArray(), in.keyOffset(), key, 0, len);
        keyLen = len;
        hasKey = true;
        return true;
    }

    /** Whether the current key has another value; false before the first {@link #nextKey} and after the last. */
    public boolean hasNextValue() throws IOException {
        if (!hasKey) return false;
        if (!pending && !advance()) return false;
        int off = in.keyOffset();
        return Arrays.equals(in.keyArray(), off, off + in.keyLength(), key, 0, keyLen);
    }

    /** Moves to the current key's next value. */
    public void nextValue() throws IOException {
        if (!hasNextValue()) throw new NoSuchElementException("no more values for this key");
        pending = false;
    }

    private boolean advance() throws IOException {
        if (exhausted) return false;
        pending = in.next();
        exhausted = !pending;
        return pending;
    }

    public byte[] keyArray() {
        return key;
    }

    public int keyOffset() {
        return 0;
    }

    public int keyLength() {
        return keyLen;
    }

    public byte[] valueArray() {
        return in.valueArray();
    }

    public int valueOffset() {
        return in.valueOffset();
    }

    public int valueLength() {
        return in.valueLength();
    }
}
