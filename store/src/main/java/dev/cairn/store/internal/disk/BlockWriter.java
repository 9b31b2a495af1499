package dev.cairn.store.internal.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Objects;

/**
 * Writes one new block into {@code tmp/} of its data directory, checksumming it chunk by chunk,
 * until {@link #finish} makes it a finalized block or {@link #abort} discards it. Nothing of an
 * unfinished block is visible to readers, and a crash leaves only files that the next
 * {@link LocalBlockStore#open(LocalBlockStore.Options)} deletes.
 *
 * <p>Two ways to feed it, which may be mixed at chunk boundaries:
 *
 * <ul>
 *   <li>{@link #write(byte[], int, int)} / {@link #write(ByteBuffer)}: any amounts; the writer cuts
 *       chunks and computes their CRC32C itself. For data that originates here.
 *   <li>{@link #writeChunk}: one whole chunk with the CRC32C its sender computed, checked before
 *       anything is written. For a replication pipeline, so a block is checksummed once, where it
 *       enters the system, and corruption anywhere along the way is caught.
 * </ul>
 *
 * <p>Not thread-safe: one thread writes a block. After an {@link IOException} the block's content is
 * undefined; abort it.
 */
public final class BlockWriter implements AutoCloseable {
    private enum State {
        OPEN,
        FINISHED,
        ABORTED
    }

    private final LocalBlockStore store;
    private final Volume volume;
    private final BlockId id;
    private final int chunkSize;
    private final FileChannel data;
    private final FileChannel crcs;
    /** Gathers {@link #write}s into chunks; complete chunks go to disk at once. */
    private final ChunkAssembler chunks;
    /** Checksums not yet written to the sidecar. */
    private final ByteBuffer pendingCrcs = ByteBuffer.allocate(4096);
    /** Bytes of complete chunks written to the data file. */
    private long flushed;
    /** Set by a short {@link #writeChunk}: only the last chunk may be short. */
    private boolean ended;
    // Volatile: LocalBlockStore.close may abort a writer from another thread.
    private volatile State state = State.OPEN;

