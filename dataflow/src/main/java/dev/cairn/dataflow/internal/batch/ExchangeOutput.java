package dev.cairn.dataflow.internal.batch;

import dev.cairn.batch.stage.PartitionedOutput;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.Total;
import dev.cairn.dataflow.functions.KeySelector;
import dev.cairn.dataflow.internal.graph.Partitioning;
import dev.cairn.dataflow.internal.operators.CodecReference;
import dev.cairn.dataflow.internal.operators.Totals;
import dev.cairn.dataflow.internal.runtime.Downstream;
import dev.cairn.dataflow.internal.runtime.KeyGroups;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An exchange edge leaving a stage: each record becomes a shuffle record of the stage's
 * partitioned output. The shuffle key is, on a keyed edge, the key's encoding, which decides the
 * partition exactly as a stream's exchange does (key group, then the subtask owning it), followed
 * by the edge's number (two bytes), so that one parent's records for different edges stay apart
 * while both sides of a join on one key sort next to each other (key encodings are prefix-free:
 * key-then-edge order is key order, then edge order). The value is the record's timestamp (eight
 * bytes) and its encoding.
 * On a sort's range edge the key is the sort key's encoding, its bytes complemented for a
 * descending sort, and the partition its range ({@link RangeBounds}); into a top N, each task
 * keeps only its first N records in key order. Into a keyed reduce, records are first reduced
 * per key in a hash table of a bounded number of keys ({@link #preAggregate}), emptied into the
 * output at the end; once it is full, records of keys it does not hold go straight out. So a
 * stage with few distinct keys, or a few frequent ones, encodes, sorts and ships about one record
 * per key and task for them (Hadoop's in-map combining; the sort's combiner folds the rest).
 * Into a keyed sum ({@link Totals}) the table holds no objects: each record's key is encoded and
 * its value added to the key's long total in a {@link BytesLongTable}, which can hold many more
 * keys; what it cannot hold goes straight out, as a total, for the sort's combiner to add up.
 * Watermarks stay behind: a batch stage's consumer sees only the final one.
 */
final class ExchangeOutput<T> implements Downstream<T> {
    static final int TAG_BYTES = 2;

    /** The number of the edge a shuffle key belongs to: its last two bytes. */
    static int edgeOf(byte[] key, int offset, int length) {
        int end = offset + length;
        return ((key[end - 2] & 0xff) << 8) | (key[end - 1] & 0xff);
    }

    private final int edge;
    private final Codec<T> codec;
    private final KeySelector<T, Object> keySelector;
    private final Codec<Object> keyCodec;
    private final boolean broadcast;
    private final boolean range;
    private final boolean descending;
    private RangeBounds bounds;
    /** A top N's first records by key so far, the last first; null unless the edge leads into a top N. */
    private java.util.PriorityQueue<byte[][]> first;

    private long firstLimit;
    private final BytesOut encodedKey = new BytesOut(64);
    /** Into a keyed reduce: each key's reduction so far, and its latest timestamp; null otherwise. */
    private java.util.HashMap<Object, Reduced<T>> reduced;

    private dev.cairn.dataflow.functions.ReduceFunction<T> reduceFunction;
    private int maxKeys;
    /** Into a keyed sum: each encoded key's total so far, and its latest timestamp; null otherwise. */
    private BytesLongTable totals;

    /** A key's records reduced so far, under the key of its first (a reduction need not select its key). */
    private static final class Reduced<T> {
        final Object key;
        T value;
        long timestamp;

        Reduced(Object key, T value, long timestamp) {
            this.key = key;
            this.value = value;
            this.timestamp = timestamp;
        }
    }

    private final int maxParallelism;
    private final PartitionedOutput out;
    private final BytesOut key = new BytesOut(64);
    private final BytesOut value = new BytesOut(256);
    private int next;

    @SuppressWarnings("unchecked") // the edge's partitioning selects keys of its records' type
    ExchangeOutput(
            int edge, Partitioning partitioning, Codec<T> codec, int maxParallelism, int task, PartitionedOutput out) {
        if (edge >= 1 << 16) throw new IllegalArgumentException("too many edges for a batch plan: " + edge);
        this.edge = edge;
        this.codec = codec;
        this.maxParallelism = maxParallelism;
        this.out = out;
        this.broadcast = partitioning instanceof Partitioning.Broadcast;
        this.range = partitioning instanceof Partitioning.Range<?, ?>;
        this.descending = partitioning instanceof Partitioning.Range<?, ?> r && r.descending();
        if (partitioning instanceof Partitioning.KeyGroupHash<?, ?> hash) {
            keySelector = (KeySelector<T, Object>) hash.keySelector();
            keyCodec = (Codec<Object>) hash.keyCodec();
        } else if (partitioning instanceof Partitioning.Range<?, ?> r) {
            keySelector = (KeySelector<T, Object>) r.keySelector();
            keyCodec = (Codec<Object>) r.keyCodec();
        } else {
            keySelector = null;
            keyCodec = null;
        }
        // Round robin starts at the task's own index, so that small tasks do not all fill partition 0.
        this.next = task;
    }

    /**
     * Reduces records per key with {@code function} before they are written, holding at most
     * {@code maxKeys} keys: the edge is keyed and leads into a reduce by the same key.
     */
    void preAggregate(dev.cairn.dataflow.functions.ReduceFunction<T> function, int maxKeys) {
        if (keySelector == null || range) throw new IllegalStateException("pre-aggregation needs a keyed edge");
        this.reduceFunction = function;
        this.maxKeys = maxKeys;
        this.reduced = new java.util.HashMap<>();
    }

    /** Whether the edge carries the totals of a keyed sum ({@link Totals}), which {@link #preSum} adds up. */
    static boolean carriesTotals(Codec<?> recordCodec, dev.cairn.dataflow.functions.ReduceFunction<?> into) {
        return into instanceof Totals.Add<?> && CodecReference.resolve(recordCodec) instanceof Totals.TotalCodec<?>;
    }

    /**
     * Adds up totals per encoded key before they are written, holding at most {@code maxKeys}
     * keys of {@code maxKeyBytes} bytes in all: the edge is keyed and {@linkplain #carriesTotals
     * carries totals} into a keyed sum by the same key.
     */
    void preSum(int maxKeys, int maxKeyBytes) {
        if (keySelector == null || range) throw new IllegalStateException("pre-aggregation needs a keyed edge");
        if (!(CodecReference.resolve(codec) instanceof Totals.TotalCodec<?>))
            throw new IllegalStateException("the edge does not carry totals: " + codec.id());
        totals = new BytesLongTable(maxKeys, maxKeyBytes);
    }

    /** Adds a total into the table, or writes it out if the table is full. */
    private void sum(Total<?> total, long timestamp) {
        key.reset();
        keyCodec.encode(total.key(), key);
        if (!totals.add(key.array(), 0, key.size(), total.total(), timestamp)) writeTotal(total.total(), timestamp);
    }

    /**
     * Writes a total whose key's encoding is all of {@link #key}: the shuffle value is the
     * timestamp, then the total's encoding (the key's, then the total's eight bytes).
     */
    private void writeTotal(long total, long timestamp) {
        try {
            int length = key.size();
            value.reset();
            value.writeLong(timestamp);
            value.write(key.array(), 0, length);
            Totals.TotalCodec.writeTotal(total, value);
            int partitions = out.partitions();
            int group = KeyGroups.keyGroupOfEncoded(key.array(), 0, length, maxParallelism);
            int partition = KeyGroups.subtaskFor(group, maxParallelism, partitions);
            key.write(edge >>> 8);
            key.write(edge);
            out.add(partition, key.array(), 0, key.size(), value.array(), 0, value.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void flushTotals() {
        for (int e = 0; e < totals.size(); e++) {
            key.reset();
            key.write(totals.keyArray(), totals.keyOffset(e), totals.keyLength(e));
            writeTotal(totals.total(e), totals.timestamp(e));
        }
        totals.clear();
    }

    @Override
    public void accept(T record, long timestamp) {
        if (totals != null) {
            try {
                sum((Total<?>) record, timestamp);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("key encoding failed: " + e.getMessage(), e);
            }
            return;
        }
        if (reduced != null) {
            try {
                Object k = keySelector.getKey(record);
                Reduced<T> r = reduced.get(k);
                if (r == null) {
                    // A full table keeps its keys, which came first and so are likely the frequent
                    // ones; a new key goes straight out (the sort's combiner still folds it).
                    if (reduced.size() >= maxKeys) write(k, record, timestamp);
                    else reduced.put(k, new Reduced<>(k, record, timestamp));
                } else {
                    r.value = reduceFunction.reduce(r.value, record);
                    r.timestamp = Math.max(r.timestamp, timestamp);
                }
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("reduce failed: " + e.getMessage(), e);
            }
            return;
        }
        write(null, record, timestamp);
    }

    private void flushReduced() {
        for (Reduced<T> r : reduced.values()) write(r.key, r.value, r.timestamp);
        reduced.clear();
    }

    /** Writes {@code record} under {@code key}, or under its own key if null. */
    private void write(Object keyOf, T record, long timestamp) {
        try {
            key.reset();
            int partitions = out.partitions();
            int partition;
            if (range) {
                encodedKey.reset();
                keyCodec.encode(keySelector.getKey(record), encodedKey);
                RangeBounds.appendOrdered(key, encodedKey.array(), 0, encodedKey.size(), descending);
                if (partitions == 1) partition = 0;
                else if (bounds == null) throw new IllegalStateException("a range edge's bounds were not set");
                else partition = bounds.partitionOf(key.array(), 0, key.size());
            } else if (keySelector != null) {
                keyCodec.encode(keyOf != null ? keyOf : keySelector.getKey(record), key);
                int group = KeyGroups.keyGroupOfEncoded(key.array(), 0, key.size(), maxParallelism);
                partition = KeyGroups.subtaskFor(group, maxParallelism, partitions);
            } else {
                partition = Math.floorMod(next++, partitions);
            }
            key.write(edge >>> 8);
            key.write(edge);
            value.reset();
            value.writeLong(timestamp);
            codec.encode(record, value);
            if (first != null) {
                keep(key.toByteArray(), value.toByteArray());
            } else if (broadcast) {
                for (int p = 0; p < partitions; p++)
                    out.add(p, key.array(), 0, key.size(), value.array(), 0, value.size());
            } else {
                out.add(partition, key.array(), 0, key.size(), value.array(), 0, value.size());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("key selector failed: " + e.getMessage(), e);
        }
    }

    /** The key ranges of a range edge into more than one partition; set before the first record. */
    void bounds(RangeBounds bounds) {
        this.bounds = bounds;
    }

    /** Keeps only the first {@code n} records by key, written by {@link #finish()}: the edge leads into a top N. */
    void keepFirst(long n) {
        firstLimit = n;
        first = new java.util.PriorityQueue<>(
                (a, b) -> java.util.Arrays.compareUnsigned(b[0], a[0])); // the greatest key on top
    }

    private void keep(byte[] k, byte[] v) {
        if (firstLimit == 0) return;
        if (first.size() < firstLimit) first.add(new byte[][] {k, v});
        else if (java.util.Arrays.compareUnsigned(k, first.peek()[0]) < 0) {
            first.poll();
            first.add(new byte[][] {k, v});
        }
    }

    /** Writes what the edge held back (a top N's first records); called once the stage's operators are done. */
    void finish() throws IOException {
        if (reduced != null) flushReduced();
        if (totals != null) flushTotals();
        if (first == null) return;
        for (byte[][] kv : first) out.add(0, kv[0], 0, kv[0].length, kv[1], 0, kv[1].length);
        first.clear();
    }

    @Override
    public void watermark(long watermark) {}

    @Override
    public void idleness(boolean idle) {}
}
