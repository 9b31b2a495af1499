package dev.cairn.common.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** A cursor over a slice of a byte array that codecs decode from. Not thread-safe; reusable. */
public final class BytesIn {
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private byte[] buf;
    private int pos;
    private int limit;

    public BytesIn() {
        this(new byte[0], 0, 0);
    }

    public BytesIn(byte[] buf) {
        this(buf, 0, buf.length);
    }

    public BytesIn(byte[] buf, int off, int len) {
        reset(buf, off, len);
    }

    public BytesIn reset(byte[] buf, int off, int len) {
        if (off < 0 || len < 0 || off + len > buf.length)
            throw new IndexOutOfBoundsException(off + "+" + len + " > " + buf.length);
        this.buf = buf;
        this.pos = off;
        this.limit = off + len;
        return this;
    }

    /** Next byte as 0..255. */
    public int readUnsigned() {
        if (pos >= limit) throw new CodecException("truncated input: needed 1 more byte");
        return buf[pos++] & 0xFF;
    }

    /** Eight bytes, big-endian. */
    public long readLong() {
        require(8);
        long v = (long) LONG_BE.get(buf, pos);
        pos += 8;
        return v;
    }

    /** Four bytes, big-endian. */
    public int readInt() {
        require(4);
        int v = (int) INT_BE.get(buf, pos);
        pos += 4;
        return v;
    }

    /** Throws a "truncated input" {@link CodecException} unless {@code n} more bytes remain. */
    public void require(int n) {
        if (limit - pos < n) throw new CodecException("truncated input: needed " + n + " bytes, have " + (limit - pos));
    }

    public byte[] array() {
        return buf;
    }

    public int position() {
        return pos;
    }

    public void position(int p) {
        if (p < 0 || p > limit) throw new IndexOutOfBoundsException(p);
        pos = p;
    }

    public int limit() {
        return limit;
    }

    public int remaining() {
        return limit - pos;
    }
}
