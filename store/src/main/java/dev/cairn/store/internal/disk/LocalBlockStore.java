package dev.cairn.store.internal.disk;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's blocks on its local disks: checksummed, durable once finished, verified on every read.
 *
 * <h2>Layout</h2>
 *
 * <pre>
 *   &lt;dir&gt;/in_use.lock     held while a store has the directory open
 *   &lt;dir&gt;/current/blk_X    finalized block data
 *   &lt;dir&gt;/current/blk_X.crc its checksums (see {@link ChecksumFile}): one CRC32C per chunk
 *   &lt;dir&gt;/tmp/blk_X[.crc]  a block being written
 * </pre>
 *
 * A block lives in one directory, chosen when it is created: the one with the most usable space,
 * in turns among near-equals ({@link VolumeChooser}).
 *
 * <h2>Crash safety</h2>
 *
 * A block is finalized if and only if its data file is in {@code current/} with a complete sidecar
 * beside it. {@link BlockWriter#finish} keeps that true at every instant: both files are forced
 * first, then the sidecar is renamed in and made durable before the data file is. {@link #delete}
 * removes the data file before the sidecar. So after a crash, {@link #open(Options)} tells
 * finished work from debris without a journal: it deletes all of {@code tmp/}, sidecars without
 * data, and, with a warning since only damage makes them, data files without a complete sidecar.
 *
 * <h2>Threads</h2>
 *
 * Thread-safe, without a store-wide lock: writers of different blocks, readers, deletes and
 * listings run concurrently; the shared state is two concurrent maps and a counter. An id is
 * claimed by at most one writer or delete at a time ({@code busy}), so no two of them ever touch
 * one block's files at once; a reader that lost the race with a delete gets
 * {@link NoSuchFileException}. Each {@link BlockWriter} is for one thread; a {@link BlockReader}
 * may be shared.
 */
public final class LocalBlockStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalBlockStore.class);
    public static final int DEFAULT_CHUNK_SIZE = 64 << 10;
    /** The largest chunk size a block may have: a writer holds one chunk in memory. */
    public static final int MAX_CHUNK_SIZE = ChecksumFile.MAX_CHUNK_SIZE;

    /** Usable bytes in a directory's file system; injected so tests can stage full and empty disks. */
    @FunctionalInterface
    public interface SpaceProbe {
        SpaceProbe FILE_STORE = dir -> Files.getFileStore(dir).getUsableSpace();

        long usableBytes(Path dir) throws IOException;
    }

    /**
     * How to open a store.
     *
     * @param dirs data directories, created if missing; at least one, no two the same
     * @param chunkSize bytes per checksum for new blocks (existing blocks keep theirs), 1 to 16 MiB
     */
    public record Options(List<Path> dirs, int chunkSize, SpaceProbe spaceProbe) {
        public Options {
            dirs = List.copyOf(dirs);
            if (dirs.isEmpty()) throw new IllegalArgumentException("a block store needs at least one data directory");
            ChecksumFile.checkChunkSize(chunkSize);
            Objects.requireNonNull(spaceProbe, "spaceProbe");
        }

        public static Options of(List<Path> dirs) {
            return new Options(dirs, DEFAULT_CHUNK_SIZE, SpaceProbe.FILE_STORE);
        }

        public Options withChunkSize(int chunkSize) {
            return new Options(dirs, chunkSize, spaceProbe);
        }

        public Options withSpaceProbe(SpaceProbe spaceProbe) {
            return new Options(dirs, chunkSize, spaceProbe);
        }
    }

    /** Where a finalized block is. */
    private record Stored(BlockInfo info, Volume volume) {}

    private final List<Volume> volumes;
    private final VolumeChooser chooser;
    private final SpaceProbe spaceProbe;
    private final int chunkSize;
    private final Map<BlockId, Stored> blocks = new ConcurrentHashMap<>();
    /** Ids being written or deleted, and the directory they are in. */
    private final Map<BlockId, Volume> busy = new ConcurrentHashMap<>();

    private final AtomicLong usedBytes = new AtomicLong();
    private volatile boolean closed;

    private LocalBlockStore(List<Volume> volumes, Options options) {
        this.volumes = List.copyOf(volumes);
        this.chooser = new VolumeChooser(volumes, options.spaceProbe());
        this.spaceProbe = options.spaceProbe();
        this.chunkSize = options.chunkSize();
    }

    /**
     * Opens (creating if needed) and locks the data directories, recovers them after a crash as
     * described above, and loads the finalized blocks.
     *
     * @throws IOException naming the directory, if one cannot be created, written or locked
     */
    public static LocalBlockStore open(Options options) throws IOException {
        Set<Path> seen = new HashSet<>();
        for (Path d : options.dirs()) {
            if (!seen.add(d.toAbsolutePath().normalize()))
                throw new IllegalArgumentException("data directory " + d + " is listed twice");
        }
        List<Volume> volumes = new ArrayList<>();
        try {
            for (Path d : options.dirs()) volumes.add(Volume.open(d));
            LocalBlockStore store = new LocalBlockStore(volumes, options);
            for (Volume v : volumes) {
                for (Map.Entry<BlockId, Long> e : v.recover().entrySet())
                    store.load(new BlockInfo(e.getKey(), e.getValue()), v);
            }
            LOG.info("opened block store in {}: {} blocks, {} bytes", volumes, store.blocks.size(), store.usedBytes());
            return store;
        } catch (IOException | RuntimeException e) {
            for (Volume v : volumes) closeQuietly(v, e);
            throw e;
        }
    }

    private void load(BlockInfo info, Volume volume) {
        Stored first = blocks.putIfAbsent(info.id(), new Stored(info, volume));
        if (first != null) {
            // Left on disk, not deleted: which copy is good is for a verify or the cluster to say.
            LOG.warn("{} is in both {} and {}; using the one in {}", info.id(), first.volume(), volume, first.volume());
            return;
        }
        usedBytes.addAndGet(info.length());
    }

    /** Starts a new block with this store's chunk size. */
    public BlockWriter create(BlockId id) throws IOException {
        return create(id, chunkSize);
    }

    /**
     * Starts a new block with the given chunk size: a replica takes its source's, so the chunks and
     * checksums it receives are stored as they come.
     *
     * @throws FileAlreadyExistsException if {@code id} is finalized, being written, or being deleted
     */
    public BlockWriter create(BlockId id, int chunkSize) throws IOException {
        checkOpen();
        ChecksumFile.checkChunkSize(chunkSize);
        Volume volume = chooser.choose();
        // Claim the id before looking for a finalized block: finish() adds the block before it
        // releases the claim, so one of the two checks always sees it.
        Volume other = busy.putIfAbsent(id, volume);
        if (other != null)
            throw new FileAlreadyExistsException(
                    other.root.toString(), null, id + " is being written or deleted there");
        Stored existing = blocks.get(id);
        if (existing != null) {
            busy.remove(id);
            throw new FileAlreadyExistsException(
                    existing.volume().dataFile(id).toString(), null, id + " already exists");
        }
        try {
            return new BlockWriter(this, volume, id, chunkSize);
        } catch (IOException | RuntimeException e) {
            busy.remove(id);
            throw e;
        }
    }

    /** Called by a writer once its block is durable in {@code current/}. */
    void finalized(BlockInfo info, Volume volume) {
        blocks.put(info.id(), new Stored(info, volume));
        usedBytes.addAndGet(info.length());
        busy.remove(info.id());
    }

    /** Called by a writer that was aborted. */
    void released(BlockId id) {
        busy.remove(id);
    }

    /**
     * Opens a finalized block for reading.
     *
     * @throws NoSuchFileException if there is no such block
     * @throws ChecksumException if its sidecar's header is damaged
     */
    public BlockReader open(BlockId id) throws IOException {
        Stored s = blocks.get(id);
        if (s == null) throw new NoSuchFileException(id.toString(), null, "no such block");
        return BlockReader.open(id, s.volume(), s.info().length());
    }

    /**
     * Reads a whole block, checking every chunk.
     *
     * @return {@link VerifyResult.Ok}, or the first chunk that failed
     * @throws NoSuchFileException if there is no such block
     */
    public VerifyResult verify(BlockId id) throws IOException {
        try {
            return verify(id, BlockReader.ChunkPacer.NONE);
        } catch (InterruptedException e) {
            throw new AssertionError("ChunkPacer.NONE does not wait", e);
        }
    }

    VerifyResult verify(BlockId id, BlockReader.ChunkPacer pacer) throws IOException, InterruptedException {
        BlockReader reader;
        try {
            reader = open(id);
        } catch (ChecksumException e) {
            return new VerifyResult.Corrupt(id, 0, 0, e.getMessage());
        }
        try (reader) {
            return reader.verify(pacer);
        }
    }

    /** The finalized blocks, in id order: the content of a block report. */
    public List<BlockInfo> blocks() {
        return blocks.values().stream()
                .map(Stored::info)
                .sorted(Comparator.comparing(BlockInfo::id))
                .toList();
    }

    /** How many finalized blocks are held, without listing them. */
    public int blockCount() {
        return blocks.size();
    }

    public boolean contains(BlockId id) {
        return blocks.containsKey(id);
    }

    /**
     * Deletes a finalized block. Readers that have it open keep reading it. Not forced to disk: a
     * crash may bring the block back, and the next block report then lists it again for the
     * cluster to delete once more.
     *
     * @return whether the block existed; false also if it is being written or deleted right now
     */
    public boolean delete(BlockId id) throws IOException {
        checkOpen();
        Stored s = blocks.get(id);
        if (s == null || busy.putIfAbsent(id, s.volume()) != null) return false;
        try {
            if (!blocks.remove(id, s)) return false;
            usedBytes.addAndGet(-s.info().length());
            // Data first: without it the sidecar is debris open() removes; the reverse order
            // could leave a data file without checksums, which looks like damage.
            Files.deleteIfExists(s.volume().dataFile(id));
            Files.deleteIfExists(s.volume().crcFile(id));
            return true;
        } finally {
            busy.remove(id);
        }
    }

    /** Usable bytes left for blocks, counting each file system under the data directories once. */
    public long freeBytes() throws IOException {
        Set<FileStore> counted = new HashSet<>();
        long free = 0;
        for (Volume v : volumes) {
            if (counted.add(v.fileStore)) free += spaceProbe.usableBytes(v.root);
        }
        return free;
    }

    /** Bytes of data in finalized blocks (sidecars not counted). */
    public long usedBytes() {
        return usedBytes.get();
    }

    /** The data directories, absolute. */
    public List<Path> dirs() {
        return volumes.stream().map(v -> v.root).toList();
    }

    void checkOpen() {
        if (closed) throw new IllegalStateException("block store " + volumes + " is closed");
    }

    /**
     * Releases the data directories. Finish or abort writers first: a writer still open cannot
     * finish afterwards, and its files are removed the next time the directories are opened.
     * Open readers keep working.
     */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        IOException failure = null;
        for (Volume v : volumes) {
            try {
                v.close();
            } catch (IOException e) {
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
        }
        if (failure != null) throw failure;
    }

    private static void closeQuietly(Volume v, Exception cause) {
        try {
            v.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
