package dev.cairn.batch.internal.sort;

import static dev.cairn.batch.internal.sort.MapOutputBuffer.META;
import static dev.cairn.batch.internal.sort.MapOutputBuffer.META_PREFIX;
import static dev.cairn.batch.internal.sort.MapOutputBuffer.META_START;
import static dev.cairn.batch.internal.sort.MapOutputBuffer.META_TAG;

import dev.cairn.common.codec.BytesOut;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Sorts one spill's records where they lie in the ring of a {@link MapOutputBuffer} and writes
 * them as one {@link Run}. Only the spill's metadata entries move (16-byte swaps); the record bytes
 * stay put and are read once more when written. The ring region it is given belongs to it alone
 * until it is done. Not thread-safe; one instance per spill.
 */
final class SpillSorter implements QuickSort.Sortable {
    private static final VarHandle INT = MapOutputBuffer.NATIVE_INT;
    private static final VarHandle LONG = MapOutputBuffer.NATIVE_LONG;
    /** Records written between checks of the abort flag. */
    private static final int ABORT_CHECK_INTERVAL = 4096;

    private final byte[] ring;
    private final int capacity;
    private final int equator;
    private final int count;
    /** Read position while decoding a record header in the ring. */
    private int cursor;
    /** The pivot's metadata, copied because swaps move its entry. */
    private int pivotTag;

    private long pivotPrefix;
    private int pivotStart;

    /** The spill's {@code count} metadata entries lie below {@code equator} (wrapping at 0). */
    SpillSorter(byte[] ring, int equator, int count) {
        this.ring = ring;
        this.capacity = ring.length;
        this.equator = equator;
        this.count = count;
    }

    /** Byte offset of metadata entry i: entries grow down from the equator, wrapping at 0. */
    private int meta(int i) {
        int m = equator - META * (i + 1);
        return m < 0 ? m + capacity : m;
    }

    /** Sorts by (partition, key bytes unsigned); O(n log n) comparisons, no allocation. */
    void sort() {
        QuickSort.sort(this, 0, count);
    }

    @Override
    public int compare(int i, int j) {
        return compareEntries(meta(i), meta(j));
    }

    private int compareEntries(int a, int b) {
        return compareTo(
                (int) INT.get(ring, a + META_TAG),
                (long) LONG.get(ring, a + META_PREFIX),
                a,
                (int) INT.get(ring, b + META_TAG),
                (long) LONG.get(ring, b + META_PREFIX),
                (int) INT.get(ring, b + META_START));
    }

    @Override
    public void pivot(int i) {
        int m = meta(i);
        pivotTag = (int) INT.get(ring, m + META_TAG);
        pivotPrefix = (long) LONG.get(ring, m + META_PREFIX);
        pivotStart = (int) INT.get(ring, m + META_START);
    }

    @Override
    public int compareToPivot(int i) {
        int m = meta(i);
        return compareTo(
                (int) INT.get(ring, m + META_TAG),
                (long) LONG.get(ring, m + META_PREFIX),
                m,
                pivotTag,
                pivotPrefix,
                pivotStart);
    }

    /** Compares entry {@code a} (by its fields and metadata offset) with a record given by its fields. */
    private int compareTo(int ta, long xa, int a, int tb, long xb, int startB) {
        int pa = ta >>> 8, pb = tb >>> 8;
        if (pa != pb) return pa < pb ? -1 : 1;
        // Most comparisons end here or at the length codes, without touching the record bytes.
        if (xa != xb) return Long.compareUnsigned(xa, xb);
        int la = ta & 0xFF, lb = tb & 0xFF;
        if (la <= 8 || lb <= 8) return Integer.compare(la, lb);
        return compareKeys((int) INT.get(ring, a + META_START), startB);
    }

