package dev.cairn.dataflow.internal.batch;

import dev.cairn.dataflow.internal.graph.LogicalGraph;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * How a program's graph (with its batch operators substituted) falls into stages: shipped whole
 * to every task, which runs the operators of its own stage.
 *
 * @param stageOf each operator's stage, by operator id
 * @param jobSink the operator whose records form the job's output files, or -1
 */
public record StageLayout(LogicalGraph graph, List<PlannedStage> stages, List<Integer> stageOf, int jobSink)
        implements Serializable {
    public StageLayout {
        stages = List.copyOf(stages);
        stageOf = List.copyOf(stageOf);
    }

    /** The stage operator {@code nodeId} belongs to. */
    public int stageOfNode(int nodeId) {
        return stageOf.get(nodeId);
    }

    /** How a stage gets its records. */
    public enum Input {
        /** Lines of the root's files (a text file source), one split per task. */
        FILES,
        /** The root is a source that makes its records (a collection, a generator). */
        GENERATOR,
        /** The root reads exchanges from earlier stages, sorted by key. */
        EXCHANGE
    }

    /**
     * One stage.
     *
     * @param root the operator that takes the stage's input: a source, or the target of its exchanges
     * @param nodes the stage's operators, in id (topological) order
     * @param tasks the stage's tasks: the root's parallelism, or 0 for a file stage
     * @param parents the stages whose exchanges the root reads, by name
     * @param outputPartitions partitions of the exchanges leaving the stage; 0 if none leave it
     * @param sampledEdge for a sampling pass of another stage (same root and operators), the sort
     *     edge whose keys it samples; -1 for a stage that runs for real
     * @param rangeSamples the sampling stage of each sort edge leaving this stage, by edge index
     * @param hashJoins the broadcast hash joins in this stage, by operator id, each with the stage
     *     of its right side (read whole by every task)
     */
    public record PlannedStage(
            String name,
            Input input,
            int root,
            List<Integer> nodes,
            int tasks,
            List<String> parents,
            int outputPartitions,
            int sampledEdge,
            Map<Integer, String> rangeSamples,
            Map<Integer, String> hashJoins)
            implements Serializable {
        public PlannedStage {
            nodes = List.copyOf(nodes);
            parents = List.copyOf(parents);
            rangeSamples = Map.copyOf(rangeSamples);
            hashJoins = Map.copyOf(hashJoins);
        }

        /** Whether this stage is a sampling pass for a sort rather than a stage of the program. */
        public boolean samples() {
            return sampledEdge >= 0;
        }
    }
}
