package dev.cairn.dataflow.internal.runtime;

import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.time.Clock;
import dev.cairn.dataflow.DataflowException;
import dev.cairn.dataflow.internal.checkpoint.CheckpointStorage;
import dev.cairn.dataflow.internal.graph.Edge;
import dev.cairn.dataflow.internal.graph.LogicalGraph;
import dev.cairn.dataflow.internal.graph.OperatorNode;
import dev.cairn.dataflow.internal.operators.OneInputOperator;
import dev.cairn.dataflow.internal.operators.OperatorContext;
import dev.cairn.dataflow.internal.operators.Output;
import dev.cairn.dataflow.internal.operators.StreamOperator;
import dev.cairn.dataflow.internal.operators.TwoInputOperator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Sets up the subtasks of one run of a {@link LogicalGraph} that run in this JVM, ready to start:
 * their operators, the gates that feed them and the writers of their outgoing exchanges. The
 * in-JVM executor launches every subtask; a worker of a cluster launches the subtasks placed on
 * it ({@link Placement}), and its {@link Exchanges} connect them to the others over the network.
 *
 * <p>Every node lays out the channels of a gate the same way (edges in order, then producer
 * subtasks in order), so a producer on one node and its consumer on another agree on channel
 * numbers without talking.
 */
public final class SubtaskLauncher {
    private SubtaskLauncher() {}

    /** Which subtasks of the graph run here. */
    @FunctionalInterface
    public interface Placement {
        boolean isLocal(int operatorId, int subtask);

        Placement ALL = (operator, subtask) -> true;
    }

    /** The checkpoint side of each launched subtask, or none when the run takes no checkpoints. */
    @FunctionalInterface
    public interface Checkpoints {
        /**
         * The checkpoint side of one subtask.
         *
         * @param chainHead the operator id of the subtask's chain head
         * @param source whether the chain head is a source
         */
        SubtaskCheckpoints subtask(int chainHead, int subtask, boolean source);
    }

    /** Told of the first exception of each subtask. */
    @FunctionalInterface
    public interface Failures {
        /**
         * A subtask threw.
         *
         * @param subtaskId the subtask's stable id ({@link #subtaskId})
         * @param subtaskName the subtask's chain and index, for messages
         * @param operatorName the operator that threw
         */
        void failed(String subtaskId, String subtaskName, String operatorName, Throwable cause);
    }

    /** One launched subtask: its stable id (chain head id and subtask index), its thread (not started) and its metrics. */
    public record Launched(String id, String name, Thread thread, SubtaskMetrics metrics) {}

    /** What {@link #launch} set up. */
    public record Launch(List<Launched> subtasks, List<InputGate> gates) {
        public long peakQueuedRecords() {
            long peak = 0;
            for (InputGate g : gates) peak = Math.max(peak, g.peakQueuedRecords());
            return peak;
        }
    }

    /** The stable id of a subtask for checkpoints and reports: chain head id, '-', subtask index. */
    public static String subtaskId(int chainHead, int subtask) {
        return chainHead + "-" + subtask;
    }

    private record ChannelKey(int edge, int producer, int consumer) {}

    /**
     * Creates the local subtasks' operators, gates and writers, and their threads (not started).
     *
     * @param checkpoints null when the run takes no checkpoints
     * @throws DataflowException naming the operator, if one cannot be created
     */
    public static Launch launch(
            LogicalGraph graph,
            Clock clock,
            int batchSize,
            int watermarkIntervalRecords,
            Exchanges exchanges,
            Placement placement,
            Checkpoints checkpoints,
            Failures failures) {
        return launch(
                graph,
                clock,
                batchSize,
                watermarkIntervalRecords,
                exchanges,
                placement,
                checkpoints,
                failures,
                null,
                FileSystemRegistry.local(),
                null);
    }

