package dev.cairn.dataflow.internal.runtime;

/**
 * Where a consuming subtask reads the events of all its input channels, whether their producers
 * run in this JVM ({@link LocalInputGate}) or on other nodes (the network's remote gate). The
 * subtask's thread is the only reader. Events of one channel come in the order they were sent;
 * the channels interleave in any order.
 */
public interface InputGate {
    /** The consuming subtask, for messages. */
    String name();

    /**
     * The next event of any channel, waiting up to {@code timeoutNanos}; null if none came.
     *
     * @throws RuntimeException naming the channel and its peer, if a channel failed
     */
    ChannelEvent poll(long timeoutNanos) throws InterruptedException;

    /** The most records that waited in this gate at once. */
    long peakQueuedRecords();
}
