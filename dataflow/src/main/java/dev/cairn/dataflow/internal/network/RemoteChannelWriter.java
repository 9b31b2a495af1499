package dev.cairn.dataflow.internal.network;

import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.internal.runtime.ChannelEvent;
import dev.cairn.dataflow.internal.runtime.ChannelWriter;

/**
 * The producing subtask's {@link ChannelWriter} for a consumer on another node: encodes each
 * record with the edge's codec into a network buffer, {@code varint length, i64 timestamp,
 * value}, and queues full buffers and events on the {@link OutboundChannel}. A record batch ends
 * its last buffer, so a buffer leaves no later than the batch that filled it; the executor's
 * flushing rules (on watermarks, idleness, an empty input) therefore hold across nodes as well.
 *
 * <p>Records are encoded into one reusable scratch array and copied into the buffer: no
 * allocation per record. A record that does not fit into one buffer fails the producer, naming
 * the key that sets the size. Used by the producing subtask's thread only.
 */
public final class RemoteChannelWriter implements ChannelWriter {
    private final OutboundChannel channel;
    private final Codec<Object> codec;
    private final SegmentPool pool;
    private final BytesOut scratch = new BytesOut(256);
    private byte[] segment;
    private int position;
    private int records;

    @SuppressWarnings("unchecked") // the edge's codec encodes the edge's records, erased here
    RemoteChannelWriter(OutboundChannel channel, Codec<?> codec, SegmentPool pool) {
        this.channel = channel;
        this.codec = (Codec<Object>) codec;
        this.pool = pool;
    }

    public ChannelId id() {
        return channel.id;
    }

    OutboundChannel channel() {
        return channel;
    }

    @Override
    public void put(ChannelEvent event) throws InterruptedException {
        switch (event) {
            case ChannelEvent.RecordBatch batch -> {
                Object[] values = batch.values();
                long[] timestamps = batch.timestamps();
                for (int i = 0; i < batch.size(); i++) add(values[i], timestamps[i]);
                flush();
            }
            case ChannelEvent.Watermark w -> event(new Frame.Watermark(-1, w.watermark()));
            case ChannelEvent.Idleness i -> event(new Frame.Idleness(-1, i.idle()));
            case ChannelEvent.Barrier b -> event(new Frame.Barrier(-1, b.checkpointId(), b.timestamp()));
            case ChannelEvent.EndOfPartition e -> event(new Frame.EndOfPartition(-1));
        }
    }

    /** Sends a checkpoint barrier behind everything written so far. */
    public void barrier(long checkpointId, long timestamp) throws InterruptedException {
        event(new Frame.Barrier(-1, checkpointId, timestamp));
    }

    private void event(Frame.DataFrame frame) throws InterruptedException {
        flush();
        channel.add(frame);
    }

    private void add(Object value, long timestamp) throws InterruptedException {
        scratch.reset();
        scratch.writeLong(timestamp);
        codec.encode(value, scratch);
        int n = scratch.size();
        int size = pool.segmentSize();
        int needed = Varint.size(n) + n;
        if (needed > size)
            throw new IllegalArgumentException("a record of " + n + " bytes (with its timestamp) on channel "
                    + channel.id + " does not fit into a network buffer of " + size
                    + " bytes; raise dataflow.network.buffer-size");
        if (segment != null && position + needed > size) flush();
        if (segment == null) {
            segment = pool.take();
            position = 0;
        }
        position = Varint.write(n, segment, position);
        System.arraycopy(scratch.array(), 0, segment, position, n);
        position += n;
        records++;
    }

    private void flush() throws InterruptedException {
        if (segment == null) return;
        Frame.Buffer frame = OutboundChannel.buffer(segment, position, records);
        segment = null;
        records = 0;
        position = 0;
        channel.add(frame);
    }

    /** Time this writer spent blocked by backpressure, by the node's clock. */
    public long blockedNanos() {
        return channel.blockedNanos();
    }
}
