package dev.cairn.batch.internal.worker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads the lines of one byte-range split of a text file.
 *
 * <p>A line belongs to the split that holds its first byte: a reader whose split does not start
 * at 0 skips through the first '\n' at or after {@code start - 1}, and every reader finishes the
 * line that crosses its end. Adjacent splits so see each line exactly once. Lines end at '\n'; a
 * trailing '\r' is dropped; bytes are decoded as UTF-8.
 */
final class LineReader implements AutoCloseable {
    private final FileChannel channel;
    private final long end;
    private final ByteBuffer buffer;
    private final byte[] buf;
    private int pos;
    private int limit;
    /** File offset of buf[0]. */
    private long bufferStart;
    private byte[] spill = new byte[256];
    private long lineOffset;
    private String line;
    private boolean eof;

    LineReader(Path file, long start, long length) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.end = start + length;
        // Big enough to amortize reads, small for small splits (tests cut files into 1-byte splits).
        this.buf = new byte[(int) Math.max(4096, Math.min(1 << 20, length))];
        this.buffer = ByteBuffer.wrap(buf);
        if (start > 0) {
            channel.position(start - 1);
            bufferStart = start - 1;
            skipLine();
        } else {
            channel.position(0);
            bufferStart = 0;
        }
    }

    /** Advances to the next line of the split; false once none is left. */
    boolean next() throws IOException {
        long lineStart = bufferStart + pos;
        if (lineStart >= end || (pos >= limit && !fill())) return false;
        lineStart = bufferStart + pos;
        if (lineStart >= end) return false;
        lineOffset = lineStart;
        int spillLen = 0;
        while (true) {
            int nl = indexOfNewline(buf, pos, limit);
            if (nl >= 0) {
                if (spillLen == 0) {
                    line = decode(buf, pos, nl - pos);
                } else {
                    spill = append(spill, spillLen, buf, pos, nl - pos);
                    line = decode(spill, 0, spillLen + nl - pos);
                }
                pos = nl + 1;
                return true;
            }
            spill = append(spill, spillLen, buf, pos, limit - pos);
            spillLen += limit - pos;
            pos = limit;
            if (!fill()) {
                line = decode(spill, 0, spillLen);
                return true;
            }
        }
    }

    /** Byte offset in the file of the current line's first byte. */
    long offset() {
        return lineOffset;
    }

    String line() {
        return line;
    }

    /** Bytes of the split consumed so far, as a fraction of its length. */
    double progress(long start) {
        long total = end - start;
        return total <= 0 ? 1 : Math.min(1, Math.max(0, (bufferStart + pos - start) / (double) total));
    }

    private void skipLine() throws IOException {
        while (true) {
            if (pos >= limit && !fill()) return;
            int nl = indexOfNewline(buf, pos, limit);
            if (nl >= 0) {
                pos = nl + 1;
                return;
            }
            pos = limit;
        }
    }

    private boolean fill() throws IOException {
        if (eof) return false;
        bufferStart += limit;
        pos = 0;
        limit = 0;
        buffer.clear();
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer);
            if (n < 0) {
                eof = true;
                break;
            }
            // One read is enough to make progress; keep reading only while the buffer is nearly empty.
            if (buffer.position() > (1 << 16)) break;
        }
        limit = buffer.position();
        return limit > 0;
    }

    private static int indexOfNewline(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] == '\n') return i;
        return -1;
    }

    private static String decode(byte[] b, int off, int len) {
        if (len > 0 && b[off + len - 1] == '\r') len--;
        return new String(b, off, len, StandardCharsets.UTF_8);
    }

    private static byte[] append(byte[] dst, int dstLen, byte[] src, int off, int len) {
        if (dstLen + len > dst.length) dst = Arrays.copyOf(dst, Math.max(dst.length * 2, dstLen + len));
        System.arraycopy(src, off, dst, dstLen, len);
        return dst;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