    /**
     * As above, with the checkpoint storage the operators' state backends may keep files of their
     * own in (the RocksDB backend's shared SST files), null: none; and the file systems file
     * sources and sinks read and write through; {@code owner}, the user the job belongs to, gets
     * what its sinks commit (null: nobody, a local run).
     */
    public static Launch launch(
            LogicalGraph graph,
            Clock clock,
            int batchSize,
            int watermarkIntervalRecords,
            Exchanges exchanges,
            Placement placement,
            Checkpoints checkpoints,
            Failures failures,
            CheckpointStorage checkpointStorage,
            FileSystemRegistry fileSystems,
            String owner) {
        List<OperatorNode> nodes = graph.nodes();
        List<Edge> edges = graph.edges();
        boolean[] chainedIn = new boolean[nodes.size()];
        for (Edge e : edges) if (graph.isChained(e)) chainedIn[e.target()] = true;
        int[] headOf = new int[nodes.size()];
        for (OperatorNode node : nodes) {
            if (!chainedIn[node.id()]) for (int id : chainOf(graph, node.id())) headOf[id] = node.id();
        }

        // Channels of every chain head that has inputs; gates for the local subtasks.
        Map<Integer, InputGate[]> gates = new HashMap<>();
        Map<Integer, int[][]> channelInputs = new HashMap<>();
        Map<ChannelKey, Exchanges.Channel> channels = new HashMap<>();
        List<InputGate> madeGates = new ArrayList<>();
        for (OperatorNode node : nodes) {
            if (chainedIn[node.id()] || node.inputs() == 0) continue;
            InputGate[] nodeGates = new InputGate[node.parallelism()];
            int[][] inputs = new int[node.parallelism()][];
            for (int c = 0; c < node.parallelism(); c++) {
                List<Exchanges.Channel> gateChannels = new ArrayList<>();
                List<Integer> channelInput = new ArrayList<>();
                for (int ei = 0; ei < edges.size(); ei++) {
                    Edge e = edges.get(ei);
                    if (e.target() != node.id()) continue;
                    int producers = nodes.get(e.source()).parallelism();
                    for (int p = 0; p < producers; p++) {
                        if (e.isForward() && p != c) continue;
                        Exchanges.Channel channel = new Exchanges.Channel(ei, e, p, c, gateChannels.size());
                        channels.put(new ChannelKey(ei, p, c), channel);
                        gateChannels.add(channel);
                        channelInput.add(e.targetInput());
                    }
                }
                if (placement.isLocal(node.id(), c)) {
                    nodeGates[c] = exchanges.gate(
                            node.name() + " (" + (c + 1) + "/" + node.parallelism() + ")", node, c, gateChannels);
                    madeGates.add(nodeGates[c]);
                }
                inputs[c] = channelInput.stream().mapToInt(Integer::intValue).toArray();
            }
            gates.put(node.id(), nodeGates);
            channelInputs.put(node.id(), inputs);
        }

        // Metrics of the local subtasks, by chain head and subtask index.
        Map<Integer, SubtaskMetrics[]> metrics = new HashMap<>();
        for (OperatorNode node : nodes) {
            if (chainedIn[node.id()]) continue;
            SubtaskMetrics[] m = new SubtaskMetrics[node.parallelism()];
            for (int s = 0; s < node.parallelism(); s++)
                if (placement.isLocal(node.id(), s)) m[s] = new SubtaskMetrics(chainOf(graph, node.id()));
            metrics.put(node.id(), m);
        }

        // Operators of the local subtasks and their outputs.
        List<StreamOperator<?>[]> operators = new ArrayList<>();
        List<NodeOutput<?>[]> outputs = new ArrayList<>();
        for (OperatorNode node : nodes) {
            StreamOperator<?>[] ops = new StreamOperator<?>[node.parallelism()];
            NodeOutput<?>[] outs = new NodeOutput<?>[node.parallelism()];
            for (int s = 0; s < node.parallelism(); s++) {
                if (!placement.isLocal(headOf[node.id()], s)) continue;
                try {
                    ops[s] = node.factory().create();
                } catch (RuntimeException e) {
                    throw new DataflowException(
                            "cannot create operator '" + node.name() + "': " + e.getMessage(), node.name(), e);
                }
                outs[s] = new NodeOutput<>();
                outs[s].measure(operatorMetrics(metrics.get(headOf[node.id()])[s], node.id()));
                OperatorContext context = new OperatorContext(
                        node.name(),
                        s,
                        node.parallelism(),
                        graph.maxParallelism(),
                        KeyGroupRange.forSubtask(graph.maxParallelism(), node.parallelism(), s),
                        clock,
                        watermarkIntervalRecords,
                        graph.stateBackend(),
                        checkpoints == null ? null : checkpointStorage,
                        fileSystems,
                        owner);
                setup(ops[s], context, outs[s]);
            }
            operators.add(ops);
            outputs.add(outs);
        }

        // Edges out of local subtasks: direct calls within a chain, writers across.
        Map<Integer, List<List<ExchangeWriter<?>>>> writers = new HashMap<>();
        for (int ei = 0; ei < edges.size(); ei++) {
            Edge e = edges.get(ei);
            OperatorNode source = nodes.get(e.source());
            OperatorNode target = nodes.get(e.target());
            for (int s = 0; s < source.parallelism(); s++) {
                if (!placement.isLocal(headOf[e.source()], s)) continue;
                Downstream<?> downstream;
                if (graph.isChained(e)) {
                    ChainedDownstream<?> chained = chained(operators.get(e.target())[s]);
                    chained.measure(operatorMetrics(metrics.get(headOf[e.source()])[s], e.target()));
                    downstream = chained;
                } else {
                    int[] consumers = e.isForward()
                            ? new int[] {s}
                            : IntStream.range(0, target.parallelism()).toArray();
                    ChannelWriter[] chosen = new ChannelWriter[consumers.length];
                    int[] chosenChannels = new int[consumers.length];
                    for (int i = 0; i < consumers.length; i++) {
                        Exchanges.Channel channel = channels.get(new ChannelKey(ei, s, consumers[i]));
                        chosen[i] = exchanges.writer(channel);
                        chosenChannels[i] = channel.index();
                    }
                    ExchangeWriter<?> writer = new ExchangeWriter<>(
                            chosen, chosenChannels, e.partitioning(), graph.maxParallelism(), batchSize, s);
                    writer.measure(metrics.get(headOf[e.source()])[s].blockedNanos);
                    writers.computeIfAbsent(e.source(), k -> newLists(source.parallelism()))
                            .get(s)
                            .add(writer);
                    downstream = writer;
                }
                NodeOutput<?> out = outputs.get(e.source())[s];
                if (e.sideOutput() == null) addMain(out, downstream);
                else out.addSide(e.sideOutput(), downstream);
            }
        }

        // Tasks: one per local chain head and subtask.
        List<Launched> launched = new ArrayList<>();
        for (OperatorNode head : nodes) {
            if (chainedIn[head.id()]) continue;
            List<Integer> chain = chainOf(graph, head.id());
            for (int s = 0; s < head.parallelism(); s++) {
                if (!placement.isLocal(head.id(), s)) continue;
                List<StreamOperator<?>> ops = new ArrayList<>();
                List<ExchangeWriter<?>> chainWriters = new ArrayList<>();
                StringBuilder name = new StringBuilder();
                for (int id : chain) {
                    ops.add(operators.get(id)[s]);
                    List<List<ExchangeWriter<?>>> w = writers.get(id);
                    if (w != null) chainWriters.addAll(w.get(s));
                    name.append(name.isEmpty() ? "" : " -> ")
                            .append(nodes.get(id).name());
                }
                name.append(" (")
                        .append(s + 1)
                        .append('/')
                        .append(head.parallelism())
                        .append(')');
                String taskName = name.toString();
                String taskId = subtaskId(head.id(), s);
                InputGate gate = head.inputs() == 0 ? null : gates.get(head.id())[s];
                int[] inputs = head.inputs() == 0 ? new int[0] : channelInputs.get(head.id())[s];
                SubtaskTask task = new SubtaskTask(
                        taskName,
                        ops,
                        gate,
                        handlers(ops.get(0), head.inputs()),
                        inputs,
                        chainWriters,
                        clock,
                        (t, failure) -> failures.failed(taskId, taskName, operatorOf(t, failure), failure),
                        checkpoints == null ? null : checkpoints.subtask(head.id(), s, head.inputs() == 0));
                SubtaskMetrics taskMetrics = metrics.get(head.id())[s];
                task.measure(taskMetrics.operators.get(0));
                Thread thread = Thread.ofPlatform()
                        .name("dataflow " + taskName)
                        .daemon(true)
                        .unstarted(task);
                launched.add(new Launched(taskId, taskName, thread, taskMetrics));
            }
        }
        return new Launch(List.copyOf(launched), List.copyOf(madeGates));
    }

