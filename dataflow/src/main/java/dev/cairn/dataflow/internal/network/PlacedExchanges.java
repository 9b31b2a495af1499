package dev.cairn.dataflow.internal.network;

import dev.cairn.dataflow.internal.graph.OperatorNode;
import dev.cairn.dataflow.internal.runtime.ChannelWriter;
import dev.cairn.dataflow.internal.runtime.Exchanges;
import dev.cairn.dataflow.internal.runtime.InputGate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;

/**
 * The exchanges of one node of a cluster run: this node's subtasks read their gates through
 * {@code local}, dialing each producer's node where {@link Addresses} says it runs, and register
 * their outgoing channels on {@code local} for consumers anywhere to open. Every exchanged
 * channel crosses TCP, even between two subtasks of this node.
 */
public final class PlacedExchanges implements Exchanges {
    /** Where the subtasks of the run are: the stream-network address of a subtask's node. */
    @FunctionalInterface
    public interface Addresses {
        InetSocketAddress of(int operatorId, int subtask);
    }

    private final long job;
    private final NetworkEndpoint local;
    private final Addresses addresses;

    /**
     * @param job the run's network id: channels of different runs never mix
     */
    public PlacedExchanges(long job, NetworkEndpoint local, Addresses addresses) {
        this.job = job;
        this.local = local;
        this.addresses = addresses;
    }

    @Override
    public InputGate gate(String name, OperatorNode consumer, int subtask, java.util.List<Channel> channels) {
        java.util.List<RemoteInputGate.Input> inputs = new java.util.ArrayList<>();
        for (Channel c : channels) {
            inputs.add(new RemoteInputGate.Input(
                    id(c),
                    addresses.of(c.edge().source(), c.producer()),
                    c.edge().recordCodec()));
        }
        try {
            return local.gate(name, inputs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the input of " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ChannelWriter writer(Channel channel) {
        return local.producer(id(channel), channel.edge().recordCodec());
    }

    private ChannelId id(Channel c) {
        return new ChannelId(job, c.edgeIndex(), c.producer(), c.consumer());
    }
}
