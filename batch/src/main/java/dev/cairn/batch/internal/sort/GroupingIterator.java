package dev.cairn.batch.internal.sort;

import dev.cairn.common.codec.Bytes;
import dev.cairn.common.codec.BytesOut;
import java.io.IOException;
import java.util.NoSuchElementException;

/**
 * Walks a key-sorted record stream key by key: {@link #nextKey} moves to the next distinct key
 * (skipping values not consumed), then {@link #hasNextValue}/{@link #nextValue} walk that key's
 * values. Value accessors are valid until the next call to any method.
 */
public final class GroupingIterator {
    private final RawRecordIterator in;
    private final BytesOut key = new BytesOut(64);
    /** {@code in} is positioned on a record nobody has consumed yet. */
    private boolean pending;
    private boolean exhausted;
    private boolean hasKey;

    public GroupingIterator(RawRecordIterator in) {
        this.in = in;
    }

    public boolean nextKey() throws IOException {
        if (hasKey) while (hasNextValue()) nextValue();
        if (!pending && !exhausted) {
            pending = in.next();
            exhausted = !pending;
        }
        if (!pending) return hasKey = false;
        key.reset();
        key.write(in.keyArray(), in.keyOffset(), in.keyLength());
        return hasKey = true;
    }

    public boolean hasNextValue() throws IOException {
        if (!hasKey) return false;
        if (!pending) {
            if (exhausted) return false;
            pending = in.next();
            exhausted = !pending;
            if (!pending) return false;
        }
        return Bytes.compare(in.keyArray(), in.keyOffset(), in.keyLength(), key.array(), 0, key.size()) == 0;
    }

    public void nextValue() throws IOException {
        if (!hasNextValue()) throw new NoSuchElementException();
        pending = false;
    }

    public byte[] keyArray() {
        return key.array();
    }

    public int keyOffset() {
        return 0;
    }

    public int keyLength() {
        return key.size();
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