    private static SubtaskMetrics.Operator operatorMetrics(SubtaskMetrics subtask, int operatorId) {
        for (SubtaskMetrics.Operator o : subtask.operators) if (o.id == operatorId) return o;
        throw new IllegalStateException("operator " + operatorId + " is not in the subtask's chain");
    }

    private static String operatorOf(SubtaskTask task, Throwable t) {
        return t instanceof dev.cairn.dataflow.internal.operators.OperatorFailure f ? f.operatorName() : task.name();
    }

    /** The subtask ids of every chain head of the graph, at its parallelism; sources first flagged. */
    public static List<String> allSubtaskIds(LogicalGraph graph) {
        List<String> ids = new ArrayList<>();
        for (OperatorNode head : chainHeads(graph))
            for (int s = 0; s < head.parallelism(); s++) ids.add(subtaskId(head.id(), s));
        return ids;
    }

    /** The operators that head a chain, in id order. */
    public static List<OperatorNode> chainHeads(LogicalGraph graph) {
        boolean[] chainedIn = new boolean[graph.nodes().size()];
        for (Edge e : graph.edges()) if (graph.isChained(e)) chainedIn[e.target()] = true;
        List<OperatorNode> heads = new ArrayList<>();
        for (OperatorNode n : graph.nodes()) if (!chainedIn[n.id()]) heads.add(n);
        return heads;
    }

