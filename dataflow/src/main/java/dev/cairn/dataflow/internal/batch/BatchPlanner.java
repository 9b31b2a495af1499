package dev.cairn.dataflow.internal.batch;

import dev.cairn.batch.JobGraph;
import dev.cairn.batch.StageSpec;
import dev.cairn.dataflow.internal.batch.StageLayout.Input;
import dev.cairn.dataflow.internal.batch.StageLayout.PlannedStage;
import dev.cairn.dataflow.internal.graph.Edge;
import dev.cairn.dataflow.internal.graph.GraphSerialization;
import dev.cairn.dataflow.internal.graph.LogicalGraph;
import dev.cairn.dataflow.internal.graph.OperatorNode;
import dev.cairn.dataflow.internal.graph.Partitioning;
import dev.cairn.dataflow.internal.operators.TextFileSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Plans a dataflow program over bounded input as a batch {@link JobGraph}: a pure function of
 * the program's graph.
 *
 * <p>Operators joined by forward edges into an operator with no other input run in one stage,
 * as a chain of direct calls (the stream runtime's chaining rule, minus equal parallelism: a
 * stage's tasks decide it). Every other edge is an exchange, and cuts: its producer's stage
 * writes partitions that the consumer's stage reads, one per consumer task, sorted by key, so the
 * consumer sees each key's records together. A stage starts at its root: a text file source (the
 * stage reads the files, one task per split), another source (a generator of as many tasks as
 * the source's parallelism), or the operator its exchanges lead into (as many tasks as its
 * parallelism). The program's text file sink, if it has one, writes the job's output, committed
 * atomically when every stage is done. A sort into several ranges adds a sampling pass of its
 * producing stage before it, whose keys every task of that stage reads whole to cut the ranges.
 * An inner or left outer join whose right side is a small file stage runs as a broadcast hash
 * join in its left side's stage, the right side's one partition read whole by every task.
 * A cached stream ({@link Materialize}) is always cut from its producer: its records are written
 * once, and the stage it roots reads them and feeds all of its consumers.
 */
public final class BatchPlanner {
    /** The program class that runs every stage. */
    static final String PROGRAM = BatchStageProgram.class.getName();

    private BatchPlanner() {}

    /**
     * A planned program: its job, and the directory its text file sink writes (the job's output),
     * or null if it has none.
     */
    public record Plan(JobGraph job, StageLayout layout, String sinkDirectory) {}

