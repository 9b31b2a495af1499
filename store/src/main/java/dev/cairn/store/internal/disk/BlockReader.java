package dev.cairn.store.internal.disk;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Reads one finalized block. {@link #read} checks every chunk it touches against the sidecar and
 * never returns bytes that failed; {@link #readChunk} hands out raw chunks with their stored
 * checksums, for a remote reader or replica that checks them itself (end to end: corruption on
 * this disk, in memory or on the wire is caught where the bytes are used).
 *
 * <p>Thread-safe: reads are positional and share no mutable state, so several threads may use one
 * reader. A reader opened before its block is deleted keeps reading the deleted files.
 */
public final class BlockReader implements AutoCloseable {
    /** Called before each chunk a verification reads; lets the scrubber bound its rate. */
    @FunctionalInterface
    interface ChunkPacer {
        ChunkPacer NONE = bytes -> {};

        void beforeChunk(int bytes) throws InterruptedException;
    }

    private final BlockId id;
    private final Path dir;
    private final long length;
    private final int chunkSize;
    /** Stored checksums; fewer than {@link #chunkCount()} if the sidecar was truncated since open. */
    private final int[] crcs;

    private final FileChannel data;

    private BlockReader(BlockId id, Path dir, long length, int chunkSize, int[] crcs, FileChannel data) {
        this.id = id;
        this.dir = dir;
        this.length = length;
        this.chunkSize = chunkSize;
        this.crcs = crcs;
        this.data = data;
    }

    static BlockReader open(BlockId id, Volume volume, long length) throws IOException {
        FileChannel data = FileChannel.open(volume.dataFile(id), StandardOpenOption.READ);
        try {
            ChecksumFile.Loaded sidecar;
            try {
                sidecar = ChecksumFile.load(volume.crcFile(id), length);
            } catch (EOFException | ChecksumFile.BadHeaderException e) {
                throw new ChecksumException(id, volume.root, 0, "sidecar unreadable: " + e.getMessage());
            }
            return new BlockReader(id, volume.root, length, sidecar.chunkSize(), sidecar.crcs(), data);
        } catch (IOException | RuntimeException e) {
            data.close();
            throw e;
        }
    }

    public BlockId id() {
        return id;
    }

    /** The data directory holding the block. */
    public Path dir() {
        return dir;
    }

    public long length() {
        return length;
    }

    /** The block's chunk size, as written; the last chunk may be shorter. */
    public int chunkSize() {
        return chunkSize;
    }

    public int chunkCount() {
        return Math.toIntExact(ChecksumFile.chunkCount(length, chunkSize));
    }

    /** Length of chunk {@code index}: {@link #chunkSize()}, except for a short last chunk. */
    public int chunkLength(int index) {
        Objects.checkIndex(index, chunkCount());
        return (int) Math.min(chunkSize, length - (long) index * chunkSize);
    }

    /**
     * Copies up to {@code len} bytes of the block from {@code offset} into {@code dst} at
     * {@code off}, after checking each chunk they lie in (whole chunks are read for that).
     *
     * @return the bytes copied: {@code len}, or fewer where the block ends ({@code 0} at its end)
     * @throws ChecksumException if a chunk does not match its stored checksum; the bytes of
     *     {@code dst} in the requested range are then unspecified
     * @throws IndexOutOfBoundsException if {@code offset} is not within {@code [0, length()]}
     */
    public int read(long offset, byte[] dst, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, dst.length);
        if (offset < 0 || offset > length)
            throw new IndexOutOfBoundsException("offset " + offset + " outside " + id + " of length " + length);
        int n = (int) Math.min(len, length - offset);
        if (n == 0) return 0;
        long end = offset + n;
        byte[] scratch = null;
        CRC32C crc = new CRC32C();
        for (long c = offset / chunkSize; c * chunkSize < end; c++) {
            int index = (int) c;
            long start = c * chunkSize;
            int chunkLen = chunkLength(index);
            long from = Math.max(offset, start);
            long to = Math.min(end, start + chunkLen);
            int at = off + (int) (from - offset);
            if (from == start && to == start + chunkLen) {
                // The whole chunk is wanted: read and check it in place.
                readChecked(index, dst, at, crc);
            } else {
                if (scratch == null) scratch = new byte[chunkSize];
                readChecked(index, scratch, 0, crc);
                System.arraycopy(scratch, (int) (from - start), dst, at, (int) (to - from));
            }
        }
        return n;
    }

    /**
     * Reads chunk {@code index} as stored, unchecked, into {@code dst} (advancing its position by
     * {@link #chunkLength}) and returns the chunk's stored CRC32C, so the receiver can check it.
     *
     * @throws IllegalArgumentException if {@code dst} has less room than the chunk
     * @throws ChecksumException if the data file or sidecar ends before this chunk does
     */
    public int readChunk(int index, ByteBuffer dst) throws IOException {
        int chunkLen = chunkLength(index);
        if (dst.remaining() < chunkLen)
            throw new IllegalArgumentException(
                    "chunk " + index + " of " + id + " has " + chunkLen + " bytes, buffer room for " + dst.remaining());
        if (index >= crcs.length) throw missingCrc(index);
        try {
            ChecksumFile.readFully(data, dst.slice(dst.position(), chunkLen), (long) index * chunkSize, dir);
        } catch (EOFException e) {
            throw new ChecksumException(id, dir, (long) index * chunkSize, "data file ends inside this chunk");
        }
        dst.position(dst.position() + chunkLen);
        return crcs[index];
    }

    /** Checks every chunk in order, asking {@code pacer} before each; stops at the first bad one. */
    VerifyResult verify(ChunkPacer pacer) throws IOException, InterruptedException {
        byte[] buf = new byte[(int) Math.min(chunkSize, Math.max(length, 1))];
        CRC32C crc = new CRC32C();
        for (int i = 0, n = chunkCount(); i < n; i++) {
            pacer.beforeChunk(chunkLength(i));
            try {
                readChecked(i, buf, 0, crc);
            } catch (ChecksumException e) {
                return new VerifyResult.Corrupt(id, i, e.chunkOffset(), e.getMessage());
            }
        }
        return new VerifyResult.Ok(id, length);
    }

    private void readChecked(int index, byte[] dst, int at, CRC32C crc) throws IOException {
        int chunkLen = chunkLength(index);
        long start = (long) index * chunkSize;
        if (index >= crcs.length) throw missingCrc(index);
        try {
            ChecksumFile.readFully(data, ByteBuffer.wrap(dst, at, chunkLen), start, dir);
        } catch (EOFException e) {
            throw new ChecksumException(id, dir, start, "data file ends inside this chunk");
        }
        crc.reset();
        crc.update(dst, at, chunkLen);
        int actual = (int) crc.getValue();
        if (actual != crcs[index]) {
            throw new ChecksumException(
                    id,
                    dir,
                    start,
                    "chunk " + index + " has crc " + BlockWriter.hex(actual) + ", sidecar says "
                            + BlockWriter.hex(crcs[index]));
        }
    }

    private ChecksumException missingCrc(int index) {
        return new ChecksumException(
                id, dir, (long) index * chunkSize, "sidecar ends before the checksum of chunk " + index);
    }

    @Override
    public void close() throws IOException {
        data.close();
    }
}
