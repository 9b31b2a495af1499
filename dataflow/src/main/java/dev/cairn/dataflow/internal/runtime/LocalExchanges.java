package dev.cairn.dataflow.internal.runtime;

import dev.cairn.dataflow.internal.graph.OperatorNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Exchanges within this JVM: a channel's writer is its consumer's {@link LocalInputGate}, events pass as objects. */
public final class LocalExchanges implements Exchanges {
    private record SubtaskKey(int node, int subtask) {}

    private final int capacityBatches;
    private final Map<SubtaskKey, LocalInputGate> gates = new HashMap<>();

    /** @param capacityBatches events each gate queues before its producers block */
    public LocalExchanges(int capacityBatches) {
        this.capacityBatches = capacityBatches;
    }

    @Override
    public InputGate gate(String name, OperatorNode consumer, int subtask, List<Channel> channels) {
        LocalInputGate gate = new LocalInputGate(name, capacityBatches);
        gates.put(new SubtaskKey(consumer.id(), subtask), gate);
        return gate;
    }

    @Override
    public ChannelWriter writer(Channel channel) {
        LocalInputGate gate = gates.get(new SubtaskKey(channel.edge().target(), channel.consumer()));
        if (gate == null) throw new IllegalStateException("no gate for " + channel);
        return gate;
    }
}
