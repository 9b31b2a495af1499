package dev.cairn.dataflow.internal.batch;

import dev.cairn.batch.stage.PartitionedOutput;
import dev.cairn.batch.stage.SortedInput;
import dev.cairn.common.codec.BytesOut;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The key ranges of a sort's exchange: boundaries between consecutive consumers, in the order of
 * the shuffle keys' bytes, cut so that each range holds about as many records. They come from a
 * sample taken by a pass of the producing stage before it runs for real: each task of the sample
 * stage keeps a uniform reservoir of its sort keys ({@link Sampler}), each kept key weighted by
 * how many records it stands for, and every producing task computes the same boundaries from the
 * whole sample ({@link #fromSample}).
 */
final class RangeBounds {
    /** Keys a sampling task keeps at most: enough for a few percent of imbalance over 100s of ranges. */
    static final int MAX_SAMPLE = 20_000;

    private final byte[][] bounds;

    private RangeBounds(byte[][] bounds) {
        this.bounds = bounds;
    }

    /** The boundaries of {@code partitions} ranges from the sample stage's whole output. */
    static RangeBounds fromSample(SortedInput sample, int partitions) throws IOException {
        List<byte[]> keys = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        double total = 0;
        while (sample.nextKey()) {
            double w = 0;
            while (sample.nextValue())
                w += ByteBuffer.wrap(sample.valueArray(), sample.valueOffset(), 8)
                        .getDouble();
            keys.add(
                    Arrays.copyOfRange(sample.keyArray(), sample.keyOffset(), sample.keyOffset() + sample.keyLength()));
            weights.add(w);
            total += w;
        }
        List<byte[]> cuts = new ArrayList<>();
        double seen = 0;
        int next = 1;
        for (int i = 0; i < keys.size() && next < partitions; i++) {
            // A cut goes before the key at which the running weight passes the next share, so each
            // range ends with the heaviest keys of its share (a key never spans two ranges).
            if (seen >= total * next / partitions) {
                cuts.add(keys.get(i));
                next++;
                while (next < partitions && seen >= total * next / partitions) next++;
            }
            seen += weights.get(i);
        }
        return new RangeBounds(cuts.toArray(new byte[0][]));
    }

    /** The range of a key: how many boundaries are at or below it. */
    int partitionOf(byte[] key, int offset, int length) {
        int lo = 0;
        int hi = bounds.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            byte[] b = bounds[mid];
            if (Arrays.compareUnsigned(b, 0, b.length, key, offset, offset + length) <= 0) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    int boundaries() {
        return bounds.length;
    }

    /**
     * One sampling task's reservoir of sort keys (Vitter's algorithm R, seeded by the task's index
     * so a retried attempt keeps the same sample), written at the end to the sample stage's one
     * partition, each key with the weight of the records it stands for.
     */
    static final class Sampler {
        private final Random random;
        private final List<byte[]> kept = new ArrayList<>();
        private long seen;

        Sampler(int task) {
            this.random = new Random(0x5a3b1e00L + task);
        }

        void offer(byte[] key, int offset, int length) {
            seen++;
            if (kept.size() < MAX_SAMPLE) {
                kept.add(Arrays.copyOfRange(key, offset, offset + length));
            } else {
                long slot = (long) (random.nextDouble() * seen);
                if (slot < MAX_SAMPLE) kept.set((int) slot, Arrays.copyOfRange(key, offset, offset + length));
            }
        }

        void writeTo(PartitionedOutput out) throws IOException {
            if (kept.isEmpty()) return;
            byte[] weight = ByteBuffer.allocate(8)
                    .putDouble(seen / (double) kept.size())
                    .array();
            for (byte[] k : kept) out.add(0, k, 0, k.length, weight, 0, weight.length);
        }
    }

    /** Appends {@code length} bytes of {@code key}, each complemented (descending order) or not. */
    static void appendOrdered(BytesOut out, byte[] key, int offset, int length, boolean descending) {
        if (!descending) {
            out.write(key, offset, length);
            return;
        }
        for (int i = 0; i < length; i++) out.write(~key[offset + i] & 0xff);
    }
}
