package dev.cairn.dataflow.internal.batch;

import dev.cairn.batch.stage.LineInput;
import dev.cairn.batch.stage.SortedInput;
import dev.cairn.batch.stage.StageContext;
import dev.cairn.batch.stage.StageProgram;
import dev.cairn.batch.stage.ValueCombiner;
import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.Codec;
import dev.cairn.common.time.Clock;
import dev.cairn.dataflow.Utf8;
import dev.cairn.dataflow.internal.batch.StageLayout.Input;
import dev.cairn.dataflow.internal.batch.StageLayout.PlannedStage;
import dev.cairn.dataflow.internal.graph.Edge;
import dev.cairn.dataflow.internal.graph.GraphSerialization;
import dev.cairn.dataflow.internal.graph.LogicalGraph;
import dev.cairn.dataflow.internal.graph.OperatorNode;
import dev.cairn.dataflow.internal.graph.Partitioning;
import dev.cairn.dataflow.internal.operators.OneInputOperator;
import dev.cairn.dataflow.internal.operators.OperatorContext;
import dev.cairn.dataflow.internal.operators.OperatorFailure;
import dev.cairn.dataflow.internal.operators.Output;
import dev.cairn.dataflow.internal.operators.SourceOperator;
import dev.cairn.dataflow.internal.operators.StreamOperator;
import dev.cairn.dataflow.internal.operators.TextFileSource;
import dev.cairn.dataflow.internal.operators.TwoInputOperator;
import dev.cairn.dataflow.internal.runtime.CancelledException;
import dev.cairn.dataflow.internal.runtime.ChainedDownstream;
import dev.cairn.dataflow.internal.runtime.KeyGroupRange;
import dev.cairn.dataflow.internal.runtime.NodeOutput;
import java.io.ByteArrayInputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs one task of a planned stage ({@link BatchPlanner}): creates the stage's operators, chains
 * them as the stream runtime does, feeds the root the task's input (its split's lines, its
 * source's records, or its partition of each parent's exchanges, key by key), then the final
 * watermark, and finishes every operator. Exchanges leaving the stage go to the task's
 * partitioned output ({@link ExchangeOutput}); the job's text file sink to its file of the job's
 * output ({@link JobOutputSink}).
 */
public final class BatchStageProgram implements StageProgram {
    /** What a stage's program bytes hold: the whole layout, and which stage this is. */
    record Spec(StageLayout layout, int stage) implements Serializable {}

    @Override
    public void run(StageContext context) throws Exception {
        Spec spec = (Spec) GraphSerialization.read(new ByteArrayInputStream(context.program()), context.classLoader());
        new Task(spec.layout(), spec.layout().stages().get(spec.stage()), context).run();
    }

    private static final class Task {
        private final StageLayout layout;
        private final LogicalGraph graph;
        private final PlannedStage stage;
        private final StageContext context;
        private final StreamOperator<?>[] operators;
        private final NodeOutput<?>[] outputs;
        private long recordsIn;

        Task(StageLayout layout, PlannedStage stage, StageContext context) {
            this.layout = layout;
            this.graph = layout.graph();
            this.stage = stage;
            this.context = context;
            this.operators = new StreamOperator<?>[graph.nodes().size()];
            this.outputs = new NodeOutput<?>[graph.nodes().size()];
        }

