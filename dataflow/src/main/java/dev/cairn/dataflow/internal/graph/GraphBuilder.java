package dev.cairn.dataflow.internal.graph;

import dev.cairn.dataflow.StateBackendKind;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects operators and edges while a program is being written; {@link #build} freezes them.
 * Forward edges between operators of different parallelism become rebalancing edges. Not
 * thread-safe.
 */
public final class GraphBuilder {
    private final List<OperatorNode> nodes = new ArrayList<>();
    private final List<Edge> edges = new ArrayList<>();

    public int addNode(String name, int parallelism, int inputs, OperatorFactory factory) {
        int id = nodes.size();
        nodes.add(new OperatorNode(id, name, parallelism, inputs, factory));
        return id;
    }

    public void addEdge(Edge edge) {
        edges.add(edge);
    }

    public OperatorNode node(int id) {
        return nodes.get(id);
    }

    public void setParallelism(int id, int parallelism) {
        if (parallelism < 1) throw new IllegalArgumentException("parallelism must be at least 1: " + parallelism);
        OperatorNode n = nodes.get(id);
        nodes.set(id, new OperatorNode(id, n.name(), parallelism, n.inputs(), n.factory()));
    }

    public void setName(int id, String name) {
        OperatorNode n = nodes.get(id);
        nodes.set(id, new OperatorNode(id, name, n.parallelism(), n.inputs(), n.factory()));
    }

    public LogicalGraph build(int maxParallelism) {
        return build(maxParallelism, StateBackendKind.HEAP);
    }

    public LogicalGraph build(int maxParallelism, StateBackendKind stateBackend) {
        List<Edge> resolved = new ArrayList<>(edges.size());
        for (Edge e : edges) {
            boolean sameParallelism =
                    nodes.get(e.source()).parallelism() == nodes.get(e.target()).parallelism();
            resolved.add(
                    e.isForward() && !sameParallelism
                            ? new Edge(
                                    e.source(),
                                    e.target(),
                                    e.targetInput(),
                                    new Partitioning.Rebalance(),
                                    e.sideOutput(),
                                    e.recordCodec())
                            : e);
        }
        for (OperatorNode n : nodes) {
            if (n.parallelism() > maxParallelism) {
                throw new IllegalArgumentException("operator " + n.name() + " has parallelism " + n.parallelism()
                        + " above the max parallelism " + maxParallelism);
            }
        }
        return new LogicalGraph(nodes, resolved, maxParallelism, stateBackend);
    }
}
