package dev.cairn.batch.internal.sort;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads the records of one segment (format: {@link SegmentWriter}) from a byte array or from a
 * stream of exactly the segment's length, through a bounded buffer. A segment that ends inside a
 * record is reported with the source's name.
 */
public final class SegmentReader implements RawRecordIterator {
    private final InputStream in;
    private final String source;
    private long remaining;
    private byte[] buf;
    private int pos;
    private int limit;
    private byte[] record = new byte[256];
    private int keyLen;
    private int valueLen;
    // For array-backed segments, records are read in place.
    private final boolean inPlace;
    private int keyOff;

    private SegmentReader(InputStream in, long length, String source, byte[] array, int off) {
        this.in = in;
        this.source = source;
        this.remaining = length;
        this.inPlace = array != null;
        if (inPlace) {
            buf = array;
            pos = off;
            limit = (int) (off + length);
            remaining = 0;
        } else {
            buf = new byte[(int) Math.min(1 << 16, Math.max(16, length))];
        }
    }

    public static SegmentReader of(byte[] data, int off, int len, String source) {
        return new SegmentReader(null, len, source, data, off);
    }

    /** Reads exactly {@code length} bytes from {@code in}, which it closes when closed. */
    public static SegmentReader of(InputStream in, long length, String source) {
        return new SegmentReader(in, length, source, null, 0);
    }

    @Override
    public boolean next() throws IOException {
        if (pos >= limit && !fill(1)) return false;
        keyLen = readVarint();
        valueLen = readVarint();
        int n = keyLen + valueLen;
        if (inPlace) {
            if (limit - pos < n) throw truncated();
            keyOff = pos;
            pos += n;
            return true;
        }
        if (record.length < n) record = new byte[Math.max(n, record.length * 2)];
        int copied = 0;
        while (copied < n) {
            if (pos >= limit && !fill(1)) throw truncated();
            int c = Math.min(n - copied, limit - pos);
            System.arraycopy(buf, pos, record, copied, c);
            pos += c;
            copied += c;
        }
        keyOff = 0;
        return true;
    }

    private int readVarint() throws IOException {
        int v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (pos >= limit && !fill(1)) throw truncated();
            byte b = buf[pos++];
            v |= (b & 0x7F) << shift;
            if (b >= 0) {
                if (v < 0) throw new IOException("corrupt segment from " + source + ": negative length");
                return v;
            }
        }
        throw new IOException("corrupt segment from " + source + ": bad length");
    }

    private boolean fill(int atLeast) throws IOException {
        if (inPlace || remaining == 0) return false;
        int n = in.readNBytes(buf, 0, (int) Math.min(buf.length, remaining));
        if (n <= 0) throw new IOException("segment from " + source + " ended " + remaining + " bytes early");
        remaining -= n;
        pos = 0;
        limit = n;
        return n >= atLeast;
    }

    private IOException truncated() {
        return new IOException("segment from " + source + " is truncated inside a record");
    }

    @Override
    public byte[] keyArray() {
        return inPlace ? buf : record;
    }

    @Override
    public int keyOffset() {
        return keyOff;
    }

    @Override
    public int keyLength() {
        return keyLen;
    }

    @Override
    public byte[] valueArray() {
        return inPlace ? buf : record;
    }

    @Override
    public int valueOffset() {
        return keyOff + keyLen;
    }

    @Override
    public int valueLength() {
        return valueLen;
    }

    @Override
    public void close() throws IOException {
        if (in != null) in.close();
    }
}
