package dev.cairn.dataflow;

import dev.cairn.common.codec.Codec;
import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.internal.batch.BatchPlanner;
import dev.cairn.dataflow.internal.batch.LocalBatchExecution;
import dev.cairn.dataflow.internal.graph.Edge;
import dev.cairn.dataflow.internal.graph.GraphBuilder;
import dev.cairn.dataflow.internal.graph.LogicalGraph;
import dev.cairn.dataflow.internal.graph.OperatorFactory;
import dev.cairn.dataflow.internal.operators.CollectionSource;
import dev.cairn.dataflow.internal.operators.DirectoryWatchSource;
import dev.cairn.dataflow.internal.operators.NexmarkEventSource;
import dev.cairn.dataflow.internal.operators.SequenceSource;
import dev.cairn.dataflow.internal.operators.TextFileSource;
import dev.cairn.dataflow.internal.runtime.LocalExecutor;
import dev.cairn.dataflow.nexmark.NexmarkEventGenerator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A dataflow program under construction, and its entry point. Add sources, transform the
 * {@link Stream}s they return, end them in sinks, then {@link #execute()}:
 *
 * <pre>{@code
 * Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
 * CollectedResult<Long> lengths = flow.fromCollection(List.of("a b", "b"), Codecs.STRING)
 *         .flatMap((String line, Collector<String> out) -> { for (String w : line.split(" ")) out.collect(w); }, Codecs.STRING)
 *         .map(w -> (long) w.length(), Codecs.LONG)
 *         .keyBy(n -> n % 2, Codecs.LONG)
 *         .reduce(Long::sum)
 *         .collect();
 * flow.execute();
 * }</pre>
 *
 * <p>The program is a graph of operators ({@link #toGraph()}), plain data that an executor runs:
 * today the in-JVM {@code LocalExecutor}, with one thread per subtask. A program over bounded
 * sources ends when every source is exhausted; the end of input advances event time to
 * {@code Long.MAX_VALUE}, which fires every window and event-time timer. Not thread-safe: build a
 * program from one thread.
 */
public final class Dataflow {
    private final DataflowOptions options;
    private final GraphBuilder graph = new GraphBuilder();
    private final List<CollectedResult<?>> collected = new ArrayList<>();

    private Dataflow(DataflowOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public static Dataflow create() {
        return new Dataflow(DataflowOptions.defaults());
    }

    public static Dataflow create(DataflowOptions options) {
        return new Dataflow(options);
    }

    public DataflowOptions options() {
        return options;
    }

    /**
     * A bounded source of the given items, in order, at parallelism 1 (raise it with
     * {@link Stream#parallelism}: subtask i then emits items i, i + p, ...). The items are encoded
     * with {@code codec} now (so the program carries them as bytes) and decoded by the source.
     * Records have no timestamp until {@link Stream#assignTimestamps}.
     */
    public <T> Stream<T> fromCollection(Collection<T> items, Codec<T> codec) {
        int id = graph.addNode("Collection", 1, 0, new CollectionSource.Factory<>(items, codec));
        return new Stream<>(this, id, null, codec);
    }

    /**
     * The numbers {@code [from, to)}, bounded, at the default parallelism: each subtask emits one
     * contiguous range of them, in order. A generator's seed: map each number to a record.
     */
    public Stream<Long> generateSequence(long from, long to) {
        int id = graph.addNode("Sequence", options.parallelism(), 0, new SequenceSource.Factory(from, to));
        return new Stream<>(this, id, null, Codecs.LONG);
    }

    /**
     * The lines of a text file, or of every regular file under a directory (UTF-8, without their
     * '\n' or "\r\n"), bounded, at the default parallelism. Files are cut into byte ranges, one
     * or more per subtask; a line belongs to the range holding its first byte.
     */
    public Stream<String> readTextFile(Path fileOrDirectory) {
        return readTextFile(fileOrDirectory.toString());
    }

    /**
     * As {@link #readTextFile(Path)}, for a path of any file system: {@code cairn:///dir/events.csv}
     * reads from Cairn's store, a plain path from local disks. A missing path fails the job before
     * it runs, naming it: {@link #execute()} checks every input, a cluster's master those with a
     * scheme when the job is submitted.
     */
    public Stream<String> readTextFile(String fileOrDirectory) {
        int id = graph.addNode(
                "TextFile " + dev.cairn.common.fs.FsPaths.name(fileOrDirectory),
                options.parallelism(),
                0,
                new TextFileSource.Factory(fileOrDirectory, options.maxSourceRate()));
        return new Stream<>(this, id, null, Codecs.STRING);
    }

    /**
     * As {@link #readTextFile(Path)}, each line as its UTF-8 bytes ({@link Utf8}, without the
     * line ending, a trailing '\r' dropped), not decoded into a String: for programs that split,
     * hash, compare or count text as bytes ({@link Utf8#forEachWord}, {@link KeyedStream#count}).
     * In batch mode a line is a view of the bytes as read, with no copy.
     */
    public Stream<Utf8> readTextFileUtf8(Path fileOrDirectory) {
        return readTextFileUtf8(fileOrDirectory.toString());
    }

    /** As {@link #readTextFile(String)}, each line as its UTF-8 bytes: see {@link #readTextFileUtf8(Path)}. */
    public Stream<Utf8> readTextFileUtf8(String fileOrDirectory) {
        int id = graph.addNode(
                "TextFile " + dev.cairn.common.fs.FsPaths.name(fileOrDirectory),
                options.parallelism(),
                0,
                new TextFileSource.Factory(fileOrDirectory, options.maxSourceRate(), true));
        return new Stream<>(this, id, null, Utf8.CODEC);
    }

    /**
     * The lines appended to the files of {@code directory} as they come (unbounded), at the
     * default parallelism: each file's new complete lines are read every {@code poll}; a file
     * belongs to one subtask. Checkpoints store the offset reached in every file, so a restarted
     * job goes on where its checkpoint was. A file named {@code _DONE} in the directory ends the
     * stream once what was written before it is read; names starting with '.' or '_' are skipped.
     * Local directories only: a job that must follow files in the store polls them elsewhere.
     */
    public Stream<String> watchTextFiles(Path directory, java.time.Duration poll) {
        if (poll.isNegative() || poll.isZero())
            throw new IllegalArgumentException("poll interval must be positive: " + poll);
        String scheme = dev.cairn.common.fs.FsPaths.scheme(directory.toString());
        if (scheme != null && !scheme.equals(dev.cairn.common.fs.LocalFileSystem.SCHEME)) {
            throw new IllegalArgumentException("cannot watch " + directory + ": watching files as they grow works on"
                    + " local directories only; read a complete file of the store with readTextFile");
        }
        int id = graph.addNode(
                "Watch " + directory.getFileName(),
                options.parallelism(),
                0,
                new DirectoryWatchSource.Factory(directory.toString(), poll.toMillis()));
        return new Stream<>(this, id, null, Codecs.STRING);
    }

    /**
     * Nexmark events generated in the source, bounded, at the default parallelism: the lines
     * {@code shared/bench/NexmarkGen.java} writes for the same settings (without '\n'), so that
     * {@link dev.cairn.dataflow.nexmark.NexmarkParser} and {@link dev.cairn.dataflow.nexmark.NexmarkQueries}
     * read them as they read its file, and its answers hold. Subtask i of p emits events i, i + p,
     * ... in order. Capped by {@link DataflowOptions#maxSourceRate()} like file sources.
     */
    public Stream<String> nexmark(NexmarkEventGenerator.Settings settings) {
        int id = graph.addNode(
                "Nexmark",
                options.parallelism(),
                0,
                new NexmarkEventSource.Factory(Objects.requireNonNull(settings, "settings"), options.maxSourceRate()));
        return new Stream<>(this, id, null, Codecs.STRING);
    }

    /** Freezes the program into the graph an executor runs. */
    public LogicalGraph toGraph() {
        return graph.build(options.maxParallelism(), options.stateBackend());
    }

    /**
     * The program as a batch job of stages, for a batch master to run ({@link RuntimeMode#BATCH}):
     * its output is the directory of its text file sink.
     *
     * @throws IllegalArgumentException if batch mode cannot run the program, or it has no text file sink
     */
    public dev.cairn.batch.JobGraph toBatchJob(String name) {
        BatchPlanner.Plan plan = BatchPlanner.plan(toGraph(), name, "", 0, 0);
        if (plan.sinkDirectory() == null)
            throw new IllegalArgumentException(
                    "a batch job writes its output with a text file sink (writeAsText); this program has none");
        return plan.job();
    }

    /**
     * Runs the program in this JVM until every bounded source is exhausted and every operator has
     * finished, and fills the {@link CollectedResult}s.
     *
     * @throws IllegalArgumentException naming the path, if a file source's input does not exist
     * @throws DataflowException if an operator fails, naming it; the other subtasks are cancelled
     */
    public ExecutionResult execute() {
        return execute(RuntimeMode.STREAMING);
    }

    /**
     * Runs the program in this JVM in {@code mode}: {@link RuntimeMode#STREAMING} as
     * {@link #execute()}; {@link RuntimeMode#BATCH} stage by stage on a batch master and worker
     * started for it, each task with one attempt.
     *
     * @throws DataflowException if an operator fails, naming it
     * @throws IllegalArgumentException if batch mode cannot run the program (see {@link RuntimeMode#BATCH})
     */
    public ExecutionResult execute(RuntimeMode mode) {
        for (CollectedResult<?> c : collected) c.clear();
        if (mode == RuntimeMode.BATCH) {
            return new ExecutionResult(
                    LocalBatchExecution.run(toGraph(), Math.max(2, options.parallelism()), options.clock()), 0);
        }
        return new LocalExecutor(options).execute(toGraph());
    }

    // ------------------------------------------------------------------ for Stream and friends

    int addOperator(String name, int parallelism, int inputs, OperatorFactory factory) {
        return graph.addNode(name, parallelism, inputs, factory);
    }

    void connect(Stream<?> from, int to, int toInput) {
        graph.addEdge(new Edge(
                from.nodeId,
                to,
                toInput,
                from.partitioning,
                from.sideTag == null ? null : from.sideTag.id(),
                from.codec));
    }

    int parallelismOf(int nodeId) {
        return graph.node(nodeId).parallelism();
    }

    void setParallelism(int nodeId, int parallelism) {
        if (parallelism > options.maxParallelism()) {
            throw new IllegalArgumentException(
                    "parallelism " + parallelism + " above the max parallelism " + options.maxParallelism());
        }
        graph.setParallelism(nodeId, parallelism);
    }

    void setName(int nodeId, String name) {
        graph.setName(nodeId, name);
    }

    void register(CollectedResult<?> result) {
        collected.add(result);
    }
}
