package dev.cairn.store.internal.transfer;

import dev.cairn.store.internal.disk.BlockId;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What became of one block on each node of a write pipeline, in pipeline order.
 *
 * <p>The guarantee is one-sided: a node reported {@link Stored} has the block finalized and durable.
 * A node reported {@link Failed} normally has nothing, but may hold a finalized replica after all if
 * it failed to answer rather than failed to write (its upstream gave up waiting, or lost the
 * connection after the end of the block had passed); its next block report shows such a replica,
 * for the cluster to keep or delete.
 */
public record PipelineAck(BlockId block, List<NodeOutcome> outcomes) {
    public PipelineAck {
        Objects.requireNonNull(block, "block");
        outcomes = List.copyOf(outcomes);
    }

    /** One node's part in the pipeline. */
    public sealed interface NodeOutcome {
        DataAddress node();
    }

    /** The node finalized the block, {@code length} bytes, on its disk. */
    public record Stored(DataAddress node, long length) implements NodeOutcome {}

    /** The node did not store the block, or did not say that it had; {@code reason} says why, for logs. */
    public record Failed(DataAddress node, String reason) implements NodeOutcome {}

    /** The nodes that stored the block, in pipeline order. */
    public List<DataAddress> succeeded() {
        return outcomes.stream()
                .filter(o -> o instanceof Stored)
                .map(NodeOutcome::node)
                .toList();
    }

    public boolean allStored() {
        return outcomes.stream().allMatch(o -> o instanceof Stored);
    }

    /**
     * The outcomes when the pipeline broke at {@code pipeline.get(0)}: it failed for {@code reason},
     * and the nodes after it, reached only through it, count as failed too.
     */
    static List<NodeOutcome> brokenAt(List<DataAddress> pipeline, String reason) {
        List<NodeOutcome> list = new ArrayList<>(pipeline.size());
        for (DataAddress a : pipeline) {
            list.add(new Failed(
                    a,
                    list.isEmpty()
                            ? reason
                            : "no ack: the pipeline broke at " + pipeline.get(0) + ", before this node"));
        }
        return list;
    }

    /** The outcomes without addresses, which both ends know from the request: a count, then per node a kind and its detail. */
    static void writeOutcomes(DataOutputStream out, List<NodeOutcome> outcomes) throws IOException {
        out.writeByte(outcomes.size());
        for (NodeOutcome o : outcomes) {
            switch (o) {
                case Stored s -> {
                    out.writeByte(Wire.STORED);
                    out.writeLong(s.length());
                }
                case Failed f -> {
                    out.writeByte(Wire.NOT_STORED);
                    Wire.writeMessage(out, f.reason());
                }
            }
        }
    }

    /**
     * Reads outcomes for {@code pipeline}, which must be as many as its nodes.
     *
     * @throws ProtocolException if they are not, or an outcome is malformed
     */
    static List<NodeOutcome> readOutcomes(DataInputStream in, List<DataAddress> pipeline) throws IOException {
        int n = in.readUnsignedByte();
        if (n != pipeline.size())
            throw new ProtocolException("ack for " + n + " nodes, the pipeline has " + pipeline.size());
        List<NodeOutcome> list = new ArrayList<>(n);
        for (DataAddress node : pipeline) {
            int kind = in.readUnsignedByte();
            switch (kind) {
                case Wire.STORED -> {
                    long length = in.readLong();
                    if (length < 0) throw new ProtocolException("ack with negative length " + length + " from " + node);
                    list.add(new Stored(node, length));
                }
                case Wire.NOT_STORED -> list.add(new Failed(node, in.readUTF()));
                default -> throw new ProtocolException("unknown outcome kind " + kind + " in ack for " + node);
            }
        }
        return list;
    }
}