        void run() throws Exception {
            int index = context.taskIndex();
            // A file stage has as many tasks as splits, unknown here; its operators are stateless.
            int tasks = stage.input() == Input.FILES ? index + 1 : stage.tasks();
            KeyGroupRange keyGroups = stage.input() == Input.EXCHANGE
                    ? KeyGroupRange.forSubtask(graph.maxParallelism(), tasks, index)
                    : KeyGroupRange.forSubtask(graph.maxParallelism(), 1, 0);
            // A sampling pass runs only the operators on the way to the sort edge it samples.
            java.util.Set<Integer> running = new java.util.HashSet<>(stage.nodes());
            if (stage.samples())
                running = pathTo(graph.edges().get(stage.sampledEdge()).source());
            for (int id : stage.nodes()) {
                if (!running.contains(id)) continue;
                OperatorNode node = graph.node(id);
                outputs[id] = new NodeOutput<>();
                if (id == stage.root() && stage.input() == Input.FILES) continue; // the split's lines stand in for it
                StreamOperator<?> op;
                if (id == layout.jobSink()) op = new JobOutputSink<>(context);
                else if (stage.hashJoins().containsKey(id))
                    op = hashJoin(id, stage.hashJoins().get(id));
                else {
                    try {
                        op = node.factory().create();
                    } catch (RuntimeException e) {
                        throw new OperatorFailure(node.name(), e);
                    }
                }
                setup(
                        op,
                        new OperatorContext(
                                node.name(),
                                index,
                                tasks,
                                graph.maxParallelism(),
                                keyGroups,
                                Clock.system(),
                                Integer.MAX_VALUE,
                                graph.stateBackend(),
                                null, // no checkpoints in batch mode
                                null, // files are read and written by the batch runtime
                                null), // which hands the job's output to its owner
                        outputs[id]);
                operators[id] = op;
            }
            ValueCombiner combiner = stage.samples() ? null : combinerFor(layout, stage);
            List<ExchangeOutput<?>> exchanges = new ArrayList<>();
            RangeBounds.Sampler sampler = null;
            for (int ei = 0; ei < graph.edges().size(); ei++) {
                Edge e = graph.edges().get(ei);
                if (layout.stageOfNode(e.source()) != layout.stageOfNode(stage.root())) continue;
                if (!running.contains(e.source())) continue;
                boolean intra = layout.stageOfNode(e.target()) == layout.stageOfNode(e.source());
                dev.cairn.dataflow.internal.runtime.Downstream<?> downstream;
                if (stage.samples()) {
                    if (ei == stage.sampledEdge()) {
                        sampler = new RangeBounds.Sampler(index);
                        downstream = new SampledKeys<>((Partitioning.Range<?, ?>) e.partitioning(), sampler);
                    } else if (intra && running.contains(e.target())) {
                        downstream = chained(
                                operators[e.target()], graph.node(e.target()).name());
                    } else continue;
                } else if (intra) {
                    downstream = chained(
                            operators[e.target()], graph.node(e.target()).name());
                } else if (keepsOrder(e)) {
                    downstream = new OrderedOutput<>(ei, e.recordCodec(), index, context.partitionedOutput(combiner));
                } else {
                    ExchangeOutput<?> x = new ExchangeOutput<>(
                            ei,
                            e.partitioning(),
                            e.recordCodec(),
                            graph.maxParallelism(),
                            index,
                            context.partitionedOutput(combiner));
                    String sample = stage.rangeSamples().get(ei);
                    if (sample != null)
                        x.bounds(RangeBounds.fromSample(
                                context.parent(sample),
                                context.partitionedOutput(combiner).partitions()));
                    if (graph.node(e.target()).factory() instanceof BatchOperators.Sorted sorted && sorted.limit() >= 0)
                        x.keepFirst(sorted.limit());
                    if (e.partitioning() instanceof Partitioning.KeyGroupHash<?, ?>
                            && graph.node(e.target()).factory() instanceof SortedAggregation.ReduceFactory<?, ?> reduce)
                        preAggregate(x, e.recordCodec(), reduce);
                    exchanges.add(x);
                    downstream = x;
                }
                if (e.sideOutput() == null) addMain(outputs[e.source()], downstream);
                else outputs[e.source()].addSide(e.sideOutput(), downstream);
            }
            List<StreamOperator<?>> chain = new ArrayList<>();
            for (int id : stage.nodes()) if (operators[id] != null) chain.add(operators[id]);
            try {
                for (int i = chain.size() - 1; i >= 0; i--) named(chain.get(i), chain.get(i)::open);
                switch (stage.input()) {
                    case FILES -> readLines();
                    case GENERATOR -> generate();
                    case EXCHANGE -> readExchanges();
                }
                if (stage.input() == Input.FILES) outputs[stage.root()].emitWatermark(Long.MAX_VALUE);
                else named(operators[stage.root()], () -> operators[stage.root()].processWatermark(Long.MAX_VALUE));
                for (StreamOperator<?> op : chain) named(op, op::finish);
                for (ExchangeOutput<?> x : exchanges) x.finish();
                if (sampler != null) sampler.writeTo(context.partitionedOutput(null));
            } finally {
                for (StreamOperator<?> op : chain) named(op, op::close);
            }
            long recordsOut = stage.outputPartitions() > 0
                    ? context.partitionedOutput(null).records()
                    : layout.jobSink() >= 0 && operators[layout.jobSink()] instanceof JobOutputSink<?> sink
                            ? sink.written()
                            : 0;
            context.progress(1, recordsIn, recordsOut);
        }

