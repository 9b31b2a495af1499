package dev.cairn.common.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/** A growable byte array that codecs append to; reused between records to avoid garbage. Not thread-safe. */
public final class BytesOut {
    // One bounds-checked store instead of eight: longs are on the hot path of every shuffle.
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private byte[] buf;
    private int size;

    public BytesOut() {
        this(64);
    }

    public BytesOut(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    public void write(int b) {
        if (size == buf.length) grow(1);
        buf[size++] = (byte) b;
    }

    public void write(byte[] b, int off, int len) {
        if (len > buf.length - size) grow(len);
        System.arraycopy(b, off, buf, size, len);
        size += len;
    }

    public void write(byte[] b) {
        write(b, 0, b.length);
    }

    /** Big-endian, as order-preserving encodings need. */
    public void writeLong(long v) {
        if (size + 8 > buf.length) grow(8);
        LONG_BE.set(buf, size, v);
        size += 8;
    }

    /** Big-endian. */
    public void writeInt(int v) {
        if (size + 4 > buf.length) grow(4);
        INT_BE.set(buf, size, v);
        size += 4;
    }

    /** Makes room for {@code extra} more bytes and returns the backing array (valid until the next write). */
    public byte[] ensure(int extra) {
        if (extra > buf.length - size) grow(extra);
        return buf;
    }

    /** Advances the size after writing directly into {@link #ensure(int)}'s array. */
    public void advance(int n) {
        if (n < 0 || n > buf.length - size)
            throw new IndexOutOfBoundsException("advance " + n + " past capacity " + (buf.length - size));
        size += n;
    }

    public int size() {
        return size;
    }

    /** The backing array; bytes {@code [0, size())} are the content. */
    public byte[] array() {
        return buf;
    }

    public void reset() {
        size = 0;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    private void grow(int extra) {
        long needed = (long) size + extra;
        if (needed > Integer.MAX_VALUE - 16) throw new IllegalStateException("record too large: " + needed + " bytes");
        buf = Arrays.copyOf(buf, (int) Math.max(needed, Math.min((long) buf.length * 2, Integer.MAX_VALUE - 16)));
    }
}
