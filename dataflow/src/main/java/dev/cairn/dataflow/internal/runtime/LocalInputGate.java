package dev.cairn.dataflow.internal.runtime;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The inbox of one consumer subtask fed by producers in this JVM: events of all its input
 * channels in one bounded FIFO, which is also every producer's {@link ChannelWriter}. A
 * producer putting into a full gate blocks until the consumer takes (backpressure). The bound is
 * in events, so at most {@code capacity * batchSize} records wait here; the gate counts them
 * exactly, under the same lock as the queue, and remembers the peak.
 *
 * <p>One queue per consumer, not per channel, is enough while nothing needs to hold back one
 * channel (checkpoint barrier alignment will: then it becomes a queue and a credit count per
 * channel).
 */
public final class LocalInputGate implements InputGate, ChannelWriter {
    private final String name;
    private final int capacity;
    private final ArrayDeque<ChannelEvent> queue;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final Condition notEmpty = lock.newCondition();
    private long queuedRecords;
    private long peakQueuedRecords;

    public LocalInputGate(String name, int capacity) {
        this.name = name;
        this.capacity = capacity;
        this.queue = new ArrayDeque<>(capacity);
    }

    @Override
    public String name() {
        return name;
    }

    /** Appends {@code event}, blocking while the gate is full. */
    @Override
    public void put(ChannelEvent event) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (queue.size() >= capacity) notFull.await();
            queue.addLast(event);
            if (event instanceof ChannelEvent.RecordBatch batch) {
                queuedRecords += batch.size;
                if (queuedRecords > peakQueuedRecords) peakQueuedRecords = queuedRecords;
            }
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The oldest event, waiting up to {@code timeoutNanos}; null if none came. */
    @Override
    public ChannelEvent poll(long timeoutNanos) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long remaining = timeoutNanos;
            while (queue.isEmpty()) {
                if (remaining <= 0) return null;
                remaining = notEmpty.awaitNanos(remaining);
            }
            ChannelEvent event = queue.pollFirst();
            if (event instanceof ChannelEvent.RecordBatch batch) queuedRecords -= batch.size;
            notFull.signal();
            return event;
        } finally {
            lock.unlock();
        }
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
}