        /** A broadcast hash join, its table built from the whole output of {@code rightStage}. */
        @SuppressWarnings({"unchecked", "rawtypes"}) // the right edge carries the join's right records
        private StreamOperator<?> hashJoin(int id, String rightStage) throws Exception {
            OperatorNode node = graph.node(id);
            BroadcastHashJoin join = new BroadcastHashJoin(((BatchOperators.SortedJoin) node.factory()).join());
            Codec<?> codec = null;
            for (Edge e : graph.inputsOf(id)) if (e.targetInput() == 1) codec = e.recordCodec();
            SortedInput right = context.parent(rightStage);
            while (right.nextKey()) {
                while (right.nextValue()) {
                    in.reset(right.valueArray(), right.valueOffset(), right.valueLength());
                    in.readLong(); // the timestamp
                    try {
                        join.build(codec.decode(in));
                    } catch (Exception e) {
                        throw new OperatorFailure(node.name(), e);
                    }
                }
            }
            return join;
        }

        /**
         * Whether exchange {@code e} keeps its producer's order ({@link OrderedOutput}): it leads
         * forward into a cache, or into the last task of a take.
         */
        private boolean keepsOrder(Edge e) {
            var target = graph.node(e.target()).factory();
            return target instanceof dev.cairn.dataflow.internal.operators.Take.Factory
                    || (target instanceof Materialize.Factory && e.isForward());
        }

        /** Keys a task pre-aggregates in memory per exchange into a reduce before writing them out. */
        private static final int PRE_AGGREGATED_KEYS = 1 << 16;

        /**
         * Keys, and bytes of them, a task sums per exchange into a keyed sum before writing them
         * out: with no object per key, a table of at most about 60 MiB.
         */
        private static final int SUMMED_KEYS = 1 << 19;

        private static final int SUMMED_KEY_BYTES = 32 << 20;

        @SuppressWarnings({"unchecked", "rawtypes"}) // the reduce takes the edge's records
        private static void preAggregate(
                ExchangeOutput<?> x, Codec<?> recordCodec, SortedAggregation.ReduceFactory<?, ?> reduce) {
            if (ExchangeOutput.carriesTotals(recordCodec, reduce.function())) x.preSum(SUMMED_KEYS, SUMMED_KEY_BYTES);
            else ((ExchangeOutput) x).preAggregate(reduce.function(), PRE_AGGREGATED_KEYS);
        }

        /** The stage's operators from its root to {@code node}: what a sampling pass runs. */
        private java.util.Set<Integer> pathTo(int node) {
            java.util.Set<Integer> path = new java.util.HashSet<>();
            int at = node;
            while (true) {
                path.add(at);
                if (at == stage.root()) return path;
                // The one input from this stage (a broadcast hash join's other input is another stage's).
                Edge inStage = null;
                for (Edge e : graph.inputsOf(at))
                    if (layout.stageOfNode(e.source()) == layout.stageOfNode(stage.root())) inStage = e;
                if (inStage == null) throw new IllegalStateException("operator " + at + " is not chained to its stage");
                at = inStage.source();
            }
        }

        /**
         * The combiner of the stage's partitioned output: a reduce's, when the stage's one
         * exchange leads by key into a keyed reduce; else none. (A combiner sees values only, so
         * with several exchanges it could not tell whose records it folds.)
         */
        @SuppressWarnings({"unchecked", "rawtypes"}) // the reduce takes the edge's records
        private static ValueCombiner combinerFor(StageLayout layout, PlannedStage stage) {
            LogicalGraph graph = layout.graph();
            Edge out = null;
            for (Edge e : graph.edges()) {
                if (layout.stageOfNode(e.source()) != layout.stageOfNode(stage.root())) continue;
                if (layout.stageOfNode(e.target()) == layout.stageOfNode(e.source())) continue;
                if (out != null) return null;
                out = e;
            }
            if (out == null || !(out.partitioning() instanceof Partitioning.KeyGroupHash<?, ?>)) return null;
            if (graph.node(out.target()).factory() instanceof SortedAggregation.ReduceFactory<?, ?> reduce) {
                // A keyed sum's totals are added as bytes (see ExchangeOutput#preAggregate).
                if (ExchangeOutput.carriesTotals(out.recordCodec(), reduce.function())) return new TotalCombiner();
                return new ReduceCombiner(out.recordCodec(), reduce.function());
            }
            return null;
        }

