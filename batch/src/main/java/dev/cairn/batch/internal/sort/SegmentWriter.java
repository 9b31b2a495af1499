package dev.cairn.batch.internal.sort;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32C;

/**
 * Writes partition segments one after another into one stream and accounts for each.
 *
 * <p>Segment format: records back to back, each {@code varint keyLength, varint valueLength,
 * key bytes, value bytes} (varints are unsigned LEB128). A segment has no header or trailer: its
 * length, record count and CRC32C live in the {@link MapOutputFile} index.
 */
final class SegmentWriter {
    /** Where one finished segment lies in the stream. */
    record Written(long offset, long length, long records, int crc32c) {}

    private final OutputStream out;
    private final CRC32C crc = new CRC32C();
    private final byte[] header = new byte[10];
    private long position;
    private long segmentStart;
    private long records;

    SegmentWriter(OutputStream out) {
        this.out = out;
    }

    void append(byte[] key, int kOff, int kLen, byte[] val, int vOff, int vLen) throws IOException {
        int h = putVarint(header, 0, kLen);
        h = putVarint(header, h, vLen);
        write(header, 0, h);
        write(key, kOff, kLen);
        write(val, vOff, vLen);
        records++;
    }

    private void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        crc.update(b, off, len);
        position += len;
    }

    /** Ends the current segment and starts the next one. */
    Written endSegment() {
        Written w = new Written(segmentStart, position - segmentStart, records, (int) crc.getValue());
        segmentStart = position;
        records = 0;
        crc.reset();
        return w;
    }

    private static int putVarint(byte[] b, int pos, int v) {
        while ((v & ~0x7F) != 0) {
            b[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[pos++] = (byte) v;
        return pos;
    }
}
