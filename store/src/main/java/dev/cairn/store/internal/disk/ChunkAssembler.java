package dev.cairn.store.internal.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Cuts a stream of writes of any size into checksummed chunks of a fixed size, for whatever
 * consumes whole chunks (a block file, a write pipeline). A whole chunk lying in the caller's array
 * is passed on from there without a copy; only pieces of chunks are gathered in a buffer of one
 * chunk. Not thread-safe.
 */
public final class ChunkAssembler {
    /** Takes one chunk: {@code len} bytes of {@code b} from {@code off}, and their CRC32C. */
    @FunctionalInterface
    public interface ChunkSink {
        void accept(byte[] b, int off, int len, int crc) throws IOException;
    }

    private final byte[] chunk;
    private final ChunkSink sink;
    private final CRC32C crc = new CRC32C();
    private int fill;

    public ChunkAssembler(int chunkSize, ChunkSink sink) {
        this.chunk = new byte[chunkSize];
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** Bytes of a partial chunk gathered so far (0 at a chunk boundary). */
    public int pending() {
        return fill;
    }

    /** Adds {@code len} bytes of {@code b} from {@code off}; every chunk they complete goes to the sink. */
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        while (len > 0) {
            if (fill == 0 && len >= chunk.length) {
                sink.accept(b, off, chunk.length, crc(b, off, chunk.length));
                off += chunk.length;
                len -= chunk.length;
                continue;
            }
            int n = Math.min(len, chunk.length - fill);
            System.arraycopy(b, off, chunk, fill, n);
            fill += n;
            off += n;
            len -= n;
            if (fill == chunk.length) flush();
        }
    }

    /** Adds the remaining bytes of {@code src}, consuming them. */
    public void write(ByteBuffer src) throws IOException {
        if (src.hasArray()) {
            write(src.array(), src.arrayOffset() + src.position(), src.remaining());
            src.position(src.limit());
            return;
        }
        while (src.hasRemaining()) {
            int n = Math.min(src.remaining(), chunk.length - fill);
            src.get(chunk, fill, n);
            fill += n;
            if (fill == chunk.length) flush();
        }
    }

    /** Passes on the partial chunk gathered so far, if any: the short last chunk of a block. */
    public void flush() throws IOException {
        if (fill == 0) return;
        sink.accept(chunk, 0, fill, crc(chunk, 0, fill));
        fill = 0;
    }

    /** The CRC32C of {@code len} bytes of {@code b} from {@code off}. */
    public int crc(byte[] b, int off, int len) {
        crc.reset();
        crc.update(b, off, len);
        return (int) crc.getValue();
    }
}
