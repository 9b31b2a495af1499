package dev.cairn.dataflow.internal.network;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.Codec;
import dev.cairn.common.codec.CodecException;
import dev.cairn.dataflow.internal.runtime.ChannelEvent;
import dev.cairn.dataflow.internal.runtime.InputGate;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@link InputGate} of a consuming subtask whose producers are on other nodes: one queue per
 * channel, filled by the connections' reader threads, read by the subtask's thread, and bounded
 * by credit. Each channel is granted {@code B} exclusive buffers when it opens; the gate lends its
 * {@code F} floating buffers to channels whose producers report a backlog beyond their credit.
 * A frame arrives only against a credit, so a reader thread never waits for room: a slow
 * consumer stops granting and stalls its own producers, never the connection it shares.
 *
 * <p>Per channel, {@code queued + granted = B + floating held} at all times (a frame is queued
 * until the subtask has taken and decoded it). Taking a frame frees its buffer: a floating one
 * goes back to the gate (and on to a channel waiting for one), an exclusive one is granted again
 * to its producer as one credit. So the gate holds at most {@code (B * n + F)} buffers of
 * {@code S} bytes.
 *
 * <p>All state is guarded by the gate's lock; decoding happens outside it, on the subtask thread.
 */
public final class RemoteInputGate implements InputGate {
    /** One input of the gate: channel {@code id}, produced on the node at {@code producerNode}. */
    public record Input(ChannelId id, InetSocketAddress producerNode, Codec<?> codec) {}

    /** One channel's state, owned by the gate's lock. */
    static final class Channel {
        final int index;
        final ChannelId id;
        final Codec<?> codec;
        Connection connection;
        int number = -1;
        final ArrayDeque<Frame.DataFrame> queue = new ArrayDeque<>();
        int granted;
        int floatingHeld;
        int backlog;
        boolean ended;
        boolean closed;
        boolean waitingForFloating;

        Channel(int index, ChannelId id, Codec<?> codec) {
            this.index = index;
            this.id = id;
            this.codec = codec;
        }

        String describe() {
            return "channel " + id + " from " + (connection == null ? "(not connected)" : connection.peer());
        }
    }

    private final String name;
    private final Channel[] channels;
    private final int exclusive;
    private final SegmentPool pool;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    private final ArrayDeque<Channel> withData = new ArrayDeque<>();
    private final ArrayDeque<Channel> waitingForFloating = new ArrayDeque<>();
    private final BytesIn in = new BytesIn();
    private int floating;
    private ChannelException failure;
    private long queuedRecords;
    private long peakQueuedRecords;
    private int heldBuffers;
    private int peakHeldBuffers;

    RemoteInputGate(String name, List<Input> inputs, NetworkSettings settings, SegmentPool pool) {
        this.name = name;
        this.channels = new Channel[inputs.size()];
        for (int i = 0; i < channels.length; i++)
            channels[i] = new Channel(i, inputs.get(i).id(), inputs.get(i).codec());
        this.exclusive = settings.buffersPerChannel();
        this.floating = settings.floatingBuffersPerGate();
        this.pool = pool;
    }

    Channel channel(int index) {
        return channels[index];
    }

    int channelCount() {
        return channels.length;
    }

