package dev.cairn.dataflow.internal.network;

import dev.cairn.common.time.Clock;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The producer's end of one remote channel: a queue of data frames waiting for credit, bounded by
 * {@code B} buffers per channel. A buffer frame's bytes are a segment of the node's pool, returned
 * once written (or dropped on failure). Three threads meet here, each at one edge: the producing subtask
 * {@link #add}s (and blocks while {@code B} frames are queued or on the wire: backpressure), the
 * connection's reader binds the channel when the consumer opens it and adds the credits it
 * grants, and the connection's writer takes a frame only while it holds a credit.
 *
 * <p>States: <em>registered</em> (frames queue, nothing is sent) → <em>bound</em> to a
 * connection by the consumer's OPEN (frames leave as credit allows) → <em>finished</em> once the
 * end of the partition has been written, or <em>failed</em> (peer gone, consumer closed the
 * channel) from either earlier state; a failed channel throws from {@link #add}.
 */
final class OutboundChannel {
    /** A frame taken for sending, with its channel number and the backlog behind it. */
    record Send(Frame.DataFrame frame, boolean more) {}

    final ChannelId id;
    private final int capacity;
    private final SegmentPool pool;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Frame.DataFrame> queue = new ArrayDeque<>();
    /** Frames queued or being written: what counts against the capacity. */
    private int occupied;

    private int peakOccupied;
    private int credits;
    private Connection connection;
    private int number = -1;
    private boolean scheduled;
    private ChannelException failure;
    private long blockedNanos;

    OutboundChannel(ChannelId id, int capacity, SegmentPool pool, Clock clock) {
        this.id = id;
        this.capacity = capacity;
        this.pool = pool;
        this.clock = clock;
    }

    /**
     * Queues {@code frame} (its channel number is filled in when sent), blocking while the queue
     * is full.
     *
     * @throws ChannelException if the channel failed, now or while waiting
     */
    void add(Frame.DataFrame frame) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            if (occupied >= capacity && failure == null) {
                long start = clock.nanos();
                while (occupied >= capacity && failure == null) changed.await();
                blockedNanos += clock.nanos() - start;
            }
            if (failure != null) {
                recycle(frame);
                throw new ChannelException(failure.getMessage(), failure);
            }
            queue.addLast(frame);
            occupied++;
            if (occupied > peakOccupied) peakOccupied = occupied;
            scheduleIfSendable();
        } finally {
            lock.unlock();
        }
    }

    /** Reader thread: the consumer opened the channel as {@code number} of {@code connection}. */
    void bind(Connection connection, int number, int initialCredits) {
        lock.lock();
        try {
            if (this.connection != null)
                throw new IllegalStateException(
                        "channel " + id + " opened twice, by " + this.connection.peer() + " and " + connection.peer());
            this.connection = connection;
            this.number = number;
            this.credits = initialCredits;
            scheduleIfSendable();
        } finally {
            lock.unlock();
        }
    }

    /** Reader thread: the consumer has room for {@code n} more frames. */
    void addCredit(int n) {
        lock.lock();
        try {
            credits += n;
            scheduleIfSendable();
        } finally {
            lock.unlock();
        }
    }

    private void scheduleIfSendable() {
        if (!scheduled && failure == null && connection != null && credits > 0 && !queue.isEmpty()) {
            scheduled = true;
            connection.schedule(this);
        }
    }

    /**
     * Writer thread: the next frame to send, spending a credit, or null if there is none or no
     * credit. {@link Send#more} says whether the channel stays scheduled (it is then put back at
     * the end of the writer's queue, so channels take turns).
     */
    Send pollForSend() {
        lock.lock();
        try {
            scheduled = false;
            if (failure != null || credits == 0 || queue.isEmpty()) return null;
            Frame.DataFrame f = withChannel(queue.pollFirst(), number, queue.size());
            credits--;
            boolean more = credits > 0 && !queue.isEmpty();
            scheduled = more;
            return new Send(f, more);
        } finally {
            lock.unlock();
        }
    }

    /** Writer thread: {@code send} is written; its room in the queue is free again. */
    void sent(Send send) {
        recycle(send.frame());
        lock.lock();
        try {
            occupied--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Fails the channel (first failure wins): a blocked or later {@link #add} throws it. */
    void fail(ChannelException e) {
        lock.lock();
        try {
            if (failure != null) return;
            failure = e;
            for (Frame.DataFrame f : queue) recycle(f);
            occupied -= queue.size();
            queue.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The peer, or "(not opened yet)", for messages. */
    String peer() {
        lock.lock();
        try {
            return connection == null ? "(no consumer yet)" : connection.peer();
        } finally {
            lock.unlock();
        }
    }

    /** The most frames that were queued or on the wire at once; at most the capacity. */
    int peakOccupied() {
        lock.lock();
        try {
            return peakOccupied;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the producer is waiting for room now. */
    boolean isBackpressured() {
        lock.lock();
        try {
            return occupied >= capacity && failure == null;
        } finally {
            lock.unlock();
        }
    }

    /** Time the producer spent blocked in {@link #add}, by the injected clock. */
    long blockedNanos() {
        lock.lock();
        try {
            return blockedNanos;
        } finally {
            lock.unlock();
        }
    }

    private void recycle(Frame.DataFrame frame) {
        if (frame instanceof Frame.Buffer b) pool.recycle(b.data().array());
    }

    private static Frame.DataFrame withChannel(Frame.DataFrame f, int channel, int backlog) {
        return switch (f) {
            case Frame.Buffer b -> new Frame.Buffer(channel, backlog, b.records(), b.data());
            case Frame.Watermark w -> new Frame.Watermark(channel, w.watermark());
            case Frame.Idleness i -> new Frame.Idleness(channel, i.idle());
            case Frame.Barrier b -> new Frame.Barrier(channel, b.checkpointId(), b.timestamp());
            case Frame.EndOfPartition e -> new Frame.EndOfPartition(channel);
        };
    }

    /** A buffer frame over {@code length} bytes of {@code segment}, for {@link #add}. */
    static Frame.Buffer buffer(byte[] segment, int length, int records) {
        return new Frame.Buffer(-1, 0, records, ByteBuffer.wrap(segment, 0, length));
    }
}
