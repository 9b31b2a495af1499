package dev.cairn.dataflow.internal.batch;

import dev.cairn.batch.stage.PartitionedOutput;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.internal.runtime.Downstream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An exchange that keeps its producer's order: every record of task t goes to partition
 * {@code t mod partitions} under the shuffle key (t, its sequence number in the task, the edge's
 * number), each a big-endian fixed-width number. Since the runtime sorts a partition by key bytes,
 * a consumer reads task t's records in the order t emitted them, then task t + partitions's, and
 * so on: a file stage's split after split (its tasks follow the files' order), a sort's ranges one
 * after the other. Used into a cache (forward: the dataset keeps its partitioning) and into the
 * last task of a take (one partition: the tasks' first records, task by task). The value is the
 * record's timestamp and encoding, as in {@link ExchangeOutput}, so the consumer's reading is the
 * same.
 */
final class OrderedOutput<T> implements Downstream<T> {
    private final int edge;
    private final Codec<T> codec;
    private final int task;
    private final int partition;
    private final PartitionedOutput out;
    private final BytesOut key = new BytesOut(16);
    private final BytesOut value = new BytesOut(256);
    private long sequence;

    OrderedOutput(int edge, Codec<T> codec, int task, PartitionedOutput out) {
        if (edge >= 1 << 16) throw new IllegalArgumentException("too many edges for a batch plan: " + edge);
        this.edge = edge;
        this.codec = codec;
        this.task = task;
        this.partition = Math.floorMod(task, out.partitions());
        this.out = out;
    }

    @Override
    public void accept(T record, long timestamp) {
        try {
            key.reset();
            key.writeInt(task);
            key.writeLong(sequence++);
            key.write(edge >>> 8);
            key.write(edge);
            value.reset();
            value.writeLong(timestamp);
            codec.encode(record, value);
            out.add(partition, key.array(), 0, key.size(), value.array(), 0, value.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void watermark(long watermark) {}

    @Override
    public void idleness(boolean idle) {}
}