    private static List<List<ExchangeWriter<?>>> newLists(int n) {
        List<List<ExchangeWriter<?>>> lists = new ArrayList<>(n);
        for (int i = 0; i < n; i++) lists.add(new ArrayList<>());
        return lists;
    }

    /** The head and every operator chained behind it, in topological (id) order. */
    static List<Integer> chainOf(LogicalGraph graph, int head) {
        List<Integer> chain = new ArrayList<>();
        chain.add(head);
        for (int i = 0; i < chain.size(); i++) {
            for (Edge e : graph.outputsOf(chain.get(i))) {
                if (graph.isChained(e) && !chain.contains(e.target())) chain.add(e.target());
            }
        }
        chain.sort(null);
        return chain;
    }

    private static InputHandler[] handlers(StreamOperator<?> head, int inputs) {
        if (inputs == 0) return new InputHandler[0];
        if (inputs == 1 && head instanceof OneInputOperator<?> one) return new InputHandler[] {InputHandler.of(one)};
        if (inputs == 2 && head instanceof TwoInputOperator<?, ?> two) {
            return new InputHandler[] {InputHandler.left(two), InputHandler.right(two)};
        }
        throw new IllegalStateException("operator " + head.name() + " does not take " + inputs + " inputs");
    }

    @SuppressWarnings("unchecked") // the graph connects an operator's output only to consumers of its type
    private static <O> void setup(StreamOperator<O> operator, OperatorContext context, NodeOutput<?> output) {
        operator.setup(context, (Output<O>) output);
    }

    @SuppressWarnings("unchecked") // as above
    private static <T> void addMain(NodeOutput<T> output, Downstream<?> downstream) {
        output.addMain((Downstream<T>) downstream);
    }

    @SuppressWarnings("unchecked") // a chained edge feeds a one-input operator of the edge's type
    private static <T> ChainedDownstream<T> chained(StreamOperator<?> operator) {
        if (!(operator instanceof OneInputOperator<?> input)) {
            throw new IllegalStateException(
                    "operator " + operator.name() + " cannot be chained: it does not take one input");
        }
        return new ChainedDownstream<>((OneInputOperator<T>) input, operator);
    }
}
