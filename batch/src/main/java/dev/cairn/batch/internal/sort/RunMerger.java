package dev.cairn.batch.internal.sort;

import dev.cairn.common.codec.BytesOut;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;

/**
 * The final merge of a map task's runs into its one output file: partition by partition, a k-way
 * {@link Merger} over that partition's segment of every run, optionally folding equal keys with a
 * combiner. Each run's segments are read with positional reads through one reusable buffer per
 * run and checked against their CRC32C, so damage to a spill on local disk fails the task rather
 * than the reducers. Memory: one read buffer per run (no larger than its largest segment) plus
 * the output buffer.
 *
 * <p>At most {@code factor} runs are read at once (Hadoop's {@code io.sort.factor}), which bounds
 * open files and buffers: with more runs, intermediate passes first merge the smallest runs into
 * new ones. As in Hadoop, the first pass takes just enough runs that later passes are full, and
 * only the last pass combines.
 */
final class RunMerger {
    /** Records merged between checks of the abort flag. */
    private static final int ABORT_CHECK_INTERVAL = 4096;

    private static final int MIN_READ_BUFFER_BYTES = 1 << 16;
    private static final int MAX_READ_BUFFER_BYTES = 1 << 20;

    private final int partitions;
    private final int factor;
    private final long memoryBytes;
    private final BooleanSupplier aborted;

    /**
     * @param memoryBytes what one pass may spread over its read buffers (each 64 KiB to 1 MiB)
     * @param aborted checked now and then; when it turns true the merge fails
     */
    RunMerger(int partitions, int factor, long memoryBytes, BooleanSupplier aborted) {
        if (factor < 2) throw new IllegalArgumentException("merge factor must be >= 2: " + factor);
        this.partitions = partitions;
        this.factor = factor;
        this.memoryBytes = memoryBytes;
        this.aborted = aborted;
    }

    /**
     * Merges {@code runs} into {@code out}, with intermediate passes if there are more than the
     * factor. An intermediate run is numbered by {@code newRunNumber} and written to {@code
     * runFile} of that number; {@code runs} is updated as passes replace runs, and the files of
     * merged runs are deleted. The runs left for the final pass are merged in number order.
     *
     * @param combiner applied in the final pass only; null to copy records through unchanged
     */
    MapOutputFile mergeAll(
            List<Run> runs, RawCombiner combiner, Path out, IntSupplier newRunNumber, IntFunction<Path> runFile)
            throws IOException {
        while (runs.size() > factor) {
            int take = Math.min(factor, runs.size() - factor + 1);
            runs.sort(Comparator.comparingLong(Run::bytes).thenComparingInt(Run::number));
            List<Run> batch = new ArrayList<>(runs.subList(0, take));
            int number = newRunNumber.getAsInt();
            Path file = runFile.apply(number);
            MapOutputFile merged = merge(batch, null, file);
            runs.subList(0, take).clear();
            runs.add(new Run(number, file, merged.segments()));
            for (Run r : batch) Files.deleteIfExists(r.file());
        }
        runs.sort(Comparator.comparingInt(Run::number));
        return merge(runs, combiner, out);
    }

    /** One pass: merges all of {@code runs} (any number) into {@code out}. */
    MapOutputFile merge(List<Run> runs, RawCombiner combiner, Path out) throws IOException {
        int readBufferBytes =
                Math.clamp(memoryBytes / Math.max(1, runs.size()), MIN_READ_BUFFER_BYTES, MAX_READ_BUFFER_BYTES);
        long total = 0;
        for (Run r : runs) total += r.bytes();
        int writeBufferBytes = SegmentWriter.bufferSizeFor(total);
        List<MapOutputFile.Segment> index = new ArrayList<>(partitions);
        FileChannel[] channels = new FileChannel[runs.size()];
        byte[][] buffers = new byte[runs.size()][];
        try (OutputStream os = Files.newOutputStream(out)) {
            for (int r = 0; r < channels.length; r++)
                channels[r] = FileChannel.open(runs.get(r).file(), StandardOpenOption.READ);
            SegmentWriter w = new SegmentWriter(os, writeBufferBytes);
            BytesOut folded = combiner == null ? null : new BytesOut(64);
            List<RawRecordIterator> inputs = new ArrayList<>(runs.size());
            for (int p = 0; p < partitions; p++) {
                inputs.clear();
                for (int r = 0; r < channels.length; r++) {
                    Run run = runs.get(r);
                    MapOutputFile.Segment s = run.segments().get(p);
                    if (s.length() == 0) continue;
                    // The previous partition's reader of this run is exhausted, so its buffer is free again.
                    if (buffers[r] == null)
                        buffers[r] = new byte[(int) Math.min(readBufferBytes, Math.max(64, largestSegment(run)))];
                    InputStream in = new ChannelSlice(channels[r], s.offset(), s.length());
                    inputs.add(SegmentReader.of(
                            in, s.length(), run.file() + " (partition " + p + ")", s.crc32c(), buffers[r]));
                }
                // Closing the readers leaves the shared channels open (a slice's close does nothing).
                try (RawRecordIterator merged = Merger.merge(inputs)) {
                    if (combiner == null) copy(merged, w);
                    else combine(merged, w, combiner, folded, p);
                }
                index.add(w.endSegment());
            }
            w.flush();
        } catch (Throwable t) {
            closeAll(channels, t);
            throw t;
        }
        closeAll(channels, null);
        return new MapOutputFile(out, index);
    }

