package dev.cairn.dataflow.internal.graph;

import dev.cairn.dataflow.StateBackendKind;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A dataflow program as plain data: operators with their parallelism and the edges between them.
 * Serializable as a whole (functions as themselves, codecs by id), so a master can ship it.
 * Nodes are in topological order (every edge goes from a lower to a higher id). A runtime decides
 * chaining ({@link #isChained}) and placement from it. {@code stateBackend} says where keyed
 * operators keep their state (null, as in a graph serialized before it existed: the heap).
 */
public record LogicalGraph(
        List<OperatorNode> nodes, List<Edge> edges, int maxParallelism, StateBackendKind stateBackend)
        implements Serializable {
    public LogicalGraph(List<OperatorNode> nodes, List<Edge> edges, int maxParallelism) {
        this(nodes, edges, maxParallelism, StateBackendKind.HEAP);
    }

    public LogicalGraph {
        if (stateBackend == null) stateBackend = StateBackendKind.HEAP;
        nodes = List.copyOf(nodes);
        edges = List.copyOf(edges);
        for (Edge e : edges) {
            if (e.source() >= e.target()) throw new IllegalArgumentException("edge against topological order: " + e);
        }
    }

    public OperatorNode node(int id) {
        return nodes.get(id);
    }

    public List<Edge> inputsOf(int id) {
        List<Edge> in = new ArrayList<>();
        for (Edge e : edges) if (e.target() == id) in.add(e);
        return in;
    }

    public List<Edge> outputsOf(int id) {
        List<Edge> out = new ArrayList<>();
        for (Edge e : edges) if (e.source() == id) out.add(e);
        return out;
    }

    /**
     * Whether the edge's consumer runs in its producer's thread, as a direct call: a forward edge
     * between equal parallelism into an operator that has no other input edge.
     */
    public boolean isChained(Edge edge) {
        return edge.isForward()
                && node(edge.source()).parallelism() == node(edge.target()).parallelism()
                && inputsOf(edge.target()).size() == 1;
    }

    /** One line per operator and edge, for logs and tests. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (OperatorNode n : nodes) {
            sb.append(n).append('\n');
            for (Edge e : outputsOf(n.id())) {
                sb.append("  -> #")
                        .append(e.target())
                        .append(" input ")
                        .append(e.targetInput())
                        .append(' ')
                        .append(e.partitioning().getClass().getSimpleName())
                        .append(e.sideOutput() == null ? "" : " side '" + e.sideOutput() + "'")
                        .append(isChained(e) ? " (chained)" : "")
                        .append('\n');
            }
        }
        return sb.toString();
    }
}
