package dev.cairn.common.codec;

/** A cursor over a slice of a byte array that codecs decode from. Not thread-safe; reusable. */
public final class BytesIn {
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
        if (off < 0 || len < 0 || off + len > buf.length) throw new IndexOutOfBoundsException(off + "+" + len + " > " + buf.length);
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

    public long readLong() {
        require(8);
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (buf[pos++] & 0xFF);
        return v;
    }

    public int readInt() {
        require(4);
        int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8) | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

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
