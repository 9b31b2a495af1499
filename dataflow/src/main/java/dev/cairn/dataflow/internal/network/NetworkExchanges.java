package dev.cairn.dataflow.internal.network;

import dev.cairn.dataflow.internal.graph.OperatorNode;
import dev.cairn.dataflow.internal.runtime.ChannelWriter;
import dev.cairn.dataflow.internal.runtime.Exchanges;
import dev.cairn.dataflow.internal.runtime.InputGate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Exchanges} over the stream network: every subtask is placed on one of {@code nodes},
 * and every exchanged channel goes through TCP from its producer's node to its consumer's, even
 * when both are the same node. Chained operators stay direct calls. Until the master places
 * subtasks on workers, this runs a whole graph in one JVM with its exchanges on real sockets.
 */
public final class NetworkExchanges implements Exchanges {
    /** Where a subtask runs: an index into the nodes. */
    public interface Placement {
        int nodeOf(int operatorId, int subtask);
    }

    private final long job;
    private final List<NetworkEndpoint> nodes;
    private final Placement placement;
    private final List<RemoteInputGate> gates = new ArrayList<>();
    private final List<RemoteChannelWriter> writers = new ArrayList<>();

    public NetworkExchanges(long job, List<NetworkEndpoint> nodes, Placement placement) {
        this.job = job;
        this.nodes = List.copyOf(nodes);
        this.placement = placement;
    }

    @Override
    public InputGate gate(String name, OperatorNode consumer, int subtask, List<Channel> channels) {
        List<RemoteInputGate.Input> inputs = new ArrayList<>();
        for (Channel c : channels) {
            NetworkEndpoint producerNode = nodes.get(placement.nodeOf(c.edge().source(), c.producer()));
            inputs.add(new RemoteInputGate.Input(
                    id(c), producerNode.address(), c.edge().recordCodec()));
        }
        try {
            RemoteInputGate gate =
                    nodes.get(placement.nodeOf(consumer.id(), subtask)).gate(name, inputs);
            gates.add(gate);
            return gate;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the input of " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ChannelWriter writer(Channel channel) {
        NetworkEndpoint node = nodes.get(placement.nodeOf(channel.edge().source(), channel.producer()));
        RemoteChannelWriter writer = node.producer(id(channel), channel.edge().recordCodec());
        writers.add(writer);
        return writer;
    }

    private ChannelId id(Channel c) {
        return new ChannelId(job, c.edgeIndex(), c.producer(), c.consumer());
    }

    /** The gates made, in order; for checks of their bounds. */
    public List<RemoteInputGate> gates() {
        return List.copyOf(gates);
    }

    /** The writers made, in order. */
    public List<RemoteChannelWriter> writers() {
        return List.copyOf(writers);
    }
}
