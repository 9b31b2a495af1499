package dev.cairn.dataflow.internal.runtime;

import dev.cairn.dataflow.CheckpointSettings;
import dev.cairn.dataflow.DataflowException;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.ExecutionResult;
import dev.cairn.dataflow.internal.checkpoint.CheckpointStorage;
import dev.cairn.dataflow.internal.checkpoint.LocalDirectoryCheckpointStorage;
import dev.cairn.dataflow.internal.graph.Edge;
import dev.cairn.dataflow.internal.graph.LogicalGraph;
import dev.cairn.dataflow.internal.graph.OperatorNode;
import dev.cairn.dataflow.internal.operators.OneInputOperator;
import dev.cairn.dataflow.internal.operators.OperatorContext;
import dev.cairn.dataflow.internal.operators.OperatorFailure;
import dev.cairn.dataflow.internal.operators.Output;
import dev.cairn.dataflow.internal.operators.StreamOperator;
import dev.cairn.dataflow.internal.operators.TwoInputOperator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

/**
 * Runs a {@link LogicalGraph} in this JVM: one thread per subtask of each chain.
 *
 * <p>Setup, on the caller's thread: operators whose input edge {@link LogicalGraph#isChained is
 * chained} join their producer's chain; every other operator heads a chain and gets one
 * {@link InputGate} per subtask, with one channel per (input edge, producer subtask). Each
 * producer subtask of a non-chained edge gets an {@link ExchangeWriter} onto the consumers'
 * channels. {@link Exchanges} makes the gates and channel writers: in this JVM by default, or
 * over TCP.
 * Then every subtask runs as a {@link SubtaskTask} on its own thread, and the caller waits for
 * them all. The first failure interrupts every other subtask and is rethrown, naming its operator.
 */
public final class LocalExecutor {
    private final DataflowOptions options;
    private final Exchanges exchanges;
    private final boolean local;

    /** An executor whose exchanges all stay in this JVM. */
    public LocalExecutor(DataflowOptions options) {
        this(options, new LocalExchanges(options.exchangeCapacityBatches()), true);
    }

    /** An executor whose exchanges {@code exchanges} makes, e.g. over the network; for one execution. */
    public LocalExecutor(DataflowOptions options, Exchanges exchanges) {
        this(options, exchanges, false);
    }

    private LocalExecutor(DataflowOptions options, Exchanges exchanges, boolean local) {
        this.options = options;
        this.exchanges = exchanges;
        this.local = local;
    }

    /**
     * Runs the graph to its end. With checkpoints on, a failure cancels every subtask and the job
     * runs again from the latest complete checkpoint — fresh operators restored from it, sources
     * rewound to its offsets, in-flight data of the failed run gone with its exchanges — up to
     * the restart limit; then it fails with the last failure as the cause.
     */
    public ExecutionResult execute(LogicalGraph graph) {
        CheckpointSettings settings = options.checkpoints();
        if (settings == null) return run(graph, exchanges, null);
        CheckpointStorage storage;
        try {
            storage = new LocalDirectoryCheckpointStorage(settings.directory());
            if (!storage.completed().isEmpty()) {
                throw new DataflowException(
                        "checkpoint directory " + settings.directory() + " already holds checkpoints "
                                + storage.completed() + ": give each job a directory of its own",
                        null,
                        null);
            }
        } catch (IOException e) {
            throw new DataflowException("cannot use checkpoint directory " + settings.directory() + ": " + e, null, e);
        }
        int restarts = 0;
        while (true) {
            long latest;
            try {
                List<Long> complete = storage.completed();
                latest = complete.isEmpty() ? 0 : complete.get(complete.size() - 1);
                storage.discard(latest + 1); // what a failed run left of the checkpoint it did not complete
            } catch (IOException e) {
                throw new DataflowException(
                        "cannot read checkpoint directory " + settings.directory() + ": " + e, null, e);
            }
            Exchanges runExchanges =
                    restarts == 0 || !local ? exchanges : new LocalExchanges(options.exchangeCapacityBatches());
            CheckpointRun run = new CheckpointRun(settings, storage, options.clock(), latest);
            try {
                return run(graph, runExchanges, run);
            } catch (DataflowException e) {
                if (restarts >= settings.restartAttempts() || !local) {
                    throw new DataflowException(
                            e.getMessage() + " (after " + restarts + " restarts from checkpoints)",
                            e.operatorName(),
                            e.getCause());
                }
                restarts++;
            }
        }
    }

    private record ChannelKey(int edge, int producer, int consumer) {}

