package dev.cairn.dataflow.internal.graph;

import java.io.Serializable;

/**
 * One operator of the logical graph.
 *
 * @param inputs 0 for a source, 1 or 2 for the operator's logical inputs (each fed by one or more edges)
 */
public record OperatorNode(int id, String name, int parallelism, int inputs, OperatorFactory factory)
        implements Serializable {
    @Override
    public String toString() {
        return "#" + id + " " + name + " [" + factory.kind() + ", parallelism " + parallelism + "]";
    }
}
