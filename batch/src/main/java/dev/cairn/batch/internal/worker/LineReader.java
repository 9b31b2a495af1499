package dev.cairn.batch.internal.worker;

import dev.cairn.common.fs.FileSystem;
import dev.cairn.common.fs.ReadLocality;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the lines of one byte-range split of a text file, through its {@link FileSystem}.
 *
 * <p>A line belongs to the split that holds its first byte: a reader whose split does not start
 * at 0 skips through the first '\n' at or after {@code start - 1}, and every reader finishes the
 * line that crosses its end. Adjacent splits so see each line exactly once. Lines end at '\n'; a
 * trailing '\r' is dropped; bytes are decoded as UTF-8 when a line is asked for as a String, and
 * can be had undecoded ({@link #lineArray}). A buffer's bytes are never overwritten (each fill
 * reads into a new one), so views of a line's bytes stay valid.
 *
 * <p>It asks the file system for exactly the split (and the byte before it), so a split read
 * from a store block fetches that block only; the last line's remainder comes from ranges past
 * the end, 64 KiB first and doubling while the line goes on. Bytes read are counted as local or
 * remote as the streams tell ({@link ReadLocality}); a stream that cannot tell counts as remote.
 */
final class LineReader implements AutoCloseable {
    /** The first read past the split for its last line: most lines are far shorter. */
    private static final int FIRST_TAIL = 4 << 10;

    private static final int MAX_TAIL = 64 << 20;

    private final FileSystem fs;
    private final String file;
    /** Lines starting at or past this offset belong to another split; {@link #trySplit} moves it earlier. */
    private long end;

    private byte[] buf;
    private int pos;
    private int limit;
    /** File offset of buf[0]. */
    private long bufferStart;

    private byte[] spill = new byte[256];
    private long lineOffset;
    /** The current line's bytes, and its String once asked for. */
    private byte[] lineArray;

    private int lineStart;
    private int lineLength;
    private String line;
    private boolean eof;
    private InputStream in;
    /** File offset where the range {@link #in} was opened for ends. */
    private long inEnd;

    private long inRead;
    private int tail = FIRST_TAIL;
    /** Counts of the streams already closed. */
    private long closedLocal;

    private long closedRemote;
    /** File offset of the split's first line (its first byte, or just past the line it starts inside). */
    private final long firstLineStart;

    LineReader(FileSystem fs, String file, long start, long length) throws IOException {
        this.fs = fs;
        this.file = file;
        this.end = start + length;
        // Big enough to amortize reads, small for small splits (tests cut files into 1-byte splits).
        this.buf = new byte[(int) Math.max(4096, Math.min(1 << 20, length))];
        long from = start > 0 ? start - 1 : 0;
        bufferStart = from;
        open(from, end - from);
        if (start > 0) skipLine();
        firstLineStart = bufferStart + pos;
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
                    setLine(buf, pos, nl - pos);
                } else {
                    spill = append(spill, spillLen, buf, pos, nl - pos);
                    setLine(Arrays.copyOf(spill, spillLen + nl - pos), 0, spillLen + nl - pos);
                }
                pos = nl + 1;
                return true;
            }
            spill = append(spill, spillLen, buf, pos, limit - pos);
            spillLen += limit - pos;
            pos = limit;
            if (!fill()) {
                setLine(Arrays.copyOf(spill, spillLen), 0, spillLen);
                return true;
            }
        }
    }

    /**
     * Gives up the part of the split from {@code at} on, so that another reader can take it: from
     * now on this reader returns no line starting at or past {@code at}. Refused (false) when
     * {@code at} is not inside what is left, that is, when a line starting at or past it may
     * already have been returned, or the split ends there already.
     */
    boolean trySplit(long at) {
        if (at < position() || at >= end) return false;
        end = at;
        return true;
    }

    /** File offset of the next line to return: the first byte not yet consumed. */
    long position() {
        return bufferStart + pos;
    }

    /** Where the split now ends. */
    long end() {
        return end;
    }

    /** Byte offset in the file of the current line's first byte. */
    long offset() {
        return lineOffset;
    }

    String line() {
        if (line == null) line = new String(lineArray, lineStart, lineLength, StandardCharsets.UTF_8);
        return line;
    }

    /** The array holding the current line's bytes, without the line ending; never written again. */
    byte[] lineArray() {
        return lineArray;
    }

    int lineStart() {
        return lineStart;
    }

    int lineLength() {
        return lineLength;
    }

    private void setLine(byte[] b, int off, int len) {
        if (len > 0 && b[off + len - 1] == '\r') len--;
        lineArray = b;
        lineStart = off;
        lineLength = len;
        line = null;
    }

    /** Bytes of the split consumed so far, as a fraction of its length. */
    double progress(long start) {
        long total = end - start;
        return total <= 0 ? 1 : Math.min(1, Math.max(0, (bufferStart + pos - start) / (double) total));
    }

    /**
     * Input bytes of the split's lines consumed so far: from its first line's start to the end of
     * the line last returned (which may lie past the split). Summed over a file's splits this is
     * the file's size — the byte before a split and a line's read-ahead are read but not counted
     * twice — so it is what a job reports as its input.
     */
    long consumedBytes() {
        return Math.max(0, bufferStart + pos - firstLineStart);
    }

    /** Of {@link #consumedBytes}, the part read on this node, in the proportion the streams report. */
    long localBytes() {
        long local = closedLocal + (in instanceof ReadLocality r ? r.localBytes() : 0);
        long remote = closedRemote + (in == null ? 0 : in instanceof ReadLocality r ? r.remoteBytes() : inRead);
        long consumed = consumedBytes();
        if (local + remote == 0) return 0;
        return remote == 0 ? consumed : (long) (consumed * (local / (double) (local + remote)));
    }

    /** Of {@link #consumedBytes}, the part read from other nodes. */
    long remoteBytes() {
        return consumedBytes() - localBytes();
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

    /** Reads more after {@code limit} (every byte before it consumed); false at the end of the data. */
    private boolean fill() throws IOException {
        if (eof) return false;
        // Bytes go after those already there, into a new buffer once this one is full, never over
        // old ones: views of the lines read stay valid. (A new buffer per read cost streams that
        // return 64 KiB at a time a 1 MiB allocation each.)
        if (limit == buf.length) {
            buf = new byte[buf.length];
            bufferStart += limit;
            pos = 0;
            limit = 0;
        }
        int before = limit;
        while (limit < buf.length) {
            int n = in.read(buf, limit, buf.length - limit);
            if (n < 0) {
                // A range cut short by the end of the file ends the file; one read to its end may go on.
                if (bufferStart + limit < inEnd) {
                    eof = true;
                    break;
                }
                // Hand over what there is: past the range only when that is asked for too.
                if (limit > before) break;
                open(inEnd, tail);
                tail = Math.min(MAX_TAIL, tail * 2);
                continue;
            }
            inRead += n;
            limit += n;
            // One read is enough to make progress; keep reading only while it brought little.
            if (limit - before > (1 << 16)) break;
        }
        return limit > before;
    }

    private void open(long offset, long length) throws IOException {
        closeStream();
        in = fs.open(file, offset, length);
        inEnd = offset + length;
        inRead = 0;
    }

    private void closeStream() throws IOException {
        if (in == null) return;
        closedLocal += in instanceof ReadLocality r ? r.localBytes() : 0;
        closedRemote += in instanceof ReadLocality r ? r.remoteBytes() : inRead;
        InputStream s = in;
        in = null;
        s.close();
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /** The index of the first '\n' in {@code b[from, to)}, or -1; eight bytes at a time. */
    static int indexOfNewline(byte[] b, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long w = (long) LONGS.get(b, i) ^ 0x0A0A0A0A0A0A0A0AL; // a '\n' byte becomes 0
            // The lowest byte flagged is the first zero byte (a borrow only flags bytes above one).
            long zero = (w - 0x0101010101010101L) & ~w & 0x8080808080808080L;
            if (zero != 0) return i + (Long.numberOfTrailingZeros(zero) >>> 3);
        }
        for (; i < to; i++) if (b[i] == '\n') return i;
        return -1;
    }

    private static byte[] append(byte[] dst, int dstLen, byte[] src, int off, int len) {
        if (dstLen + len > dst.length) dst = Arrays.copyOf(dst, Math.max(dst.length * 2, dstLen + len));
        System.arraycopy(src, off, dst, dstLen, len);
        return dst;
    }

    @Override
    public void close() throws IOException {
        closeStream();
    }
}
