package dev.cairn.batch.internal.sort;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Reads the records of one segment (format: {@link SegmentWriter}) from a byte array slice or
 * from a stream of exactly the segment's bytes.
 *
 * <p>A stream is read in large chunks into one buffer ({@value #DEFAULT_BUFFER_BYTES} bytes unless
 * given), and records are handed out in place in it: a record that straddles the end of the
 * buffer is moved to its front before the next read. Memory is the buffer, or the largest record
 * if that is bigger, whatever the segment's size.
 *
 * <p>Integrity: a segment whose bytes end inside a record, or a stream that ends before the
 * declared length, fails with an {@link IOException} naming the source and the word "truncated".
 * With an expected CRC32C, an array slice is verified before its first record is returned; a
 * stream is verified as it is read and the mismatch ({@link ChecksumException}) is thrown when its
 * end is reached, after the records were handed out, so a consumer must treat the whole segment
 * as failed then. Not thread-safe.
 */
public final class SegmentReader implements RawRecordIterator {
    public static final int DEFAULT_BUFFER_BYTES = 1 << 16;
    private static final int MAX_RECORD_BYTES = Integer.MAX_VALUE - 16;

    private final InputStream in;
    private final String source;
    private final long length;
    private final CRC32C crc;
    private final int expectedCrc;
    private byte[] buf;
    private int pos;
    private int limit;
    /** Stream bytes of the segment not yet read into {@code buf}. */
    private long unread;
    /** Bytes of the segment before {@code buf[0]} (stream) or the slice start (array). */
    private long base;
    /** Cursor while decoding a record header. */
    private int hp;

    private IOException failure;
    private int keyOff;
    private int keyLen;
    private int valueLen;
    private boolean started;
    private boolean ended;
    private boolean closed;

    private SegmentReader(
            InputStream in,
            byte[] array,
            int off,
            long length,
            String source,
            boolean verify,
            int expectedCrc,
            byte[] buffer) {
        if (length < 0) throw new IllegalArgumentException("negative segment length " + length);
        this.in = in;
        this.source = Objects.requireNonNull(source, "source");
        this.length = length;
        this.crc = verify ? new CRC32C() : null;
        this.expectedCrc = expectedCrc;
        if (in == null) {
            buf = array;
            pos = off;
            limit = off + (int) length;
            base = -off;
        } else {
            buf = buffer;
            unread = length;
        }
    }

    /** Reads the segment {@code data[off, off + len)} in place, without verifying it. */
    public static SegmentReader of(byte[] data, int off, int len, String source) {
        Objects.checkFromIndexSize(off, len, data.length);
        return new SegmentReader(null, data, off, len, source, false, 0, null);
    }

    /** Reads the segment {@code data[off, off + len)} in place after checking its CRC32C. */
    public static SegmentReader of(byte[] data, int off, int len, String source, int expectedCrc32c) {
        Objects.checkFromIndexSize(off, len, data.length);
        return new SegmentReader(null, data, off, len, source, true, expectedCrc32c, null);
    }

    /** Reads exactly {@code length} bytes from {@code in}, which it closes when closed; no verification. */
    public static SegmentReader of(InputStream in, long length, String source) {
        return new SegmentReader(
                Objects.requireNonNull(in, "in"), null, 0, length, source, false, 0, new byte[bufferSize(length)]);
    }

    /** Reads exactly {@code length} bytes from {@code in}, which it closes when closed, checking their CRC32C. */
    public static SegmentReader of(InputStream in, long length, String source, int expectedCrc32c) {
        return new SegmentReader(
                Objects.requireNonNull(in, "in"),
                null,
                0,
                length,
                source,
                true,
                expectedCrc32c,
                new byte[bufferSize(length)]);
    }

    /** As {@link #of(InputStream, long, String, int)}, reading through {@code buffer}, which the caller may reuse once this reader is done. */
    static SegmentReader of(InputStream in, long length, String source, int expectedCrc32c, byte[] buffer) {
        return new SegmentReader(
                Objects.requireNonNull(in, "in"), null, 0, length, source, true, expectedCrc32c, buffer);
    }

    private static int bufferSize(long length) {
        // A short segment needs no 64 KiB buffer; in-memory fetches of many small segments add up.
        return (int) Math.max(64, Math.min(DEFAULT_BUFFER_BYTES, length));
    }

    @Override
    public boolean next() throws IOException {
        if (closed) throw new IllegalStateException("segment reader for " + source + " is closed");
        if (failure != null) throw failure;
        if (ended) return false;
        if (!started) {
            started = true;
            if (in == null && crc != null) {
                crc.update(buf, pos, limit - pos);
                checkCrc();
            }
        }
        long left = (limit - pos) + unread;
        if (left == 0) {
            ended = true;
            if (in != null && crc != null) checkCrc();
            return false;
        }
        int header = (int) Math.min(SegmentWriter.MAX_HEADER_BYTES, left);
        if (limit - pos < header) fill(header);
        hp = pos;
        int k = readVarint("key length");
        int v = readVarint("value length");
        int p = hp;
        long size = (long) (p - pos) + k + v;
        if (size > left) throw truncated("inside a record of " + size + " bytes with " + left + " left");
        if (size > MAX_RECORD_BYTES) throw corrupt("a record of " + size + " bytes");
        if (limit - pos < size) {
            int h = p - pos;
            fill((int) size);
            p = pos + h;
        }
        keyOff = p;
        keyLen = k;
        valueLen = v;
        pos += (int) size;
        return true;
    }

    /** Makes {@code need} bytes available from {@code pos}; the segment holds at least that many more. */
    private void fill(int need) throws IOException {
        if (in == null) throw truncated("inside a record");
        int have = limit - pos;
        if (need > buf.length) {
            byte[] bigger = new byte[need];
            System.arraycopy(buf, pos, bigger, 0, have);
            buf = bigger;
        } else if (pos > 0) {
            // Keep the partial record, drop what was consumed.
            System.arraycopy(buf, pos, buf, 0, have);
        }
        base += pos;
        pos = 0;
        limit = have;
        while (limit < need) {
            // Take what the stream has (up to the buffer's room), but return once the record is complete.
            int got = in.read(buf, limit, (int) Math.min(buf.length - limit, unread));
            if (got < 0) {
                throw fail(new IOException("segment from " + source + " is truncated: the stream ended after "
                        + (length - unread) + " of " + length + " bytes"));
            }
            if (crc != null) crc.update(buf, limit, got);
            limit += got;
            unread -= got;
        }
    }

    /** Decodes a varint at {@code hp}, within the bytes already in the buffer. */
    private int readVarint(String what) throws IOException {
        int v = 0;
        for (int shift = 0; ; shift += 7) {
            if (hp == limit) throw truncated("inside a record header");
            byte b = buf[hp++];
            // The fifth byte may only carry the top 3 bits of a non-negative int.
            if (shift == 28 && (b & 0xF8) != 0) throw corrupt("a " + what + " that is not a non-negative int");
            v |= (b & 0x7F) << shift;
            if (b >= 0) return v;
        }
    }

    private void checkCrc() throws ChecksumException {
        int actual = (int) crc.getValue();
        if (actual != expectedCrc) throw fail(new ChecksumException(source, expectedCrc, actual));
    }

    private IOException truncated(String where) {
        return fail(new IOException(
                "segment from " + source + " is truncated " + where + " at byte " + (base + pos) + " of " + length));
    }

    private IOException corrupt(String what) {
        return fail(new IOException(
                "segment from " + source + " is corrupt: " + what + " at byte " + (base + pos) + " of " + length));
    }

    /** Remembers the first failure so that calling {@link #next} again repeats it instead of ending quietly. */
    private <E extends IOException> E fail(E e) {
        if (failure == null) failure = e;
        return e;
    }

    @Override
    public byte[] keyArray() {
        return buf;
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
        return buf;
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
        if (closed) return;
        closed = true;
        if (in != null) in.close();
    }
}
