package dev.cairn.dataflow.internal.network;

import java.nio.ByteBuffer;

/**
 * One frame of the stream network protocol (the wire format is in {@code package-info.java}).
 * Every frame but {@link Failure} with {@link #NO_CHANNEL} names a channel by the number the
 * consuming side gave it when it opened the channel on this connection.
 *
 * <p>Consumer to producer: {@link Open}, {@link Credit}, {@link Close}. Producer to consumer: the
 * {@link DataFrame}s, each of which uses up one credit. Either way: {@link Failure}.
 */
public sealed interface Frame {
    /** The channel number of {@link Failure}s about the whole connection. */
    int NO_CHANNEL = -1;

    int channel();

    /** A frame that travels on a channel in order and takes one credit (one buffer at the consumer). */
    sealed interface DataFrame extends Frame {}

    /**
     * The consumer opens {@code id} as channel number {@code channel} of this connection and grants
     * its producer {@code credits} buffers.
     */
    record Open(int channel, ChannelId id, int credits) implements Frame {}

    /** The consumer has {@code credits} more buffers free for the channel. */
    record Credit(int channel, int credits) implements Frame {}

    /** The consumer is gone (cancelled or failed) and reads no more of the channel. */
    record Close(int channel) implements Frame {}

    /**
     * Encoded records, each {@code varint length, i64 timestamp, value} (the value in the edge's
     * codec); {@code backlog} is how many more data frames the producer has queued for the channel.
     */
    record Buffer(int channel, int backlog, int records, ByteBuffer data) implements DataFrame {}

    /** Event time on the channel has reached {@code watermark}. */
    record Watermark(int channel, long watermark) implements DataFrame {}

    /** The producer went idle, or became active again. */
    record Idleness(int channel, boolean idle) implements DataFrame {}

    /** A checkpoint barrier: everything before it on the channel belongs to checkpoint {@code checkpointId}. */
    record Barrier(int channel, long checkpointId, long timestamp) implements DataFrame {}

    /** The producer has finished; nothing follows on the channel. */
    record EndOfPartition(int channel) implements DataFrame {}

    /** The sender failed the channel, or with {@link #NO_CHANNEL} the whole connection (and closes it). */
    record Failure(int channel, String message) implements Frame {}
}
