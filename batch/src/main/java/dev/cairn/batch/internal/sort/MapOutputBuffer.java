package dev.cairn.batch.internal.sort;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The map side of the shuffle: collects a map task's encoded records into a fixed amount of
 * memory, spills sorted runs to local disk in the background while collecting goes on, and
 * finally merges the runs into one file of per-partition sorted segments ({@link MapOutputFile}).
 * Keys are compared as unsigned bytes and never decoded.
 *
 * <h2>Design note</h2>
 * Hadoop's {@code MapTask.MapOutputBuffer} is the model.
 * <ul>
 *   <li><b>One ring for data and metadata.</b> The whole budget is one {@code byte[]} ring.
 *       Around a point called the <i>equator</i>, record bytes grow upward and 16-byte metadata
 *       entries ({@code long} key prefix, {@code int} partition and key length code, {@code int}
 *       record start) grow downward, so the budget splits itself between the two whatever the record sizes. Entry i
 *       of the current generation sits at {@code equator - 16(i+1)} (mod capacity); the capacity
 *       and the equator are multiples of 16, so entries never straddle the end of the array.
 *   <li><b>Contiguous records.</b> A record is stored in segment format ({@code varint kLen,
 *       varint vLen, key, value}; see {@link SegmentWriter}) in one piece: when it does not fit
 *       between the data head and the end of the array, the tail is left as a gap (counted as used
 *       until the generation is spilled) and the record starts at offset 0. Keys can therefore be
 *       compared in place, and an uncombined spill copies each record out with one {@code
 *       arraycopy}.
 *   <li><b>Spill hand-off.</b> Once the current generation (data, gaps and metadata) passes the
 *       spill threshold, all of it is handed to the spill thread, and a new, empty generation
 *       starts at a new equator inside the free arc, placed so that data and metadata get shares
 *       in proportion to the average record size so far. While the spill runs, new records may
 *       only use that free arc: data grows up toward the spill's lowest metadata entry, metadata
 *       grows down toward the spill's data end. The collector blocks only when its side of the
 *       arc is full; when the spill ends its region is free again. One spill runs at a time.
 *   <li><b>Threads.</b> One thread calls {@link #collect} and {@link #finish}. The ring-position
 *       fields belong to it alone; the spill thread only reads and sorts its own generation. The
 *       hand-off and completion go through a lock (for happens-before), and the collector's fast
 *       path reads one volatile flag. The spill thread ({@code spill-<prefix>}) starts with the
 *       first spill, so a task whose output fits in memory never starts it: its only run is
 *       written by {@link #finish} and renamed into place.
 *   <li><b>Spill.</b> {@link SpillSorter} sorts the generation's metadata entries in place by
 *       (partition, key) with an introsort ({@link QuickSort}: O(n log n), no allocation),
 *       deciding most comparisons by the 8-byte key prefix and key length code in the entries
 *       without touching the records, folds equal keys with the combiner if there is one, and
 *       writes a run with a segment per partition. A record too large for the ring is written as a run of
 *       its own on the collecting thread.
 *   <li><b>Final merge.</b> {@link #finish} spills the rest, renames a single run into place, or
 *       merges all runs per partition ({@link RunMerger}, at most {@value #DEFAULT_MERGE_FACTOR}
 *       at a time), applying the combiner again once there are at least {@code
 *       minSpillsForCombine} runs, and writes the index.
 * </ul>
 * Errors of the spill thread (disk full, the combiner throwing) surface from the next {@link
 * #collect} or {@link #finish} as an {@link IOException} whose cause is the original, and every
 * call after that fails the same way. {@link #close()} deletes every file the buffer made unless
 * {@link #finish()} succeeded.
 */
@SuppressWarnings(
        "NonAtomicVolatileUpdate") // nextRun and bytesSpilled are written by the collecting thread only; volatile
// publishes them
public final class MapOutputBuffer implements AutoCloseable {
    public static final double DEFAULT_SPILL_FRACTION = 0.8;
    public static final int DEFAULT_MIN_SPILLS_FOR_COMBINE = 3;
    /** The most runs one merge pass reads at once (Hadoop's {@code io.sort.factor}); more runs take extra passes. */
    public static final int DEFAULT_MERGE_FACTOR = 100;
    /** The smallest ring accepted, in bytes. */
    public static final int MIN_BUFFER_BYTES = 64;

    /** The most partitions: the partition shares an int with the key length code. */
    public static final int MAX_PARTITIONS = 1 << 24;

    /**
     * Bytes of metadata per record, and the offsets of its fields: the key prefix; the partition
     * in the top 24 bits and {@code min(keyLength, 9)} in the low 8 (see {@link #tag}); the
     * record's offset in the ring.
     */
    static final int META = 16;

    static final int META_PREFIX = 0;
    static final int META_TAG = 8;
    static final int META_START = 12;
    static final VarHandle NATIVE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
    static final VarHandle NATIVE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle BIG_ENDIAN_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private static final int MAX_RING_BYTES = (Integer.MAX_VALUE - 64) & ~(META - 1);
    private static final int MAX_RECORD_BYTES = Integer.MAX_VALUE - 16;
    /** How long close waits for a spill that is being aborted. */
    private static final Duration SPILL_STOP_WAIT = Duration.ofSeconds(30);

    private final int capacity;
    private final long softLimit;
    private final int partitions;
    private final RawCombiner combiner;
    private final int minSpillsForCombine;
    private final Path dir;
    private final String prefix;
    private byte[] ring;

    // The collecting thread's view of the ring.
    private int equator;
    /** Where the next record's bytes go (before any wrap). */
    private int head;
    /** Records in the current generation. */
    private int count;
    /** Bytes of the current generation's records and gaps. */
    private long genBytes;
    /** A spill was handed off and its completion not yet absorbed. */
    private boolean spilling;
    /** While spilling: free bytes above the data head, and below the lowest metadata entry. */
    private long dataRoom;

    private long metaRoom;
    private long ringRecords;
    private long ringRecordBytes;
    private final List<Run> runs = new ArrayList<>();
    private IOException failure;
    private boolean finished;
    private long recordsCollected;
    private int mergeFactor = DEFAULT_MERGE_FACTOR;
    private long wraps;
    private volatile int nextRun;
    private volatile int spillCount;
    private volatile long bytesSpilled;

    // Shared with the spill thread.
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private SpillJob job;
    private boolean stopping;
    private Thread spillThread;
    private volatile boolean spillFinished;
    /** Results of the last spill, published by the write of {@link #spillFinished}. */
    private Run spillResult;

    private Throwable spillError;
    private volatile boolean closed;

    private record SpillJob(int run, int equator, int count, long bytes) {}

    /**
     * @param bufferBytes the memory budget for records and their metadata together (at least
     *     {@value #MIN_BUFFER_BYTES}; rounded down to a multiple of 16, at most about 2 GiB)
     * @param spillFraction how full the ring gets before a background spill starts, in (0, 1]
     * @param partitions the number of partitions (reducers), at least 1
     * @param combiner folds the values of equal keys at each spill and in the final merge; nullable
     * @param minSpillsForCombine the fewest runs for which the final merge applies the combiner
     * @param dir the directory for runs and the final {@code <prefix>.out} and {@code <prefix>.index}
     * @param prefix the file name prefix, unique per task attempt in {@code dir}
     */
    public MapOutputBuffer(
            long bufferBytes,
            double spillFraction,
            int partitions,
            RawCombiner combiner,
            int minSpillsForCombine,
            Path dir,
            String prefix) {
        if (bufferBytes < MIN_BUFFER_BYTES)
            throw new IllegalArgumentException(
                    "buffer of " + bufferBytes + " bytes; at least " + MIN_BUFFER_BYTES + " needed");
        if (!(spillFraction > 0 && spillFraction <= 1))
            throw new IllegalArgumentException("spill fraction must be in (0, 1]: " + spillFraction);
        if (partitions < 1 || partitions > MAX_PARTITIONS)
            throw new IllegalArgumentException("partitions must be in [1, 2^24]: " + partitions);
        if (minSpillsForCombine < 0)
            throw new IllegalArgumentException("minSpillsForCombine must be >= 0: " + minSpillsForCombine);
        this.capacity = (int) Math.min(bufferBytes & ~(long) (META - 1), MAX_RING_BYTES);
        this.softLimit = Math.max(1, (long) (capacity * spillFraction));
        this.partitions = partitions;
        this.combiner = combiner;
        this.minSpillsForCombine = minSpillsForCombine;
        this.dir = Objects.requireNonNull(dir, "dir");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.ring = new byte[capacity];
    }

    /** With Hadoop's defaults: spill at 80% full, combine in the final merge from 3 runs. */
    public MapOutputBuffer(long bufferBytes, int partitions, RawCombiner combiner, Path dir, String prefix) {
        this(bufferBytes, DEFAULT_SPILL_FRACTION, partitions, combiner, DEFAULT_MIN_SPILLS_FOR_COMBINE, dir, prefix);
    }

    /**
     * Copies one record in. Returns at once unless the ring is full while a spill is under way,
     * in which case it waits for the spill. A record too large for the ring is written to disk
     * as a run of its own before this returns.
     *
     * @throws IOException if a spill failed (now or earlier); the cause is the original error
     * @throws IllegalStateException after {@link #finish()} or {@link #close()}
     */
    public void collect(int partition, byte[] key, int kOff, int kLen, byte[] val, int vOff, int vLen)
            throws IOException {
        if (closed || finished)
            throw new IllegalStateException(
                    "map output buffer of " + prefix + (closed ? " is closed" : " is finished"));
        if (partition < 0 || partition >= partitions)
            throw new IllegalArgumentException("partition " + partition + " of " + partitions);
        Objects.checkFromIndexSize(kOff, kLen, key.length);
        Objects.checkFromIndexSize(vOff, vLen, val.length);
        if (spilling && spillFinished) absorbSpill();
        if (failure != null) throw failure;
        long size = (long) SegmentWriter.varintSize(kLen) + SegmentWriter.varintSize(vLen) + kLen + vLen;
        if (size > capacity - META) {
            spillLargeRecord(partition, key, kOff, kLen, val, vOff, vLen, size);
            return;
        }
        int n = (int) size;
        int pos;
        while ((pos = reserve(n)) < 0) makeRoom();
        byte[] r = ring;
        int p = SegmentWriter.putVarint(r, SegmentWriter.putVarint(r, pos, kLen), vLen);
        System.arraycopy(key, kOff, r, p, kLen);
        System.arraycopy(val, vOff, r, p + kLen, vLen);
        int m = equator - META * (count + 1);
        if (m < 0) m += capacity;
        NATIVE_LONG.set(r, m + META_PREFIX, prefix(key, kOff, kLen));
        NATIVE_INT.set(r, m + META_TAG, tag(partition, kLen));
        NATIVE_INT.set(r, m + META_START, pos);
        count++;
        recordsCollected++;
        ringRecords++;
        ringRecordBytes += n;
        if (!spilling && genBytes + (long) META * count >= softLimit) startSpill();
    }

    /**
     * Partition and key length code in one int. With equal prefixes, a key of at most 8 bytes is
     * ordered against any other key by length alone (the shorter is a prefix of the longer), so
     * the sort reads record bytes only for ties between keys longer than 8 bytes.
     */
    static int tag(int partition, int keyLength) {
        return partition << 8 | Math.min(keyLength, 9);
    }

    /** The first 8 key bytes as a big-endian unsigned long, zero-padded: ordered like the keys whenever they differ. */
    static long prefix(byte[] key, int off, int len) {
        if (len >= 8) return (long) BIG_ENDIAN_LONG.get(key, off);
        long v = 0;
        for (int i = 0; i < len; i++) v = (v << 8) | (key[off + i] & 0xFF);
        return len == 0 ? 0 : v << (8 * (8 - len));
    }

    /** Claims room for an {@code n}-byte record and its metadata entry; the record's offset, or -1 when there is none. */
    private int reserve(int n) {
        // A record that would straddle the end of the array starts at 0; the tail becomes a gap.
        int gap = head > capacity - n ? capacity - head : 0;
        long need = (long) gap + n;
        if (spilling) {
            if (need > dataRoom || META > metaRoom) return -1;
            dataRoom -= need;
            metaRoom -= META;
        } else if (need + META > capacity - genBytes - (long) META * count) {
            return -1;
        }
        int pos = 0;
        if (gap > 0) wraps++;
        else pos = head;
        head = pos + n == capacity ? 0 : pos + n;
        genBytes += need;
        return pos;
    }

    /** Called when a record does not fit: waits for the running spill, or starts one. */
    private void makeRoom() throws IOException {
        if (closed) throw closedWhileCollecting();
        if (spilling) {
            awaitSpill();
            absorbSpill();
        } else if (count == 0) {
            // Nothing buffered: the whole ring is free, and from offset 0 no gap is needed.
            resetRing();
        } else {
            startSpill();
        }
    }

    private void resetRing() {
        equator = 0;
        head = 0;
        genBytes = 0;
    }

    /** Hands the current generation to the spill thread and starts a new one in the free arc. */
    private void startSpill() {
        SpillJob spill = new SpillJob(nextRun++, equator, count, genBytes);
        long free = capacity - genBytes - (long) META * count;
        // The free arc runs from the data head up to the generation's lowest metadata entry.
        // Split it in proportion to what records have needed so far: 16 bytes of metadata per
        // ringRecordBytes / ringRecords of data.
        double metaShare = META / (META + (double) ringRecordBytes / Math.max(1, ringRecords));
        long toMeta = Math.min(free, Math.max(META, (long) (free * metaShare)));
        // The arc's far end is 16-aligned, so rounding the new equator up keeps it inside.
        long newEquator = (head + toMeta + META - 1) & ~(long) (META - 1);
        metaRoom = newEquator - head;
        dataRoom = free - metaRoom;
        equator = (int) (newEquator % capacity);
        head = equator;
        count = 0;
        genBytes = 0;
        spilling = true;
        spillFinished = false;
        lock.lock();
        try {
            if (stopping) {
                spillError = new IOException("map output buffer of " + prefix + " closed");
                spillFinished = true;
                return;
            }
            job = spill;
            if (spillThread == null) {
                spillThread = new Thread(this::spillLoop, "spill-" + prefix);
                spillThread.setDaemon(true);
                spillThread.start();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void spillLoop() {
        while (true) {
            SpillJob spill;
            lock.lock();
            try {
                while (job == null && !stopping) changed.await();
                if (stopping) return;
                spill = job;
                job = null;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            Run result = null;
            Throwable error = null;
            try {
                result = writeRun(spill.run(), spill.equator(), spill.count(), spill.bytes());
            } catch (Throwable t) {
                error = t;
            }
            lock.lock();
            try {
                spillResult = result;
                spillError = error;
                spillFinished = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Sorts and writes one generation as run {@code run}; deletes the file if that fails. */
    private Run writeRun(int run, int atEquator, int records, long bytes) throws IOException {
        Path file = spillPath(run);
        SpillSorter sorter = new SpillSorter(ring, atEquator, records);
        sorter.sort();
        try {
            return sorter.write(run, file, partitions, combiner, () -> closed, SegmentWriter.bufferSizeFor(bytes));
        } catch (Throwable t) {
            deleteQuietly(file, t);
            throw t;
        }
    }

    private void awaitSpill() throws IOException {
        lock.lock();
        try {
            while (!spillFinished) {
                if (closed) throw closedWhileCollecting();
                changed.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a spill of " + prefix);
        } finally {
            lock.unlock();
        }
    }

    /** Takes in the finished spill's result: a new run, or the failure that ends this buffer. */
    private void absorbSpill() throws IOException {
        spilling = false;
        Run run;
        Throwable error;
        lock.lock();
        try {
            run = spillResult;
            error = spillError;
            spillResult = null;
            spillError = null;
        } finally {
            lock.unlock();
        }
        if (error != null) throw fail("spill", error);
        addRun(run);
        if (count == 0) resetRing();
    }

    private void addRun(Run run) {
        runs.add(run);
        spillCount = runs.size();
        bytesSpilled += run.bytes();
    }

    private IOException fail(String what, Throwable t) {
        if (failure == null) {
            String detail = t.getMessage() == null ? t.toString() : t.getMessage();
            failure = new IOException(what + " of " + prefix + " failed: " + detail, t);
        }
        return failure;
    }

    /** A record larger than the ring: written right away as a run of its own, with no other records. */
    private void spillLargeRecord(
            int partition, byte[] key, int kOff, int kLen, byte[] val, int vOff, int vLen, long size)
            throws IOException {
        if (size > MAX_RECORD_BYTES) throw new IllegalArgumentException("record of " + size + " bytes is too large");
        int run = nextRun++;
        Path file = spillPath(run);
        List<MapOutputFile.Segment> segments = new ArrayList<>(partitions);
        try (OutputStream os = Files.newOutputStream(file)) {
            SegmentWriter w = new SegmentWriter(os, SegmentWriter.bufferSizeFor(size));
            for (int p = 0; p < partitions; p++) {
                if (p == partition) w.append(key, kOff, kLen, val, vOff, vLen);
                segments.add(w.endSegment());
            }
            w.flush();
        } catch (IOException | RuntimeException | Error e) {
            deleteQuietly(file, e);
            throw fail("spilling a record of " + size + " bytes", e);
        }
        addRun(new Run(run, file, segments));
        recordsCollected++;
    }

    /** Spills what is buffered as a run of its own and waits for it; for tests. */
    void spillNow() throws IOException {
        if (closed || finished)
            throw new IllegalStateException("map output buffer of " + prefix + " is closed or finished");
        if (spilling) {
            awaitSpill();
            absorbSpill();
        }
        if (failure != null) throw failure;
        if (count == 0) return;
        startSpill();
        awaitSpill();
        absorbSpill();
    }

    /**
     * Spills what is left, merges all runs into {@code <dir>/<prefix>.out}, writes its index to
     * {@code <dir>/<prefix>.index} and deletes the runs. A single run is renamed, not copied. The
     * ring is released; {@link #close()} still has to be called.
     *
     * @throws IOException if a spill or the merge failed; the cause is the original error
     * @throws IllegalStateException if called twice or after {@link #close()}
     */
    public MapOutputFile finish() throws IOException {
        if (closed || finished)
            throw new IllegalStateException(
                    "map output buffer of " + prefix + (closed ? " is closed" : " is finished"));
        if (failure != null) throw failure;
        if (spilling) {
            awaitSpill();
            absorbSpill();
        }
        if (count > 0) {
            // No other spill runs now, so the last one is written on this thread: a task whose
            // output fits in the ring never starts the spill thread.
            int run = nextRun++;
            try {
                addRun(writeRun(run, equator, count, genBytes));
            } catch (IOException | RuntimeException | Error e) {
                throw fail("final spill", e);
            }
            count = 0;
            resetRing();
        }
        stopSpillThread(false);
        ring = null;
        Path out = MapOutputFile.dataPath(dir, prefix);
        MapOutputFile result;
        try {
            if (runs.size() == 1) {
                Files.move(
                        runs.getFirst().file(),
                        out,
                        StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
                result = new MapOutputFile(out, runs.getFirst().segments());
            } else {
                // Whether to combine depends on the runs the map made, not on what merge passes leave.
                RawCombiner c = runs.size() >= minSpillsForCombine ? combiner : null;
                // The ring is released, so the merge may use that much memory for its read buffers.
                RunMerger merger = new RunMerger(partitions, mergeFactor, capacity, () -> closed);
                result = merger.mergeAll(runs, c, out, () -> nextRun++, this::spillPath);
            }
            result.writeIndex(MapOutputFile.indexPath(dir, prefix));
        } catch (IOException | RuntimeException | Error e) {
            throw fail("final merge", e);
        }
        for (Run r : runs) Files.deleteIfExists(r.file());
        finished = true;
        return result;
    }

    /** Sets how many runs one merge pass may read at once; for tests. */
    void mergeFactor(int factor) {
        if (factor < 2) throw new IllegalArgumentException("merge factor must be >= 2: " + factor);
        this.mergeFactor = factor;
    }

    /** Records collected so far, large ones included. Exact on the collecting thread, recent elsewhere. */
    public long recordsCollected() {
        return recordsCollected;
    }

    /** Runs written so far (spills, large records, and the final spill). */
    public int spillCount() {
        return spillCount;
    }

    /** Bytes written to runs so far, not counting the final merge. */
    public long bytesSpilled() {
        return bytesSpilled;
    }

    /** Records that wrapped to the start of the ring, leaving a gap; for tests. */
    long wraps() {
        return wraps;
    }

    private Path spillPath(int run) {
        return dir.resolve(prefix + ".spill" + run);
    }

    private IOException closedWhileCollecting() {
        return new IOException("map output buffer of " + prefix + " was closed");
    }

    /** Stops the spill thread, interrupting a spill under way if asked, and waits a bounded time for it. */
    private void stopSpillThread(boolean interrupt) {
        Thread t;
        lock.lock();
        try {
            stopping = true;
            changed.signalAll();
            t = spillThread;
        } finally {
            lock.unlock();
        }
        if (t == null || t == Thread.currentThread()) return;
        if (interrupt) t.interrupt();
        try {
            t.join(SPILL_STOP_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the spill thread and, unless {@link #finish()} succeeded, deletes every file this
     * buffer made: runs, and a partial output and index. Idempotent. May be called from another
     * thread to abort a task: a collector waiting for a spill then fails with an IOException.
     */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        stopSpillThread(true);
        IOException first = null;
        int made = nextRun;
        List<Path> files = new ArrayList<>(made + 2);
        for (int r = 0; r < made; r++) files.add(spillPath(r));
        if (!finished) {
            files.add(MapOutputFile.dataPath(dir, prefix));
            files.add(MapOutputFile.indexPath(dir, prefix));
        }
        for (Path f : files) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }

    private static void deleteQuietly(Path file, Throwable cause) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
