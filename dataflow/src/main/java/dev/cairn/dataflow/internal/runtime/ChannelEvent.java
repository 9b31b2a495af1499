package dev.cairn.dataflow.internal.runtime;

/**
 * What travels on a channel from one producer subtask to one consumer subtask, in order: batches
 * of records, watermarks, idleness changes, checkpoint barriers, and finally the end of the
 * partition. Between nodes they travel as the network's frames. A barrier splits the channel's
 * records into those before checkpoint N (in its snapshot) and those after.
 */
public sealed interface ChannelEvent {
    /** The channel's index in the consumer's input gate. */
    int channel();

    /** Up to a buffer's worth of records with their timestamps; the arrays are not shared. */
    final class RecordBatch implements ChannelEvent {
        private final int channel;
        final Object[] values;
        final long[] timestamps;
        final int size;

        public RecordBatch(int channel, Object[] values, long[] timestamps, int size) {
            this.channel = channel;
            this.values = values;
            this.timestamps = timestamps;
            this.size = size;
        }

        @Override
        public int channel() {
            return channel;
        }

        public int size() {
            return size;
        }

        /** The records; only the first {@link #size()} are used. */
        public Object[] values() {
            return values;
        }

        /** The records' timestamps, by index as {@link #values()}. */
        public long[] timestamps() {
            return timestamps;
        }
    }

    /** Event time on this channel has reached {@code watermark}. */
    record Watermark(int channel, long watermark) implements ChannelEvent {}

    /** The producer went idle (no records for a while) or became active again. */
    record Idleness(int channel, boolean idle) implements ChannelEvent {}

    /** Everything before this on the channel belongs to checkpoint {@code checkpointId}'s state. */
    record Barrier(int channel, long checkpointId, long timestamp) implements ChannelEvent {}

    /** The producer has finished; nothing follows on this channel. */
    record EndOfPartition(int channel) implements ChannelEvent {}
}