    /** Closes the channels; a failure is added to {@code primary} if there is one, else thrown. */
    private static void closeAll(FileChannel[] channels, Throwable primary) throws IOException {
        IOException first = null;
        for (FileChannel c : channels) {
            if (c == null) continue;
            try {
                c.close();
            } catch (IOException e) {
                if (primary != null) primary.addSuppressed(e);
                else if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }

    private static long largestSegment(Run run) {
        long max = 0;
        for (MapOutputFile.Segment s : run.segments()) max = Math.max(max, s.length());
        return max;
    }

    private void copy(RawRecordIterator merged, SegmentWriter w) throws IOException {
        int sinceCheck = 0;
        while (merged.next()) {
            if (++sinceCheck == ABORT_CHECK_INTERVAL) {
                sinceCheck = 0;
                checkAborted();
            }
            w.append(
                    merged.keyArray(),
                    merged.keyOffset(),
                    merged.keyLength(),
                    merged.valueArray(),
                    merged.valueOffset(),
                    merged.valueLength());
        }
    }

    private void combine(
            RawRecordIterator merged, SegmentWriter w, RawCombiner combiner, BytesOut folded, int partition)
            throws IOException {
        GroupingIterator groups = new GroupingIterator(merged);
        int sinceCheck = 0;
        while (groups.nextKey()) {
            if (++sinceCheck == ABORT_CHECK_INTERVAL) {
                sinceCheck = 0;
                checkAborted();
            }
            groups.nextValue();
            try {
                combiner.start(groups.valueArray(), groups.valueOffset(), groups.valueLength());
            } catch (Exception e) {
                throw combinerFailed(combiner, partition, e);
            }
            while (groups.hasNextValue()) {
                groups.nextValue();
                try {
                    combiner.add(groups.valueArray(), groups.valueOffset(), groups.valueLength());
                } catch (Exception e) {
                    throw combinerFailed(combiner, partition, e);
                }
            }
            folded.reset();
            try {
                combiner.finish(folded);
            } catch (Exception e) {
                throw combinerFailed(combiner, partition, e);
            }
            w.append(groups.keyArray(), groups.keyOffset(), groups.keyLength(), folded.array(), 0, folded.size());
        }
    }

    private static IOException combinerFailed(RawCombiner combiner, int partition, Exception e) {
        return new IOException(
                "combiner " + combiner.getClass().getName() + " failed in the final merge of partition " + partition
                        + ": " + e,
                e);
    }

    private void checkAborted() throws InterruptedIOException {
        if (aborted.getAsBoolean()) throw new InterruptedIOException("final merge aborted");
    }

    /** Bytes {@code [offset, offset + length)} of a channel, read with positional reads so that slices share the channel. */
    private static final class ChannelSlice extends InputStream {
        private final FileChannel channel;
        private long position;
        private final long end;

        ChannelSlice(FileChannel channel, long offset, long length) {
            this.channel = channel;
            this.position = offset;
            this.end = offset + length;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (position >= end) return -1;
            int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - position)), position);
            if (n > 0) position += n;
            return n;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == 1 ? one[0] & 0xFF : -1;
        }
    }
}
