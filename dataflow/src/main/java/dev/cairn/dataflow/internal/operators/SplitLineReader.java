package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.fs.FileSystem;
import dev.cairn.dataflow.Utf8;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the lines whose first byte lies in one split: skips the partial line at the split's start
 * (unless the byte before it is '\n') and reads past the split's end to finish its last line.
 * Reads through the split's {@link FileSystem}, from the byte before the split to the file's end.
 */
final class SplitLineReader implements Closeable {
    private final InputStream in;
    private final long end;
    private byte[] buf = new byte[1 << 16];
    private long bufPosition; // file offset of buf[0]
    private int bufLength;
    private int cursor; // index in buf of the next unread byte
    private boolean eof;

    SplitLineReader(FileSystem fs, TextFileSource.Split split) throws IOException {
        end = split.end();
        long start = split.start();
        bufPosition = start == 0 ? 0 : start - 1;
        in = fs.open(split.file(), bufPosition, Long.MAX_VALUE - bufPosition);
        if (start > 0) {
            if (!fill()) return;
            boolean lineStartsAtSplit = buf[0] == '\n';
            cursor = 1;
            if (!lineStartsAtSplit) skipLine();
        }
    }

    /** The file offset of the next line's first byte: where a reader resumes after a restore. */
    long position() {
        return bufPosition + cursor;
    }

    /** The next line of the split without its terminator, or null at the split's end. */
    String readLine() throws IOException {
        return nextLine() ? new String(buf, lineFrom, lineLength, StandardCharsets.UTF_8) : null;
    }

    /** As {@link #readLine}, the line's bytes undecoded (a copy: the buffer is reused). */
    Utf8 readLineUtf8() throws IOException {
        return nextLine() ? Utf8.copyOf(buf, lineFrom, lineLength) : null;
    }

    /** Where the line {@link #nextLine} found is in {@link #buf}. */
    private int lineFrom;

    private int lineLength;

    /** Finds the next line of the split; false at the split's end. */
    private boolean nextLine() throws IOException {
        if (bufPosition + cursor >= end) return false;
        int from = cursor;
        while (true) {
            for (int i = cursor; i < bufLength; i++) {
                if (buf[i] == '\n') {
                    int len = i - from;
                    if (len > 0 && buf[i - 1] == '\r') len--;
                    cursor = i + 1;
                    lineFrom = from;
                    lineLength = len;
                    return true;
                }
            }
            cursor = bufLength;
            int kept = bufLength - from;
            if (!compactAndFill(from)) {
                if (kept == 0) return false;
                cursor = bufLength;
                int len = kept;
                if (buf[len - 1] == '\r') len--;
                lineFrom = 0;
                lineLength = len;
                return true;
            }
            from = 0;
            cursor = kept;
        }
    }

    private void skipLine() throws IOException {
        while (true) {
            for (int i = cursor; i < bufLength; i++) {
                if (buf[i] == '\n') {
                    cursor = i + 1;
                    return;
                }
            }
            cursor = bufLength;
            if (!compactAndFill(bufLength)) return;
        }
    }

    /**
     * Moves the bytes from {@code keepFrom} on to the start of the buffer, then reads more.
     * Returns false at end of file (the kept bytes are still moved).
     */
    private boolean compactAndFill(int keepFrom) throws IOException {
        int kept = bufLength - keepFrom;
        if (kept == buf.length) {
            byte[] bigger = new byte[buf.length * 2];
            System.arraycopy(buf, keepFrom, bigger, 0, kept);
            buf = bigger;
        } else if (keepFrom > 0) {
            System.arraycopy(buf, keepFrom, buf, 0, kept);
        }
        bufPosition += keepFrom;
        bufLength = kept;
        cursor -= keepFrom;
        return !eof && fill();
    }

    /** Appends bytes from the stream after {@code bufLength}; false if none were left. */
    private boolean fill() throws IOException {
        int n = in.read(buf, bufLength, buf.length - bufLength);
        if (n <= 0) {
            eof = true;
            return false;
        }
        bufLength += n;
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
