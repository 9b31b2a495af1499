package dev.cairn.dataflow.internal.runtime;

import dev.cairn.dataflow.internal.graph.Edge;
import dev.cairn.dataflow.internal.graph.OperatorNode;
import java.util.List;

/**
 * Makes the two ends of an execution's exchanges: each consuming subtask's {@link InputGate} and
 * each channel's {@link ChannelWriter}. {@link LocalExchanges} keeps them in this JVM; the
 * network's exchanges put the producer and the consumer of a channel on different nodes. Called
 * by the executor's setup thread: first every gate, then every writer.
 */
public interface Exchanges {
    /**
     * One channel: producer subtask {@code producer} of edge {@code edgeIndex} to consumer subtask
     * {@code consumer}, which reads it as channel {@code index} of its gate.
     */
    record Channel(int edgeIndex, Edge edge, int producer, int consumer, int index) {}

    /** The gate of subtask {@code subtask} of {@code consumer}, reading {@code channels} (by index). */
    InputGate gate(String name, OperatorNode consumer, int subtask, List<Channel> channels);

    /** The producing end of {@code channel}, whose gate was made before. */
    ChannelWriter writer(Channel channel);
}