    /**
     * Plans {@code program}.
     *
     * @param scratchOutput the job's output directory when the program has no text file sink (its
     *     results go to other sinks): a directory that does not exist, left empty
     * @throws IllegalArgumentException naming the operator, for a program batch mode cannot run
     */
    public static Plan plan(LogicalGraph program, String name, String scratchOutput, long splitBytes, int maxAttempts) {
        List<OperatorNode> nodes = new ArrayList<>();
        for (OperatorNode n : program.nodes())
            nodes.add(new OperatorNode(
                    n.id(), n.name(), n.parallelism(), n.inputs(), BatchOperators.substitute(n.factory())));
        LogicalGraph graph = new LogicalGraph(nodes, program.edges(), program.maxParallelism(), program.stateBackend());

        // Stages: an operator joins its producer's stage over an intra-stage edge, else roots its own.
        int[] initial = components(graph, Map.of());
        // Joins whose right side is a small file stage become broadcast hash joins in their left side's stage.
        Map<Integer, Edge> broadcastJoins = broadcastJoins(graph, initial);
        int[] component = broadcastJoins.isEmpty() ? initial : components(graph, broadcastJoins);
        Map<Integer, List<Integer>> members = new java.util.TreeMap<>();
        for (OperatorNode n : nodes)
            members.computeIfAbsent(component[n.id()], r -> new ArrayList<>()).add(n.id());

        int jobSink = -1;
        String sinkDirectory = null;
        for (OperatorNode n : nodes) {
            String dir = BatchOperators.textSinkDirectory(n.factory());
            if (dir == null) continue;
            if (jobSink >= 0)
                throw new IllegalArgumentException("batch mode writes one text file output; the program has two: '"
                        + nodes.get(jobSink).name() + "' and '" + n.name() + "'");
            jobSink = n.id();
            sinkDirectory = dir;
        }

        // Each stage's parents and partitions; then stages in an order where parents come first.
        Map<Integer, Set<Integer>> parentRoots = new java.util.HashMap<>();
        Map<Integer, Integer> partitions = new java.util.HashMap<>();
        Map<Integer, Set<Integer>> broadcastRoots = new java.util.HashMap<>();
        for (Edge e : graph.edges()) {
            int from = component[e.source()];
            int to = component[e.target()];
            if (from == to) continue;
            if (broadcastJoins.containsKey(e.target()) && e.targetInput() == 1) {
                broadcastRoots.computeIfAbsent(to, r -> new LinkedHashSet<>()).add(from);
                partitions.put(from, 1);
                continue;
            }
            parentRoots.computeIfAbsent(to, r -> new LinkedHashSet<>()).add(from);
            int consumerTasks = nodes.get(e.target()).parallelism();
            Integer before = partitions.putIfAbsent(from, consumerTasks);
            if (before != null && before != consumerTasks)
                throw new IllegalArgumentException(
                        "in batch mode the operators fed by '" + nodes.get(from).name()
                                + "''s stage need one parallelism; '"
                                + nodes.get(e.target()).name() + "' has "
                                + consumerTasks + ", another " + before);
        }
        if (jobSink >= 0 && partitions.containsKey(component[jobSink]))
            throw new IllegalArgumentException("batch mode: the text file sink '"
                    + nodes.get(jobSink).name() + "' shares its stage with an exchange; write from a stage of its own");

        List<Integer> order = new ArrayList<>();
        Set<Integer> placed = new TreeSet<>();
        while (order.size() < members.size()) {
            boolean progress = false;
            for (int root : members.keySet()) {
                if (placed.contains(root)) continue;
                if (placed.containsAll(parentRoots.getOrDefault(root, Set.of()))
                        && placed.containsAll(broadcastRoots.getOrDefault(root, Set.of()))) {
                    order.add(root);
                    placed.add(root);
                    progress = true;
                }
            }
            if (!progress) throw new IllegalStateException("the program's stages form a cycle");
        }

        int[] stageOf = new int[nodes.size()];
        List<PlannedStage> stages = new ArrayList<>();
        Map<Integer, String> names = new java.util.HashMap<>();
        for (int root : order) {
            String stageName = "s" + (stages.size() + 1);
            names.put(root, stageName);
            OperatorNode r = nodes.get(root);
            Input input;
            int tasks;
            if (r.inputs() > 0) {
                input = Input.EXCHANGE;
                tasks = r.parallelism();
            } else if (r.factory() instanceof TextFileSource.Factory) {
                input = Input.FILES;
                tasks = 0;
            } else {
                input = Input.GENERATOR;
                tasks = r.parallelism();
            }
            List<String> parents = parentRoots.getOrDefault(root, Set.of()).stream()
                    .map(names::get)
                    .toList();
            Map<Integer, String> hashJoins = new java.util.TreeMap<>();
            for (int id : members.get(root))
                if (broadcastJoins.containsKey(id))
                    hashJoins.put(id, names.get(component[broadcastJoins.get(id).source()]));
            // A sort into more than one range needs the keys' spread first: a sampling pass of
            // this stage (same input, same operators up to the sort's edge) runs before it.
            Map<Integer, String> samples = new java.util.TreeMap<>();
            for (int ei = 0; ei < graph.edges().size(); ei++) {
                Edge e = graph.edges().get(ei);
                if (component[e.source()] != root || !(e.partitioning() instanceof Partitioning.Range<?, ?>)) continue;
                if (nodes.get(e.target()).parallelism() == 1) continue;
                String sampleName = stageName + "sample" + ei;
                samples.put(ei, sampleName);
                stages.add(new PlannedStage(
                        sampleName, input, root, members.get(root), tasks, parents, 1, ei, Map.of(), hashJoins));
            }
            for (int id : members.get(root)) stageOf[id] = stages.size();
            stages.add(new PlannedStage(
                    stageName,
                    input,
                    root,
                    members.get(root),
                    tasks,
                    parents,
                    partitions.getOrDefault(root, 0),
                    -1,
                    samples,
                    hashJoins));
        }
        StageLayout layout =
                new StageLayout(graph, stages, Arrays.stream(stageOf).boxed().toList(), jobSink);

        List<StageSpec> specs = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            PlannedStage s = stages.get(i);
            byte[] bytes = GraphSerialization.write(new BatchStageProgram.Spec(layout, i));
            int outputPartitions = s.outputPartitions();
            StageSpec spec = switch (s.input()) {
                case FILES ->
                    StageSpec.reading(
                            s.name(),
                            List.of(((TextFileSource.Factory)
                                            nodes.get(s.root()).factory())
                                    .path()),
                            outputPartitions,
                            PROGRAM,
                            bytes);
                case GENERATOR -> StageSpec.generating(s.name(), s.tasks(), outputPartitions, PROGRAM, bytes);
                case EXCHANGE -> StageSpec.after(s.name(), s.parents(), s.tasks(), outputPartitions, PROGRAM, bytes);
            };
            List<String> broadcasts = new ArrayList<>(s.rangeSamples().values());
            for (String b : s.hashJoins().values()) if (!broadcasts.contains(b)) broadcasts.add(b);
            spec = spec.withBroadcasts(broadcasts);
            if (s.input() == Input.EXCHANGE) spec = spec.withAdaptive(adaptive(graph, s, component, names));
            specs.add(spec);
        }
        String output = sinkDirectory != null ? sinkDirectory : scratchOutput;
        return new Plan(new JobGraph(name, specs, output, splitBytes, maxAttempts, Map.of()), layout, sinkDirectory);
    }

    /**
     * What the master may re-plan in a stage reading exchanges: every such stage groups its input
     * by key and reads its partitions merged in key order, so any run of adjacent partitions may
     * be coalesced (a range-partitioned sort's runs stay in order). A stage rooted at an inner
     * join may split a skewed partition of either side, a left outer join of its left side only
     * (a right record must meet every left record of its key exactly once), provided the two
     * sides come from different stages; a co-group, which sees each key's records all at once,
     * may not.
     */
    private static StageSpec.Adaptive adaptive(
            LogicalGraph graph, PlannedStage s, int[] component, Map<Integer, String> names) {
        List<String> splittable = new ArrayList<>();
        if (graph.node(s.root()).factory() instanceof BatchOperators.SortedJoin join
                && join.join().pairs() != null) {
            String left = null;
            String right = null;
            for (Edge e : graph.inputsOf(s.root())) {
                String from = names.get(component[e.source()]);
                if (e.targetInput() == 0) left = from;
                else right = from;
            }
            if (left != null
                    && right != null
                    && !left.equals(right)
                    && s.parents().contains(left)) {
                splittable.add(left);
                if (!join.join().leftOuter() && s.parents().contains(right)) splittable.add(right);
            }
        }
        return new StageSpec.Adaptive(true, splittable);
    }

    /**
     * Right inputs at most this large (their files' bytes, before any filter) are sent whole to
     * the join's left side instead of shuffled with it: Spark's broadcast join threshold.
     */
    static final long BROADCAST_JOIN_BYTES = 10L << 20;

    /**
     * Each operator's stage root: an operator joins its producer's stage over a forward edge into
     * its only input, or, for a broadcast join, its left input's stage; else it roots its own.
     */
    private static int[] components(LogicalGraph graph, Map<Integer, Edge> broadcastJoins) {
        int[] component = new int[graph.nodes().size()];
        Arrays.fill(component, -1);
        for (OperatorNode n : graph.nodes()) {
            List<Edge> in = graph.inputsOf(n.id());
            if (broadcastJoins.containsKey(n.id())) {
                for (Edge e : in) if (e.targetInput() == 0) component[n.id()] = component[e.source()];
            } else {
                // A cache is materialized: never chained to its producer, it roots the stage that reads it.
                component[n.id()] =
                        in.size() == 1 && in.get(0).isForward() && !(n.factory() instanceof Materialize.Factory)
                                ? component[in.get(0).source()]
                                : n.id();
            }
        }
        return component;
    }

    /**
     * The inner and left outer joins to run as broadcast hash joins, each with its right input's
     * edge: the right side is a stage reading local files of at most {@link #BROADCAST_JOIN_BYTES}
     * in all, that stage feeds nothing else, and the left side comes from another stage. (Sizes
     * of {@code cairn://} inputs are not known when planning: those joins stay sort-merge.)
     */
    private static Map<Integer, Edge> broadcastJoins(LogicalGraph graph, int[] component) {
        Map<Integer, Edge> joins = new java.util.TreeMap<>();
        for (OperatorNode n : graph.nodes()) {
            if (!(n.factory() instanceof BatchOperators.SortedJoin join)
                    || join.join().pairs() == null) continue;
            Edge left = null;
            Edge right = null;
            for (Edge e : graph.inputsOf(n.id())) {
                if (e.targetInput() == 0) left = e;
                else right = e;
            }
            if (left == null || right == null) continue;
            int rightStage = component[right.source()];
            if (rightStage == component[left.source()]) continue;
            if (!(graph.node(rightStage).factory() instanceof TextFileSource.Factory files)) continue;
            boolean onlyConsumer = true;
            for (Edge e : graph.edges())
                if (component[e.source()] == rightStage && component[e.target()] != rightStage && !e.equals(right))
                    onlyConsumer = false;
            if (onlyConsumer && localBytes(files.path()) <= BROADCAST_JOIN_BYTES) joins.put(n.id(), right);
        }
        return joins;
    }

    /** The bytes of a local file or of the regular files under a directory; MAX_VALUE if unknown. */
    private static long localBytes(String path) {
        if (dev.cairn.common.fs.FsPaths.scheme(path) != null) return Long.MAX_VALUE;
        try (java.util.stream.Stream<java.nio.file.Path> files =
                java.nio.file.Files.walk(java.nio.file.Path.of(path))) {
            long total = 0;
            for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator)
                if (java.nio.file.Files.isRegularFile(f)) total += java.nio.file.Files.size(f);
            return total;
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return Long.MAX_VALUE;
        }
    }
}