        @SuppressWarnings("unchecked") // a text file source emits its lines as strings or as bytes
        private void readLines() throws Exception {
            NodeOutput<Object> out = (NodeOutput<Object>) outputs[stage.root()];
            boolean utf8 = graph.node(stage.root()).factory() instanceof TextFileSource.Factory f && f.utf8();
            LineInput lines = context.lines();
            while (lines.next()) {
                try {
                    // The reader never rewrites a line's bytes, so the view needs no copy.
                    Object line =
                            utf8 ? Utf8.wrap(lines.lineArray(), lines.lineStart(), lines.lineLength()) : lines.line();
                    out.emit(line, Output.NO_TIMESTAMP);
                } catch (OperatorFailure e) {
                    // A chained operator failed on this line: say where it is, so the user can find it.
                    throw e.on("the line at byte offset " + lines.offset() + " of " + lines.path());
                }
                if ((++recordsIn & 1023) == 0) {
                    context.checkCancelled();
                    context.progress(lines.progress(), recordsIn, 0);
                }
            }
        }

        private void generate() throws Exception {
            StreamOperator<?> root = operators[stage.root()];
            if (!(root instanceof SourceOperator source))
                throw new IllegalStateException("operator " + root.name() + " has no inputs but is no source");
            boolean more = true;
            while (more) {
                context.checkCancelled();
                more = namedTest(root, source);
                recordsIn++;
            }
        }

        /**
         * Each parent's partition, key by key, each record to the root's input its edge leads
         * into. The parents are merged in key order, so that a key's records from every parent
         * reach the root together (a join's two sides from two stages); one parent's records are
         * in key order already, and a key's records of several edges follow one another.
         */
        private void readExchanges() throws Exception {
            List<SortedInput> inputs = new ArrayList<>();
            long total = 0;
            for (String parent : stage.parents()) {
                SortedInput records = context.parent(parent);
                total += records.records();
                inputs.add(records.nextKey() ? records : null);
            }
            total = Math.max(1, total);
            KeyGrouped grouped = operators[stage.root()] instanceof KeyGrouped g ? g : null;
            byte[] lastKey = null;
            while (true) {
                SortedInput next = null;
                for (SortedInput records : inputs)
                    if (records != null && (next == null || lowerKey(records, next))) next = records;
                if (next == null) return;
                if (grouped != null) {
                    int from = next.keyOffset();
                    int to = from + next.keyLength() - ExchangeOutput.TAG_BYTES;
                    if (lastKey == null || !Arrays.equals(lastKey, 0, lastKey.length, next.keyArray(), from, to)) {
                        if (lastKey != null) named(operators[stage.root()], grouped::endKey);
                        lastKey = Arrays.copyOfRange(next.keyArray(), from, to);
                    }
                }
                readGroup(next, total);
                if (!next.nextKey()) inputs.set(inputs.indexOf(next), null);
            }
        }

        /** Whether {@code a}'s current key (without its edge number) sorts before {@code b}'s. */
        private static boolean lowerKey(SortedInput a, SortedInput b) {
            int tag = ExchangeOutput.TAG_BYTES;
            return Arrays.compareUnsigned(
                            a.keyArray(),
                            a.keyOffset(),
                            a.keyOffset() + a.keyLength() - tag,
                            b.keyArray(),
                            b.keyOffset(),
                            b.keyOffset() + b.keyLength() - tag)
                    < 0;
        }

        private final BytesIn in = new BytesIn();

