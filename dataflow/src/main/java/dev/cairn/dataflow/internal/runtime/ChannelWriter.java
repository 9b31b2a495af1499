package dev.cairn.dataflow.internal.runtime;

/**
 * The producing end of a channel, as an {@link ExchangeWriter} sees it: a consumer's
 * {@link LocalInputGate} in this JVM, or the network's remote channel writer, which encodes the
 * events into buffers for a consumer on another node. Called by the producing subtask's thread
 * only.
 */
public interface ChannelWriter {
    /**
     * Hands over {@code event} (whose {@link ChannelEvent#channel()} is the channel's index in the
     * consumer's gate), blocking while the consumer has no room for it: backpressure. The event's
     * arrays are not used by the caller afterwards.
     *
     * @throws RuntimeException naming the channel and its peer, if the channel failed
     */
    void put(ChannelEvent event) throws InterruptedException;
}