    /** Full key comparison of two records longer than 8 bytes whose 8-byte prefixes are equal. */
    private int compareKeys(int ra, int rb) {
        cursor = ra;
        int la = varint();
        varint();
        int ka = cursor;
        cursor = rb;
        int lb = varint();
        varint();
        int kb = cursor;
        // Equal prefixes of keys this long mean their first 8 bytes are equal.
        if (la <= 16 && lb <= 16) {
            // Short keys (a repeated word, say): one more long comparison instead of a mismatch scan.
            long sa = MapOutputBuffer.prefix(ring, ka + 8, la - 8);
            long sb = MapOutputBuffer.prefix(ring, kb + 8, lb - 8);
            return sa != sb ? Long.compareUnsigned(sa, sb) : Integer.compare(la, lb);
        }
        return Arrays.compareUnsigned(ring, ka + 8, ka + la, ring, kb + 8, kb + lb);
    }

    @Override
    public void swap(int i, int j) {
        int a = meta(i), b = meta(j);
        long a0 = (long) LONG.get(ring, a), a1 = (long) LONG.get(ring, a + 8);
        LONG.set(ring, a, (long) LONG.get(ring, b));
        LONG.set(ring, a + 8, (long) LONG.get(ring, b + 8));
        LONG.set(ring, b, a0);
        LONG.set(ring, b + 8, a1);
    }

    /**
     * Writes the sorted records to {@code file} as a run with a segment per partition; with a
     * combiner, the values of each key in a partition are folded into one record first.
     *
     * @throws IOException on a write failure, a combiner failure (its exception is the cause), or
     *     when {@code aborted} turns true; the caller deletes the file
     */
    Run write(int number, Path file, int partitions, RawCombiner combiner, BooleanSupplier aborted, int bufferBytes)
            throws IOException {
        List<MapOutputFile.Segment> segments = new ArrayList<>(partitions);
        BytesOut folded = combiner == null ? null : new BytesOut(64);
        try (OutputStream os = Files.newOutputStream(file)) {
            SegmentWriter w = new SegmentWriter(os, bufferBytes);
            int i = 0;
            int sinceCheck = 0;
            for (int p = 0; p < partitions; p++) {
                while (i < count) {
                    int m = meta(i);
                    if ((int) INT.get(ring, m + META_TAG) >>> 8 != p) break;
                    if (++sinceCheck == ABORT_CHECK_INTERVAL) {
                        sinceCheck = 0;
                        if (aborted.getAsBoolean()) throw new InterruptedIOException("spill to " + file + " aborted");
                    }
                    int j = i + 1;
                    if (combiner != null) {
                        while (j < count && compareEntries(m, meta(j)) == 0) j++;
                    }
                    int start = (int) INT.get(ring, m + META_START);
                    if (j == i + 1) {
                        cursor = start;
                        int kLen = varint();
                        int vLen = varint();
                        w.appendEncoded(ring, start, cursor - start + kLen + vLen);
                    } else {
                        fold(w, combiner, folded, i, j, p);
                    }
                    i = j;
                }
                segments.add(w.endSegment());
            }
            w.flush();
        }
        return new Run(number, file, segments);
    }

    /** Folds the values of entries {@code [i, j)}, which share one key, and appends one record. */
    private void fold(SegmentWriter w, RawCombiner combiner, BytesOut folded, int i, int j, int partition)
            throws IOException {
        cursor = (int) INT.get(ring, meta(i) + META_START);
        int kLen = varint();
        int vLen = varint();
        int keyOff = cursor;
        try {
            combiner.start(ring, keyOff + kLen, vLen);
            for (int k = i + 1; k < j; k++) {
                cursor = (int) INT.get(ring, meta(k) + META_START);
                int kl = varint();
                int vl = varint();
                combiner.add(ring, cursor + kl, vl);
            }
            folded.reset();
            combiner.finish(folded);
        } catch (Exception e) {
            throw new IOException(
                    "combiner " + combiner.getClass().getName() + " failed on a key of partition " + partition + ": "
                            + e,
                    e);
        }
        w.append(ring, keyOff, kLen, folded.array(), 0, folded.size());
    }

    /** Decodes the varint at {@link #cursor} and moves past it; the ring's headers were written by collect, so they are well formed. */
    private int varint() {
        byte b = ring[cursor++];
        if (b >= 0) return b;
        int v = b & 0x7F;
        for (int shift = 7; ; shift += 7) {
            b = ring[cursor++];
            v |= (b & 0x7F) << shift;
            if (b >= 0) return v;
        }
    }
}