        /** The records of {@code records}' current key. */
        private void readGroup(SortedInput records, long total) throws Exception {
            StreamOperator<?> root = operators[stage.root()];
            int edgeIndex = ExchangeOutput.edgeOf(records.keyArray(), records.keyOffset(), records.keyLength());
            Edge edge = graph.edges().get(edgeIndex);
            if (edge.target() != stage.root()) return; // another stage's share of the parent
            Codec<?> codec = edge.recordCodec();
            int input = edge.targetInput();
            while (records.nextValue()) {
                in.reset(records.valueArray(), records.valueOffset(), records.valueLength());
                long timestamp = in.readLong();
                Object record = codec.decode(in);
                deliver(root, input, record, timestamp);
                if ((++recordsIn & 1023) == 0) {
                    context.checkCancelled();
                    context.progress(Math.min(1, recordsIn / (double) total), recordsIn, 0);
                }
            }
        }

        @SuppressWarnings({"unchecked", "rawtypes"}) // the graph connects each input to records of its type
        private static void deliver(StreamOperator<?> root, int input, Object record, long timestamp) {
            try {
                if (root instanceof TwoInputOperator two) {
                    if (input == 0) two.processElement1(record, timestamp);
                    else two.processElement2(record, timestamp);
                } else {
                    ((OneInputOperator) root).processElement(record, timestamp);
                }
            } catch (OperatorFailure | CancelledException e) {
                throw e;
            } catch (Exception e) {
                throw new OperatorFailure(root.name(), e);
            }
        }

        private static boolean namedTest(StreamOperator<?> op, SourceOperator source) {
            try {
                return source.emitNext();
            } catch (OperatorFailure | CancelledException e) {
                throw e;
            } catch (Exception e) {
                throw new OperatorFailure(op.name(), e);
            }
        }

        private interface Call {
            void run() throws Exception;
        }

        private static void named(StreamOperator<?> op, Call call) {
            try {
                call.run();
            } catch (OperatorFailure | CancelledException e) {
                throw e;
            } catch (Exception e) {
                throw new OperatorFailure(op.name(), e);
            }
        }

        @SuppressWarnings("unchecked") // an operator's output feeds consumers of its type
        private static <O> void setup(StreamOperator<O> op, OperatorContext context, NodeOutput<?> output) {
            op.setup(context, (Output<O>) output);
        }

        @SuppressWarnings({"unchecked", "rawtypes"}) // as above
        private static void addMain(NodeOutput<?> output, dev.cairn.dataflow.internal.runtime.Downstream<?> d) {
            ((NodeOutput) output).addMain(d);
        }

        @SuppressWarnings({"unchecked", "rawtypes"}) // a chained edge leads into a one-input operator of its type
        private static ChainedDownstream<?> chained(StreamOperator<?> op, String name) {
            if (!(op instanceof OneInputOperator<?> input))
                throw new IllegalStateException("operator " + name + " cannot be chained: it does not take one input");
            return new ChainedDownstream((OneInputOperator) input, op);
        }
    }

    /** A sort edge in a sampling pass: each record's sort key, in the edge's order, offered to the sampler. */
    private static final class SampledKeys<T> implements dev.cairn.dataflow.internal.runtime.Downstream<T> {
        private final dev.cairn.dataflow.functions.KeySelector<T, Object> keySelector;
        private final Codec<Object> keyCodec;
        private final boolean descending;
        private final RangeBounds.Sampler sampler;
        private final dev.cairn.common.codec.BytesOut encoded = new dev.cairn.common.codec.BytesOut(64);
        private final dev.cairn.common.codec.BytesOut ordered = new dev.cairn.common.codec.BytesOut(64);

        @SuppressWarnings("unchecked") // the edge's key selector takes its records
        SampledKeys(Partitioning.Range<?, ?> range, RangeBounds.Sampler sampler) {
            this.keySelector = (dev.cairn.dataflow.functions.KeySelector<T, Object>) range.keySelector();
            this.keyCodec = (Codec<Object>) range.keyCodec();
            this.descending = range.descending();
            this.sampler = sampler;
        }

        @Override
        public void accept(T record, long timestamp) {
            encoded.reset();
            try {
                keyCodec.encode(keySelector.getKey(record), encoded);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("key selector failed: " + e.getMessage(), e);
            }
            ordered.reset();
            RangeBounds.appendOrdered(ordered, encoded.array(), 0, encoded.size(), descending);
            sampler.offer(ordered.array(), 0, ordered.size());
        }

        @Override
        public void watermark(long watermark) {}

        @Override
        public void idleness(boolean idle) {}
    }
}
