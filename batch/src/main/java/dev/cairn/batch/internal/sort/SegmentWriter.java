package dev.cairn.batch.internal.sort;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Writes partition segments one after another into one stream and accounts for each.
 *
 * <p><b>Segment format.</b> A segment is one partition's records back to back, sorted by key
 * (unsigned bytes) when written by the sort machinery. Each record is
 * <pre>
 *   varint keyLength | varint valueLength | key bytes | value bytes
 * </pre>
 * where a varint is an unsigned LEB128 int: 7 bits a byte, least significant group first, the high
 * bit set on every byte but the last (1 to 5 bytes; lengths are non-negative ints). A segment has
 * no header or trailer: its offset, byte length, record count and CRC32C (over exactly its bytes)
 * live in the {@link MapOutputFile} index, or come with it over the shuffle. An empty segment is
 * zero bytes with CRC32C 0.
 *
 * <p>The writer buffers internally (so {@code out} should not be buffered again), checksums each
 * segment as it goes, and never closes {@code out}. Call {@link #flush()} before closing {@code
 * out}. Not thread-safe.
 */
public final class SegmentWriter {
    /** The most bytes a record header (two varints) takes. */
    static final int MAX_HEADER_BYTES = 10;

    private final OutputStream out;
    private final byte[] buf;
    private final CRC32C crc = new CRC32C();
    private int pos;
    /** Bytes of {@code buf} before this index are already in {@link #crc}. */
    private int crcMark;
    /** Bytes handed to {@code out} so far. */
    private long flushed;

    private long segmentStart;
    private long records;

    /** With a 64 KiB buffer. */
    public SegmentWriter(OutputStream out) {
        this(out, 1 << 16);
    }

    public SegmentWriter(OutputStream out, int bufferBytes) {
        this.out = Objects.requireNonNull(out, "out");
        this.buf = new byte[Math.max(MAX_HEADER_BYTES * 4, bufferBytes)];
    }

    /** Appends one record to the current segment. */
    public void append(byte[] key, int kOff, int kLen, byte[] val, int vOff, int vLen) throws IOException {
        Objects.checkFromIndexSize(kOff, kLen, key.length);
        Objects.checkFromIndexSize(vOff, vLen, val.length);
        long size = (long) MAX_HEADER_BYTES + kLen + vLen;
        if (size > buf.length - pos) {
            flushBuffer();
            if (size > buf.length) {
                // Larger than the buffer: header through the buffer, the rest straight to the stream.
                pos = putVarint(buf, putVarint(buf, 0, kLen), vLen);
                flushBuffer();
                writeDirect(key, kOff, kLen);
                writeDirect(val, vOff, vLen);
                records++;
                return;
            }
        }
        int p = putVarint(buf, putVarint(buf, pos, kLen), vLen);
        System.arraycopy(key, kOff, buf, p, kLen);
        System.arraycopy(val, vOff, buf, p + kLen, vLen);
        pos = p + kLen + vLen;
        records++;
    }

    /** Appends one record that is already in segment format ({@code len} bytes: header, key, value). */
    void appendEncoded(byte[] record, int off, int len) throws IOException {
        if (len > buf.length - pos) {
            flushBuffer();
            if (len > buf.length) {
                writeDirect(record, off, len);
                records++;
                return;
            }
        }
        System.arraycopy(record, off, buf, pos, len);
        pos += len;
        records++;
    }

    /** Ends the current segment, returning where it lies in the stream, and starts the next one. */
    public MapOutputFile.Segment endSegment() {
        crc.update(buf, crcMark, pos - crcMark);
        crcMark = pos;
        long end = flushed + pos;
        MapOutputFile.Segment s =
                new MapOutputFile.Segment(segmentStart, end - segmentStart, records, (int) crc.getValue());
        crc.reset();
        segmentStart = end;
        records = 0;
        return s;
    }

    /** Bytes written so far, buffered ones included. */
    public long position() {
        return flushed + pos;
    }

    /** Hands buffered bytes to the stream and flushes it. */
    public void flush() throws IOException {
        flushBuffer();
        out.flush();
    }

    private void flushBuffer() throws IOException {
        if (pos == 0) return;
        crc.update(buf, crcMark, pos - crcMark);
        out.write(buf, 0, pos);
        flushed += pos;
        pos = 0;
        crcMark = 0;
    }

    private void writeDirect(byte[] b, int off, int len) throws IOException {
        crc.update(b, off, len);
        out.write(b, off, len);
        flushed += len;
    }

    /**
     * A buffer size for writing about {@code bytes}: 128 KiB for large outputs, less for small
     * ones, since a tiny sort buffer makes many small runs.
     */
    static int bufferSizeFor(long bytes) {
        return Math.clamp(bytes, 1 << 12, 1 << 17);
    }

    /** The bytes {@link #putVarint} takes for {@code v >= 0}. */
    static int varintSize(int v) {
        // 1 byte per started group of 7 bits; 0 still takes one byte.
        return (31 - Integer.numberOfLeadingZeros(v | 1)) / 7 + 1;
    }

    /** Writes {@code v >= 0} as an unsigned LEB128 varint at {@code pos}; returns the position after it. */
    static int putVarint(byte[] b, int pos, int v) {
        while ((v & ~0x7F) != 0) {
            b[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[pos++] = (byte) v;
        return pos;
    }
}
