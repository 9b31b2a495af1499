package dev.cairn.batch.internal.sort;

import dev.cairn.common.codec.Bytes;
import dev.cairn.common.codec.BytesOut;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The map side of the shuffle: collects a map task's encoded records into a fixed amount of
 * memory, spills sorted runs to local disk in the background, and merges them into one file of
 * per-partition sorted segments ({@link MapOutputFile}).
 *
 * <p>Design (Hadoop's {@code MapTask.MapOutputBuffer} is the model, simplified):
 * <ul>
 *   <li>Memory is two rings sized from one budget: a byte ring holding each record's key and
 *       value back to back, and an int ring of metadata (partition, start, key length, value
 *       length) — four ints a record. A record never straddles the end of the byte ring: when it
 *       does not fit in the tail, the tail is left as a gap and the record goes to the front, so
 *       keys can be compared in place.
 *   <li>Records in {@code [metaTail, spillEnd)} belong to the spill in progress and are read, never
 *       written, by the spill thread; records in {@code [spillEnd, metaHead)} are the collector's.
 *       When the collector's part passes the threshold (80% of either ring), it hands that part to
 *       the spill thread and keeps collecting into what is free; it waits only when the rings are
 *       full. At most one spill runs at a time, and it frees its records when written.
 *   <li>A spill sorts an index of its records by (partition, key bytes unsigned), comparing an
 *       8-byte key prefix first, folds equal keys with the combiner if there is one, and writes
 *       one run file. {@link #finish()} merges the runs partition by partition (k-way), applying
 *       the combiner again once there are at least {@code minSpillsForCombine} runs.
 * </ul>
 * One thread collects; the spill thread is internal. Errors of the spill thread (disk full, the
 * combiner throwing) surface from the next {@link #collect} or {@link #finish}.
 */
public final class MapOutputBuffer implements AutoCloseable {
    private static final int META_INTS = 4;

    private final int partitions;
    private final RawCombiner combiner;
    private final int minSpillsForCombine;
    private final Path dir;
    private final String prefix;

    private final byte[] kv;
    private final int[] meta;
    private final int metaCapacity;
    private final long spillBytesThreshold;
    private final long spillRecordsThreshold;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition spillDone = lock.newCondition();
    private long metaTail;
    private long spillEnd;
    private long metaHead;
    private int dataHead;
    private int dataTail;
    /** The head has jumped back to the front: free bytes are {@code [dataHead, dataTail)}. */
    private boolean wrapped;
    private long unspilledBytes;
    private boolean spilling;
    private Throwable spillError;

    private ExecutorService spillThread;
    private final List<Path> runs = new ArrayList<>();
    private final List<List<MapOutputFile.Segment>> runIndexes = new ArrayList<>();
    private boolean finished;
    private boolean closed;

    private long recordsCollected;
    private volatile long bytesSpilled;

    /**
     * @param bufferBytes memory for records and their metadata together
     * @param combiner nullable
     * @param dir where runs and the final {@code <prefix>.out} and {@code <prefix>.index} go
     */
    public MapOutputBuffer(long bufferBytes, double spillFraction, int partitions, RawCombiner combiner,
                           int minSpillsForCombine, Path dir, String prefix) {
        if (partitions < 1) throw new IllegalArgumentException("partitions must be >= 1");
        if (spillFraction <= 0 || spillFraction > 1) throw new IllegalArgumentException("spill fraction must be in (0, 1]");
        long budget = Math.max(256, Math.min(bufferBytes, Integer.MAX_VALUE - 64L));
        int metaBytes = (int) Math.max(META_INTS * 4 * 4, budget / 4);
        this.metaCapacity = metaBytes / (META_INTS * 4);
        this.meta = new int[metaCapacity * META_INTS];
        this.kv = new byte[(int) (budget - (long) metaCapacity * META_INTS * 4)];
        this.spillBytesThreshold = Math.max(1, (long) (kv.length * spillFraction));
        this.spillRecordsThreshold = Math.max(1, (long) (metaCapacity * spillFraction));
        this.partitions = partitions;
        this.combiner = combiner;
        this.minSpillsForCombine = minSpillsForCombine;
        this.dir = dir;
        this.prefix = prefix;
    }

    /** With Hadoop's defaults: spill at 80%, combine in the final merge from 3 runs. */
    public MapOutputBuffer(long bufferBytes, int partitions, RawCombiner combiner, Path dir, String prefix) {
        this(bufferBytes, 0.8, partitions, combiner, 3, dir, prefix);
    }

    /** Copies one record in; blocks only while the buffer is full and a spill is under way. */
    public void collect(int partition, byte[] key, int kOff, int kLen, byte[] val, int vOff, int vLen) throws IOException {
        if (partition < 0 || partition >= partitions) throw new IllegalArgumentException("partition " + partition + " of " + partitions);
        int n = kLen + vLen;
        if (n > kv.length) {
            spillOversized(partition, key, kOff, kLen, val, vOff, vLen);
            return;
        }
        lock.lock();
        try {
            checkState();
            int pos;
            while ((pos = reserve(n)) < 0) {
                if (!spilling) startSpill();
                awaitSpill();
            }
            System.arraycopy(key, kOff, kv, pos, kLen);
            System.arraycopy(val, vOff, kv, pos + kLen, vLen);
            int m = (int) (metaHead % metaCapacity) * META_INTS;
            meta[m] = partition;
            meta[m + 1] = pos;
            meta[m + 2] = kLen;
            meta[m + 3] = vLen;
            metaHead++;
            recordsCollected++;
            if (!spilling && (unspilledBytes >= spillBytesThreshold || metaHead - spillEnd >= spillRecordsThreshold)) startSpill();
        } finally {
            lock.unlock();
        }
    }

    /** A position for {@code n} contiguous bytes, or -1 when the rings have no room. */
    private int reserve(int n) {
        long live = metaHead - metaTail;
        if (live >= metaCapacity) return -1;
        if (live == 0) {
            dataHead = 0;
            dataTail = 0;
            wrapped = false;
        }
        if (!wrapped) {
            if (kv.length - dataHead >= n) {
                unspilledBytes += n;
                int pos = dataHead;
                dataHead += n;
                return pos;
            }
            if (dataTail >= n) {
                unspilledBytes += (kv.length - dataHead) + n;
                wrapped = true;
                dataHead = n;
                return 0;
            }
            return -1;
        }
        if (dataTail - dataHead >= n) {
            unspilledBytes += n;
            int pos = dataHead;
            dataHead += n;
            return pos;
        }
        return -1;
    }

    private void startSpill() {
        long from = metaTail;
        long to = metaHead;
        if (to == from) return;
        spilling = true;
        spillEnd = to;
        unspilledBytes = 0;
        if (spillThread == null) {
            spillThread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "spill-" + prefix);
                t.setDaemon(true);
                return t;
            });
        }
        spillThread.execute(() -> {
            Throwable error = null;
            try {
                sortAndSpill(from, to);
            } catch (Throwable t) {
                error = t;
            }
            lock.lock();
            try {
                if (error != null && spillError == null) spillError = error;
                metaTail = to;
                if (metaTail == metaHead) {
                    dataHead = 0;
                    dataTail = 0;
                    wrapped = false;
                } else {
                    int newTail = meta[(int) (metaTail % metaCapacity) * META_INTS + 1];
                    if (newTail < dataTail) wrapped = false;
                    dataTail = newTail;
                }
                spilling = false;
                spillDone.signalAll();
            } finally {
                lock.unlock();
            }
        });
    }

    private void awaitSpill() throws IOException {
        while (spilling) {
            try {
                spillDone.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for a spill");
            }
        }
        checkState();
    }

    private void checkState() throws IOException {
        if (closed) throw new IllegalStateException("map output buffer closed");
        if (spillError != null) {
            if (spillError instanceof IOException io) throw new IOException("spill failed: " + io.getMessage(), io);
            throw new IOException("spill failed: " + spillError, spillError);
        }
    }

    /** Runs on the spill thread; reads only records {@code [from, to)}, which nobody writes meanwhile. */
    private void sortAndSpill(long from, long to) throws Exception {
        int n = (int) (to - from);
        int[] slot = new int[n];
        int[] part = new int[n];
        long[] pre = new long[n];
        for (int i = 0; i < n; i++) {
            int m = (int) ((from + i) % metaCapacity) * META_INTS;
            slot[i] = m;
            part[i] = meta[m];
            pre[i] = Bytes.prefix(kv, meta[m + 1], meta[m + 2]);
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        IndexSort.sort(order, (a, b) -> {
            if (part[a] != part[b]) return Integer.compare(part[a], part[b]);
            int c = Long.compareUnsigned(pre[a], pre[b]);
            if (c != 0) return c;
            int ma = slot[a], mb = slot[b];
            return Bytes.compare(kv, meta[ma + 1], meta[ma + 2], kv, meta[mb + 1], meta[mb + 2]);
        });
        Path file = dir.resolve(prefix + ".spill" + runs.size());
        List<MapOutputFile.Segment> index = new ArrayList<>(partitions);
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            writeRun(os, n, slot, part, order, index);
        } catch (Throwable t) {
            Files.deleteIfExists(file);
            throw t;
        }
        bytesSpilled += Files.size(file);
        synchronized (runs) {
            runs.add(file);
            runIndexes.add(index);
        }
    }

    private void writeRun(OutputStream os, int n, int[] slot, int[] part, int[] order, List<MapOutputFile.Segment> index) throws Exception {
        SegmentWriter w = new SegmentWriter(os);
        BytesOut folded = new BytesOut(64);
        int i = 0;
        for (int p = 0; p < partitions; p++) {
            while (i < n && part[order[i]] == p) {
                int m = slot[order[i]];
                int kOff = meta[m + 1], kLen = meta[m + 2], vLen = meta[m + 3];
                int j = i + 1;
                if (combiner != null) {
                    while (j < n && part[order[j]] == p && sameKey(m, slot[order[j]])) j++;
                }
                if (j - i == 1) {
                    w.append(kv, kOff, kLen, kv, kOff + kLen, vLen);
                } else {
                    combiner.start(kv, kOff + kLen, vLen);
                    for (int k = i + 1; k < j; k++) {
                        int mk = slot[order[k]];
                        combiner.add(kv, meta[mk + 1] + meta[mk + 2], meta[mk + 3]);
                    }
                    folded.reset();
                    combiner.finish(folded);
                    w.append(kv, kOff, kLen, folded.array(), 0, folded.size());
                }
                i = j;
            }
            index.add(toSegment(w.endSegment()));
        }
    }

    private boolean sameKey(int ma, int mb) {
        return Bytes.compare(kv, meta[ma + 1], meta[ma + 2], kv, meta[mb + 1], meta[mb + 2]) == 0;
    }

    private static MapOutputFile.Segment toSegment(SegmentWriter.Written w) {
        return new MapOutputFile.Segment(w.offset(), w.length(), w.records(), w.crc32c());
    }

    /** A record larger than the buffer: spill what is buffered, then write the record as a run of its own. */
    private void spillOversized(int partition, byte[] key, int kOff, int kLen, byte[] val, int vOff, int vLen) throws IOException {
        spillNow();
        Path file = dir.resolve(prefix + ".spill" + runs.size());
        List<MapOutputFile.Segment> index = new ArrayList<>(partitions);
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            SegmentWriter w = new SegmentWriter(os);
            for (int p = 0; p < partitions; p++) {
                if (p == partition) w.append(key, kOff, kLen, val, vOff, vLen);
                index.add(toSegment(w.endSegment()));
            }
        }
        bytesSpilled += Files.size(file);
        synchronized (runs) {
            runs.add(file);
            runIndexes.add(index);
        }
        recordsCollected++;
    }

    /** Spills what is buffered now, as its own run, and waits for it. */
    void spillNow() throws IOException {
        lock.lock();
        try {
            checkState();
            awaitSpill();
            startSpill();
            awaitSpill();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Spills what is left, merges all runs into {@code <prefix>.out} and writes its index.
     * After this the buffer holds no memory worth keeping; close it to stop its thread.
     */
    public MapOutputFile finish() throws IOException {
        spillNow();
        stopSpillThread();
        Path out = MapOutputFile.dataPath(dir, prefix);
        MapOutputFile result;
        if (runs.size() == 1) {
            Files.move(runs.getFirst(), out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            result = new MapOutputFile(out, runIndexes.getFirst());
        } else {
            result = merge(out);
        }
        result.writeIndex(MapOutputFile.indexPath(dir, prefix));
        deleteRuns();
        finished = true;
        return result;
    }

    private MapOutputFile merge(Path out) throws IOException {
        boolean combine = combiner != null && runs.size() >= minSpillsForCombine;
        List<MapOutputFile.Segment> index = new ArrayList<>(partitions);
        List<FileChannel> channels = new ArrayList<>();
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16)) {
            for (Path run : runs) channels.add(FileChannel.open(run, StandardOpenOption.READ));
            SegmentWriter w = new SegmentWriter(os);
            BytesOut folded = new BytesOut(64);
            for (int p = 0; p < partitions; p++) {
                List<RawRecordIterator> inputs = new ArrayList<>(runs.size());
                for (int r = 0; r < runs.size(); r++) {
                    MapOutputFile.Segment s = runIndexes.get(r).get(p);
                    if (s.length() == 0) continue;
                    InputStream in = Channels.newInputStream(channels.get(r).position(s.offset()));
                    inputs.add(SegmentReader.of(nonClosing(in), s.length(), runs.get(r).toString()));
                }
                RawRecordIterator merged = Merger.merge(inputs);
                if (combine) {
                    GroupingIterator g = new GroupingIterator(merged);
                    while (g.nextKey()) {
                        g.nextValue();
                        combiner.start(g.valueArray(), g.valueOffset(), g.valueLength());
                        while (g.hasNextValue()) {
                            g.nextValue();
                            combiner.add(g.valueArray(), g.valueOffset(), g.valueLength());
                        }
                        folded.reset();
                        combiner.finish(folded);
                        w.append(g.keyArray(), g.keyOffset(), g.keyLength(), folded.array(), 0, folded.size());
                    }
                } else {
                    while (merged.next()) {
                        w.append(merged.keyArray(), merged.keyOffset(), merged.keyLength(), merged.valueArray(), merged.valueOffset(), merged.valueLength());
                    }
                }
                index.add(toSegment(w.endSegment()));
            }
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("combiner failed in the final merge: " + e, e);
        } finally {
            for (FileChannel c : channels) c.close();
        }
        return new MapOutputFile(out, index);
    }

    private static InputStream nonClosing(InputStream in) {
        return new java.io.FilterInputStream(in) {
            @Override
            public void close() {
                // the channel is shared by every partition's reader and closed after the merge
            }
        };
    }

    public long recordsCollected() {
        return recordsCollected;
    }

    public int spillCount() {
        synchronized (runs) {
            return runs.size();
        }
    }

    public long bytesSpilled() {
        return bytesSpilled;
    }

    private void stopSpillThread() {
        if (spillThread != null) {
            spillThread.shutdownNow();
            spillThread = null;
        }
    }

    private void deleteRuns() throws IOException {
        synchronized (runs) {
            for (Path r : runs) Files.deleteIfExists(r);
        }
    }

    /** Stops the spill thread; unless {@link #finish()} succeeded, deletes every file this buffer made. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
        ExecutorService t = spillThread;
        stopSpillThread();
        if (t != null) {
            try {
                t.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!finished) {
            deleteRuns();
            Files.deleteIfExists(MapOutputFile.dataPath(dir, prefix));
            Files.deleteIfExists(MapOutputFile.indexPath(dir, prefix));
        }
    }
}