    private ExecutionResult run(LogicalGraph graph, Exchanges exchanges, CheckpointRun checkpoints) {
        long started = options.clock().nanos();
        List<OperatorNode> nodes = graph.nodes();
        List<Edge> edges = graph.edges();
        boolean[] chainedIn = new boolean[nodes.size()];
        for (Edge e : edges) if (graph.isChained(e)) chainedIn[e.target()] = true;

        // Gates and channels of every chain head that has inputs.
        Map<Integer, InputGate[]> gates = new HashMap<>();
        Map<Integer, int[][]> channelInputs = new HashMap<>();
        Map<ChannelKey, Exchanges.Channel> channels = new HashMap<>();
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
                nodeGates[c] = exchanges.gate(
                        node.name() + " (" + (c + 1) + "/" + node.parallelism() + ")", node, c, gateChannels);
                inputs[c] = channelInput.stream().mapToInt(Integer::intValue).toArray();
            }
            gates.put(node.id(), nodeGates);
            channelInputs.put(node.id(), inputs);
        }

        // Operators and their outputs.
        List<StreamOperator<?>[]> operators = new ArrayList<>();
        List<NodeOutput<?>[]> outputs = new ArrayList<>();
        for (OperatorNode node : nodes) {
            StreamOperator<?>[] ops = new StreamOperator<?>[node.parallelism()];
            NodeOutput<?>[] outs = new NodeOutput<?>[node.parallelism()];
            for (int s = 0; s < node.parallelism(); s++) {
                try {
                    ops[s] = node.factory().create();
                } catch (RuntimeException e) {
                    throw new DataflowException(
                            "cannot create operator '" + node.name() + "': " + e.getMessage(), node.name(), e);
                }
                outs[s] = new NodeOutput<>();
                OperatorContext context = new OperatorContext(
                        node.name(),
                        s,
                        node.parallelism(),
                        graph.maxParallelism(),
                        KeyGroupRange.forSubtask(graph.maxParallelism(), node.parallelism(), s),
                        options.clock(),
                        options.watermarkIntervalRecords());
                setup(ops[s], context, outs[s]);
            }
            operators.add(ops);
            outputs.add(outs);
        }

        // Edges: direct calls within a chain, writers across.
        Map<Integer, List<List<ExchangeWriter<?>>>> writers = new HashMap<>();
        for (int ei = 0; ei < edges.size(); ei++) {
            Edge e = edges.get(ei);
            OperatorNode source = nodes.get(e.source());
            OperatorNode target = nodes.get(e.target());
            for (int s = 0; s < source.parallelism(); s++) {
                Downstream<?> downstream;
                if (graph.isChained(e)) {
                    downstream = chained(operators.get(e.target())[s]);
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
                            chosen, chosenChannels, e.partitioning(), graph.maxParallelism(), options.batchSize(), s);
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

        // Tasks: one per chain head and subtask.
        AtomicReference<DataflowException> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        SubtaskTask.FailureListener listener = (task, t) -> {
            String taskName = task == null ? "checkpoint writer" : task.name();
            String operator = t instanceof OperatorFailure f ? f.operatorName() : taskName;
            Throwable cause = t instanceof OperatorFailure f ? f.getCause() : t;
            DataflowException ex = new DataflowException(
                    "dataflow failed: operator '" + operator + "' in subtask " + taskName + " threw " + cause,
                    operator,
                    cause);
            if (failure.compareAndSet(null, ex)) {
                synchronized (threads) {
                    for (Thread th : threads) if (th != Thread.currentThread()) th.interrupt();
                }
            }
        };
        if (checkpoints != null) checkpoints.onFailure(t -> listener.failed(null, t));
        synchronized (threads) {
            for (OperatorNode head : nodes) {
                if (chainedIn[head.id()]) continue;
                List<Integer> chain = chainOf(graph, head.id());
                for (int s = 0; s < head.parallelism(); s++) {
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
                    StreamOperator<?> headOp = ops.get(0);
                    InputGate gate = head.inputs() == 0 ? null : gates.get(head.id())[s];
                    InputHandler[] handlers = handlers(headOp, head.inputs());
                    int[] inputs =
                            head.inputs() == 0 ? new int[0] : channelInputs.get(head.id())[s];
                    SubtaskTask task = new SubtaskTask(
                            name.toString(),
                            ops,
                            gate,
                            handlers,
                            inputs,
                            chainWriters,
                            options.clock(),
                            listener,
                            checkpoints == null ? null : checkpoints.subtask(head.id(), s, head.inputs() == 0));
                    threads.add(Thread.ofPlatform()
                            .name("dataflow " + name)
                            .daemon(true)
                            .unstarted(task));
                }
            }
            if (checkpoints != null) checkpoints.start();
            for (Thread t : threads) t.start();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                synchronized (threads) {
                    for (Thread th : threads) th.interrupt();
                }
                Thread.currentThread().interrupt();
                throw new DataflowException("interrupted while waiting for the dataflow; cancelled it", null, e);
            }
        }
        if (checkpoints != null) {
            try {
                checkpoints.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DataflowException("interrupted while stopping checkpoints", null, e);
            }
        }
        DataflowException failed = failure.get();
        if (failed != null) throw new DataflowException(failed.getMessage(), failed.operatorName(), failed.getCause());
        long peak = 0;
        for (InputGate[] gs : gates.values()) for (InputGate g : gs) peak = Math.max(peak, g.peakQueuedRecords());
        return new ExecutionResult(options.clock().nanos() - started, peak);
    }

    /** Operators whose state a restart would silently lose: refused with checkpoints on. */
    private static List<List<ExchangeWriter<?>>> newLists(int n) {
        List<List<ExchangeWriter<?>>> lists = new ArrayList<>(n);
        for (int i = 0; i < n; i++) lists.add(new ArrayList<>());
        return lists;
    }

    /** The head and every operator chained behind it, in topological (id) order. */
    private static List<Integer> chainOf(LogicalGraph graph, int head) {
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
    private static <T> Downstream<T> chained(StreamOperator<?> operator) {
        if (!(operator instanceof OneInputOperator<?> input)) {
            throw new IllegalStateException(
                    "operator " + operator.name() + " cannot be chained: it does not take one input");
        }
        return new ChainedDownstream<>((OneInputOperator<T>) input, operator);
    }
}