    /** Setup: {@code channel} is opened as {@code number} of {@code connection}, with {@code B} credits granted. */
    int open(Channel channel, Connection connection, int number) {
        lock.lock();
        try {
            channel.connection = connection;
            channel.number = number;
            channel.granted = exclusive;
            return exclusive;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** Reader thread: a buffer of {@code length} bytes is coming for {@code channel}; where to put it. */
    byte[] segmentFor(Channel channel, int length) throws ProtocolException {
        lock.lock();
        try {
            if (channel.granted <= 0 || channel.ended)
                throw new ProtocolException(channel.describe() + " sent a buffer without credit");
            if (length > pool.segmentSize())
                throw new ProtocolException(
                        channel.describe() + " sent a buffer of " + length + " bytes, more than " + pool.segmentSize());
            return pool.take();
        } finally {
            lock.unlock();
        }
    }

    /** Reader thread: a data frame arrived for {@code channel}; it had a credit. */
    void onFrame(Channel channel, Frame.DataFrame frame) throws ProtocolException {
        lock.lock();
        try {
            if (channel.closed) { // the subtask stopped reading; frames still on their way are dropped
                if (frame instanceof Frame.Buffer b) pool.recycle(b.data().array());
                return;
            }
            if (channel.granted <= 0 || channel.ended) {
                if (frame instanceof Frame.Buffer b) pool.recycle(b.data().array());
                throw new ProtocolException(channel.describe() + " sent a frame without credit");
            }
            channel.granted--;
            if (channel.queue.isEmpty()) {
                withData.addLast(channel);
                available.signal();
            }
            channel.queue.addLast(frame);
            heldBuffers++;
            peakHeldBuffers = Math.max(peakHeldBuffers, heldBuffers);
            switch (frame) {
                case Frame.Buffer b -> {
                    queuedRecords += b.records();
                    peakQueuedRecords = Math.max(peakQueuedRecords, queuedRecords);
                    channel.backlog = b.backlog();
                    lendFloating(channel);
                }
                case Frame.EndOfPartition e -> channel.ended = true;
                default -> {}
            }
        } finally {
            lock.unlock();
        }
    }

    /** Gives {@code channel} floating buffers as credit while its backlog exceeds its credit. */
    private void lendFloating(Channel channel) {
        int lent = 0;
        while (floating > 0 && channel.backlog > channel.granted) {
            floating--;
            channel.floatingHeld++;
            channel.granted++;
            lent++;
        }
        if (lent > 0) channel.connection.sendCredit(channel.number, lent);
        if (channel.backlog > channel.granted && !channel.waitingForFloating) {
            channel.waitingForFloating = true;
            waitingForFloating.addLast(channel);
        }
    }

    /** Under the lock: the subtask is done with one frame of {@code channel}; its buffer is free. */
    private void release(Channel channel, Frame.DataFrame frame) {
        heldBuffers--;
        if (frame instanceof Frame.Buffer b) {
            queuedRecords -= b.records();
            pool.recycle(b.data().array());
        }
        if (channel.floatingHeld > 0) {
            channel.floatingHeld--;
            floating++;
            while (floating > 0 && !waitingForFloating.isEmpty()) {
                Channel next = waitingForFloating.peekFirst();
                if (next.ended || next.backlog <= next.granted || next.connection == null) {
                    waitingForFloating.pollFirst();
                    next.waitingForFloating = false;
                    continue;
                }
                floating--;
                next.floatingHeld++;
                next.granted++;
                next.connection.sendCredit(next.number, 1);
            }
        } else if (!channel.ended && failure == null) {
            channel.granted++;
            channel.connection.sendCredit(channel.number, 1);
        }
    }

    @Override
    public ChannelEvent poll(long timeoutNanos) throws InterruptedException {
        Channel channel;
        Frame.DataFrame frame;
        lock.lockInterruptibly();
        try {
            long remaining = timeoutNanos;
            while (withData.isEmpty() && failure == null) {
                if (remaining <= 0) return null;
                remaining = available.awaitNanos(remaining);
            }
            if (failure != null) throw new ChannelException(failure.getMessage(), failure);
            channel = withData.pollFirst();
            frame = channel.queue.pollFirst();
            if (!channel.queue.isEmpty()) withData.addLast(channel); // channels take turns
        } finally {
            lock.unlock();
        }
        ChannelEvent event;
        try {
            event = toEvent(channel, frame);
        } finally {
            lock.lock();
            try {
                release(channel, frame);
            } finally {
                lock.unlock();
            }
        }
        return event;
    }

    private ChannelEvent toEvent(Channel channel, Frame.DataFrame frame) {
        int index = channel.index;
        return switch (frame) {
            case Frame.Buffer b -> decode(channel, b);
            case Frame.Watermark w -> new ChannelEvent.Watermark(index, w.watermark());
            case Frame.Idleness i -> new ChannelEvent.Idleness(index, i.idle());
            case Frame.EndOfPartition e -> new ChannelEvent.EndOfPartition(index);
            case Frame.Barrier b -> new ChannelEvent.Barrier(index, b.checkpointId(), b.timestamp());
        };
    }

    private ChannelEvent.RecordBatch decode(Channel channel, Frame.Buffer buffer) {
        ByteBuffer data = buffer.data();
        in.reset(data.array(), data.arrayOffset() + data.position(), data.remaining());
        int n = buffer.records();
        Object[] values = new Object[n];
        long[] timestamps = new long[n];
        int i = 0;
        try {
            for (; i < n; i++) {
                int length = readVarint(in);
                int end = in.position() + length;
                timestamps[i] = in.readLong();
                values[i] = channel.codec.decode(in);
                if (in.position() != end)
                    throw new CodecException("codec " + channel.codec.id() + " read " + (in.position() - end + length)
                            + " of the record's " + length + " bytes");
            }
            if (in.remaining() != 0) throw new CodecException(in.remaining() + " bytes after the last record");
        } catch (CodecException e) {
            throw new ChannelException(
                    "malformed record " + i + " of " + n + " in a buffer on " + channel.describe() + ": "
                            + e.getMessage(),
                    e);
        }
        return new ChannelEvent.RecordBatch(channel.index, values, timestamps, n);
    }

    private static int readVarint(BytesIn in) {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.readUnsigned();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (value < 0) break;
                return value;
            }
        }
        throw new CodecException("bad record length");
    }

    /** Fails the gate (first failure wins): the subtask's next or current {@link #poll} throws it. */
    void fail(ChannelException e) {
        lock.lock();
        try {
            if (failure != null) return;
            failure = e;
            available.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops reading: the producers of channels that have not ended are told (CLOSE), frames still
     * on their way are dropped, and the frames queued here go back to the pool. For a subtask that
     * is cancelled or failed; the gate reads nothing afterwards.
     */
    public void close() {
        List<Channel> open = new ArrayList<>();
        lock.lock();
        try {
            for (Channel c : channels) {
                if (c.closed) continue;
                c.closed = true;
                for (Frame.DataFrame f : c.queue) {
                    heldBuffers--;
                    if (f instanceof Frame.Buffer b) {
                        queuedRecords -= b.records();
                        pool.recycle(b.data().array());
                    }
                }
                c.queue.clear();
                if (!c.ended && c.connection != null) open.add(c);
            }
            withData.clear();
            if (failure == null) failure = new ChannelException("gate " + name + " is closed", null);
        } finally {
            lock.unlock();
        }
        for (Channel c : open) c.connection.closeChannel(c.number);
    }

    @Override
    public long peakQueuedRecords() {
        lock.lock();
        try {
            return peakQueuedRecords;
        } finally {
            lock.unlock();
        }
    }

    /** The most buffers (and events) the gate held at once: at most {@code B * n + F}. */
    public int peakHeldBuffers() {
        lock.lock();
        try {
            return peakHeldBuffers;
        } finally {
            lock.unlock();
        }
    }

    /** Buffers (and events) the gate holds now. */
    public int heldBuffers() {
        lock.lock();
        try {
            return heldBuffers;
        } finally {
            lock.unlock();
        }
    }
}
