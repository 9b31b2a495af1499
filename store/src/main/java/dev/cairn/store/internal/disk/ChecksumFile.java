package dev.cairn.store.internal.disk;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The sidecar {@code blk_X.crc} beside a block's data file. Big-endian:
 *
 * <pre>
 *   int magic    'CRCC'
 *   int version  1
 *   int chunkSize
 *   int crc[n]   CRC32C of each chunk, n = ceil(dataLength / chunkSize); the last chunk may be short
 * </pre>
 *
 * The block's length is not stored: it is the data file's. A sidecar is <em>complete</em> when its
 * header is valid and it holds exactly {@code n} checksums for that length; only then is the block
 * finalized (see {@link LocalBlockStore}).
 */
final class ChecksumFile {
    static final int MAGIC = 0x43524343; // "CRCC"
    static final int VERSION = 1;
    static final int HEADER_BYTES = 12;
    /** Upper bound on chunk sizes: a writer buffers one chunk in memory. */
    static final int MAX_CHUNK_SIZE = 16 << 20;

    private ChecksumFile() {}

    static long chunkCount(long length, int chunkSize) {
        return (length + chunkSize - 1) / chunkSize;
    }

    /** The size a complete sidecar has for a data file of {@code length} bytes. */
    static long expectedSize(long length, int chunkSize) {
        return HEADER_BYTES + 4 * chunkCount(length, chunkSize);
    }

    static void checkChunkSize(int chunkSize) {
        if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
            throw new IllegalArgumentException("chunk size " + chunkSize + " is not in [1, " + MAX_CHUNK_SIZE + "]");
        }
    }

    static ByteBuffer header(int chunkSize) {
        return ByteBuffer.allocate(HEADER_BYTES)
                .putInt(MAGIC)
                .putInt(VERSION)
                .putInt(chunkSize)
                .flip();
    }

    /**
     * Reads and checks the header.
     *
     * @return the chunk size
     * @throws EOFException if the file is shorter than a header
     * @throws BadHeaderException if the header is not one this code writes
     */
    static int readHeader(FileChannel ch, Path file) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
        readFully(ch, h, 0, file);
        h.flip();
        int magic = h.getInt();
        int version = h.getInt();
        int chunkSize = h.getInt();
        if (magic != MAGIC) throw new BadHeaderException(file + ": bad magic 0x" + Integer.toHexString(magic));
        if (version != VERSION) throw new BadHeaderException(file + ": unknown sidecar version " + version);
        if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE)
            throw new BadHeaderException(file + ": bad chunk size " + chunkSize);
        return chunkSize;
    }

    /**
     * Checks that {@code file} is a complete sidecar for a data file of {@code length} bytes.
     *
     * @return null if it is, otherwise why not
     */
    static String problem(Path file, long length) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            int chunkSize = readHeader(ch, file);
            long size = ch.size();
            long expected = expectedSize(length, chunkSize);
            return size == expected
                    ? null
                    : "sidecar has " + size + " bytes, a " + length + "-byte block with " + chunkSize
                            + "-byte chunks needs " + expected;
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The checksums of a block, in chunk order. */
    @SuppressWarnings("ArrayRecordComponent") // carries the checksums as they are; nothing compares or hashes it
    record Loaded(int chunkSize, int[] crcs) {}

    /** A sidecar header that is not one this code writes: damage, or another format. */
    static final class BadHeaderException extends IOException {
        BadHeaderException(String message) {
            super(message);
        }
    }

    /**
     * Reads the checksums of a {@code length}-byte block. A sidecar truncated since the block was
     * finalized yields fewer checksums than chunks: the chunks without one count as corrupt, the
     * others stay readable.
     */
    static Loaded load(Path file, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            int chunkSize = readHeader(ch, file);
            long n = chunkCount(length, chunkSize);
            long stored = Math.min(n, Math.max(0, ch.size() - HEADER_BYTES) / 4);
            ByteBuffer body = ByteBuffer.allocate(Math.toIntExact(4 * stored));
            readFully(ch, body, HEADER_BYTES, file);
            body.flip();
            IntBuffer ints = body.asIntBuffer();
            int[] crcs = new int[ints.remaining()];
            ints.get(crcs);
            return new Loaded(chunkSize, crcs);
        }
    }

    /** Fills {@code dst} from {@code position} on. */
    static void readFully(FileChannel ch, ByteBuffer dst, long position, Path file) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) throw new EOFException(file + " ends at " + pos + ", " + dst.remaining() + " bytes short");
            pos += n;
        }
    }
}