    BlockWriter(LocalBlockStore store, Volume volume, BlockId id, int chunkSize) throws IOException {
        this.store = store;
        this.volume = volume;
        this.id = id;
        this.chunkSize = chunkSize;
        this.chunks = new ChunkAssembler(chunkSize, this::appendChunk);
        // CREATE_NEW: the store hands an id to one writer at a time and open() empties tmp/, so an
        // existing file here means something outside this store is using the directory.
        this.data = FileChannel.open(volume.tmpDataFile(id), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileChannel c = null;
        try {
            c = FileChannel.open(volume.tmpCrcFile(id), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            writeFully(c, ChecksumFile.header(chunkSize));
        } catch (IOException | RuntimeException e) {
            if (c != null) c.close();
            data.close();
            Files.deleteIfExists(volume.tmpDataFile(id));
            Files.deleteIfExists(volume.tmpCrcFile(id));
            throw e;
        }
        this.crcs = c;
    }

    public BlockId id() {
        return id;
    }

    public int chunkSize() {
        return chunkSize;
    }

    /** Bytes written so far. */
    public long length() {
        return flushed + chunks.pending();
    }

    /** Appends {@code len} bytes of {@code b} from {@code off}. */
    public void write(byte[] b, int off, int len) throws IOException {
        checkWritable();
        chunks.write(b, off, len);
    }

    /** Appends the remaining bytes of {@code src}, consuming them. */
    public void write(ByteBuffer src) throws IOException {
        checkWritable();
        chunks.write(src);
    }

    /**
     * Appends one chunk received with its checksum, after checking that the data matches it. The
     * writer must be at a chunk boundary (everything before was whole chunks), {@code len} must be
     * from 1 to {@link #chunkSize()}, and a chunk shorter than that ends the block: nothing more
     * may be written.
     *
     * @throws ChecksumException if the data does not match {@code expectedCrc}; nothing is written
     *     and the writer stays usable, so the chunk may be sent again
     * @throws IllegalStateException if not at a chunk boundary, or the block has ended
     */
    public void writeChunk(byte[] b, int off, int len, int expectedCrc) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        checkWritable();
        if (len < 1 || len > chunkSize)
            throw new IllegalArgumentException(
                    "chunk of " + len + " bytes; chunks of " + id + " have 1 to " + chunkSize);
        if (chunks.pending() != 0)
            throw new IllegalStateException(id + ": writeChunk needs a chunk boundary, but " + chunks.pending()
                    + " bytes of a partial chunk are pending");
        int actual = chunks.crc(b, off, len);
        if (actual != expectedCrc) {
            throw new ChecksumException(
                    id,
                    volume.root,
                    flushed,
                    "received chunk with crc " + hex(expectedCrc) + " but its " + len + " bytes have crc "
                            + hex(actual));
        }
        appendChunk(b, off, len, actual);
        if (len < chunkSize) ended = true;
    }

    /**
     * Makes the block durable and finalized: it is then listed, readable, and survives a crash.
     * Returns only once that is so. Writing fails afterwards.
     *
     * <p>Order, for crash safety: data and sidecar are forced to disk in {@code tmp/}; the sidecar
     * is renamed into {@code current/} and {@code current/} forced, so no file system can persist
     * the next rename without this one; then the data file is renamed in and {@code current/}
     * forced again. The data file's rename is the commit point: a data file in {@code current/}
     * always has its complete sidecar beside it. A crash before it leaves tmp files and perhaps a sidecar without
     * data in {@code current/}; {@link LocalBlockStore#open(LocalBlockStore.Options)} deletes both, and the caller never
     * got a {@link BlockInfo}, so never reported the block.
     */
    public BlockInfo finish() throws IOException {
        checkOpen();
        try {
            chunks.flush();
            drainCrcs();
            data.force(true);
            crcs.force(true);
            data.close();
            crcs.close();
            store.checkOpen();
            try {
                Files.move(volume.tmpCrcFile(id), volume.crcFile(id), StandardCopyOption.ATOMIC_MOVE);
                Volume.syncDir(volume.current);
                Files.move(volume.tmpDataFile(id), volume.dataFile(id), StandardCopyOption.ATOMIC_MOVE);
                Volume.syncDir(volume.current);
            } catch (IOException | RuntimeException e) {
                // Not acknowledged, so not finalized: take back whatever reached current/.
                Files.deleteIfExists(volume.dataFile(id));
                Files.deleteIfExists(volume.crcFile(id));
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
        state = State.FINISHED;
        BlockInfo info = new BlockInfo(id, flushed);
        store.finalized(info, volume);
        return info;
    }

    /** Discards the block: deletes its files and frees its id. Does nothing once finished or aborted. */
    public void abort() throws IOException {
        if (state != State.OPEN) return;
        state = State.ABORTED;
        try {
            data.close();
            crcs.close();
            Files.deleteIfExists(volume.tmpDataFile(id));
            Files.deleteIfExists(volume.tmpCrcFile(id));
        } finally {
            store.released(id);
        }
    }

    /** Aborts the block unless it was finished, so try-with-resources never leaves a half-written one. */
    @Override
    public void close() throws IOException {
        abort();
    }

    private void appendChunk(byte[] b, int off, int len, int chunkCrc) throws IOException {
        writeFully(data, ByteBuffer.wrap(b, off, len));
        flushed += len;
        if (!pendingCrcs.hasRemaining()) drainCrcs();
        pendingCrcs.putInt(chunkCrc);
    }

    private void drainCrcs() throws IOException {
        writeFully(crcs, pendingCrcs.flip());
        pendingCrcs.clear();
    }

    private static void writeFully(FileChannel ch, ByteBuffer src) throws IOException {
        while (src.hasRemaining()) ch.write(src);
    }

    private void checkOpen() {
        if (state != State.OPEN)
            throw new IllegalStateException(id + " is " + state.name().toLowerCase(Locale.ROOT));
    }

    private void checkWritable() {
        checkOpen();
        if (ended) throw new IllegalStateException(id + " ended with a short chunk; nothing may follow it");
    }

    static String hex(int crc) {
        return String.format("0x%08x", crc);
    }
}
