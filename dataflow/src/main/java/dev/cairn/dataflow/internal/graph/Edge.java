package dev.cairn.dataflow.internal.graph;

import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.internal.operators.CodecReference;
import java.io.Serializable;

/**
 * A data edge from {@code source}'s output (its main output, or the side output named
 * {@code sideOutput}) to {@code target}'s logical input {@code targetInput}.
 *
 * @param sideOutput the side output's tag id, or null for the main output
 * @param recordCodec how an exchange encodes the edge's records
 */
public record Edge(
        int source, int target, int targetInput, Partitioning partitioning, String sideOutput, Codec<?> recordCodec)
        implements Serializable {
    public Edge {
        recordCodec = CodecReference.of(recordCodec);
    }

    /** Whether the consumer can run in the producer's thread as a direct call. */
    public boolean isForward() {
        return partitioning instanceof Partitioning.Forward;
    }
}
