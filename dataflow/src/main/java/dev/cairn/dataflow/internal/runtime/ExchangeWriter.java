package dev.cairn.dataflow.internal.runtime;

import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.functions.KeySelector;
import dev.cairn.dataflow.internal.graph.Partitioning;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The producing end of one edge in one producer subtask: picks the consumer of each record by the
 * edge's partitioning, fills one batch per consumer and hands full batches to the consumer's
 * {@link ChannelWriter} (blocking when it is full). A watermark, idleness change or the end first
 * flushes every partial batch, so events stay in order behind the records before them.
 */
final class ExchangeWriter<T> implements Downstream<T> {
    private final ChannelWriter[] gates;
    private final int[] channels;
    private final Partitioning partitioning;
    private final KeySelector<T, Object> keySelector;
    private final Codec<Object> keyCodec;
    private final int maxParallelism;
    private final int batchSize;
    private final BytesOut scratch = new BytesOut();
    private final Object[][] values;
    private final long[][] timestamps;
    private final int[] sizes;
    private int roundRobin;
    private AtomicLong blockedNanos;

    /** Adds the time this writer waits on full channels to {@code blockedNanos}. */
    void measure(AtomicLong blockedNanos) {
        this.blockedNanos = blockedNanos;
    }

    /**
     * @param gates the writers of the channels to the consumer subtasks, by consumer index (a forward edge has just one)
     * @param channels this producer's channel index in each gate
     * @param producerIndex the producing subtask
     */
    @SuppressWarnings("unchecked") // the key selector and codec of a keyed edge agree on the key type, erased here
    ExchangeWriter(
            ChannelWriter[] gates,
            int[] channels,
            Partitioning partitioning,
            int maxParallelism,
            int batchSize,
            int producerIndex) {
        this.gates = gates;
        this.channels = channels;
        this.partitioning = partitioning;
        if (partitioning instanceof Partitioning.KeyGroupHash<?, ?> hash) {
            keySelector = (KeySelector<T, Object>) hash.keySelector();
            keyCodec = (Codec<Object>) hash.keyCodec();
        } else {
            keySelector = null;
            keyCodec = null;
        }
        this.maxParallelism = maxParallelism;
        this.batchSize = batchSize;
        values = new Object[gates.length][];
        timestamps = new long[gates.length][];
        sizes = new int[gates.length];
        for (int i = 0; i < gates.length; i++) newBatch(i);
        roundRobin = producerIndex % gates.length; // producers start round robin at different consumers
    }

    private void newBatch(int target) {
        values[target] = new Object[batchSize];
        timestamps[target] = new long[batchSize];
        sizes[target] = 0;
    }

    @Override
    public void accept(T value, long timestamp) {
        switch (partitioning) {
            case Partitioning.KeyGroupHash<?, ?> ignored -> add(keyedTarget(value), value, timestamp);
            case Partitioning.Forward ignored -> add(0, value, timestamp);
            case Partitioning.Rebalance ignored -> {
                add(roundRobin, value, timestamp);
                if (++roundRobin == gates.length) roundRobin = 0;
            }
            case Partitioning.Broadcast ignored -> {
                for (int i = 0; i < gates.length; i++) add(i, value, timestamp);
            }
            case Partitioning.Range<?, ?> ignored ->
                throw new IllegalStateException("a sort runs in batch mode (RuntimeMode.BATCH, submit --mode batch)");
        }
    }

    private int keyedTarget(T value) {
        Object key;
        try {
            key = keySelector.getKey(value);
        } catch (Exception e) {
            throw new IllegalStateException("key selector failed on " + value + ": " + e, e);
        }
        int keyGroup = KeyGroups.keyGroupOf(key, keyCodec, maxParallelism, scratch);
        return KeyGroups.subtaskFor(keyGroup, maxParallelism, gates.length);
    }

    private void add(int target, Object value, long timestamp) {
        int n = sizes[target];
        values[target][n] = value;
        timestamps[target][n] = timestamp;
        sizes[target] = ++n;
        if (n == batchSize) flush(target);
    }

    private void flush(int target) {
        if (sizes[target] == 0) return;
        put(target, new ChannelEvent.RecordBatch(channels[target], values[target], timestamps[target], sizes[target]));
        newBatch(target);
    }

    private void put(int target, ChannelEvent event) {
        try {
            if (blockedNanos == null) {
                gates[target].put(event);
            } else {
                // Measuring only: how long a put waits is backpressure; nothing decides on it.
                long start = System.nanoTime();
                gates[target].put(event);
                SubtaskMetrics.increment(blockedNanos, System.nanoTime() - start);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException(e);
        }
    }

    void flushAll() {
        for (int i = 0; i < gates.length; i++) flush(i);
    }

    @Override
    public void watermark(long watermark) {
        flushAll();
        for (int i = 0; i < gates.length; i++) put(i, new ChannelEvent.Watermark(channels[i], watermark));
    }

    @Override
    public void idleness(boolean idle) {
        flushAll();
        for (int i = 0; i < gates.length; i++) put(i, new ChannelEvent.Idleness(channels[i], idle));
    }

    /** Flushes and sends barrier {@code checkpointId} to every consumer, behind every record written so far. */
    void barrier(long checkpointId, long timestamp) {
        flushAll();
        for (int i = 0; i < gates.length; i++) put(i, new ChannelEvent.Barrier(channels[i], checkpointId, timestamp));
    }

    /** Flushes and tells every consumer this producer is done. */
    void end() {
        flushAll();
        for (int i = 0; i < gates.length; i++) put(i, new ChannelEvent.EndOfPartition(channels[i]));
    }
}
