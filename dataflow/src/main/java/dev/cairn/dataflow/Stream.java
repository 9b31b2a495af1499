package dev.cairn.dataflow;

import dev.cairn.common.codec.Codec;
import dev.cairn.common.codec.Codecs;
import dev.cairn.common.fs.FsPaths;
import dev.cairn.dataflow.functions.FilterFunction;
import dev.cairn.dataflow.functions.FlatMapFunction;
import dev.cairn.dataflow.functions.KeySelector;
import dev.cairn.dataflow.functions.MapFunction;
import dev.cairn.dataflow.functions.ProcessFunction;
import dev.cairn.dataflow.functions.SinkFunction;
import dev.cairn.dataflow.functions.TimestampExtractor;
import dev.cairn.dataflow.internal.batch.SortedPassThrough;
import dev.cairn.dataflow.internal.graph.OperatorFactory;
import dev.cairn.dataflow.internal.graph.Partitioning;
import dev.cairn.dataflow.internal.graph.ProgramPaths;
import dev.cairn.dataflow.internal.operators.SinkOperator;
import dev.cairn.dataflow.internal.operators.StatelessOperators;
import dev.cairn.dataflow.internal.operators.TimestampsAndWatermarksOperator;
import dev.cairn.dataflow.internal.operators.TransactionalFileSink;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A stream of records of type {@code T}: the output of one operator (its main output or one side
 * output). Transformations add an operator and return its output; a stream may feed several
 * operators. Operators that need no exchange run chained, as direct calls in one thread.
 * Records keep their timestamp through stateless transformations.
 */
public final class Stream<T> {
    final Dataflow flow;
    final int nodeId;
    final OutputTag<T> sideTag;
    final Codec<T> codec;
    final Partitioning partitioning;

    Stream(Dataflow flow, int nodeId, OutputTag<T> sideTag, Codec<T> codec) {
        this(flow, nodeId, sideTag, codec, new Partitioning.Forward());
    }

    Stream(Dataflow flow, int nodeId, OutputTag<T> sideTag, Codec<T> codec, Partitioning partitioning) {
        this.flow = flow;
        this.nodeId = nodeId;
        this.sideTag = sideTag;
        this.codec = Objects.requireNonNull(codec, "codec");
        this.partitioning = partitioning;
    }

    public Codec<T> codec() {
        return codec;
    }

    /** Sets the parallelism of the operator producing this stream. */
    public Stream<T> parallelism(int parallelism) {
        flow.setParallelism(nodeId, parallelism);
        return this;
    }

    /** Names the operator producing this stream (in errors and the graph). */
    public Stream<T> name(String name) {
        flow.setName(nodeId, name);
        return this;
    }

    public <R> Stream<R> map(MapFunction<T, R> function, Codec<R> outCodec) {
        return oneInput("Map", new StatelessOperators.MapFactory<>(function), outCodec);
    }

    public Stream<T> filter(FilterFunction<T> function) {
        return oneInput("Filter", new StatelessOperators.FilterFactory<>(function), codec);
    }

    public <R> Stream<R> flatMap(FlatMapFunction<T, R> function, Codec<R> outCodec) {
        return oneInput("FlatMap", new StatelessOperators.FlatMapFactory<>(function), outCodec);
    }

    /**
     * The general record-at-a-time operation: {@code function} may emit to the main output (the
     * returned stream) and to side outputs (read them with {@link #sideOutput} on the returned
     * stream), e.g. to set malformed records aside instead of failing the job.
     */
    public <R> Stream<R> process(ProcessFunction<T, R> function, Codec<R> outCodec) {
        return oneInput("Process", new StatelessOperators.ProcessFactory<>(function), outCodec);
    }

    /** All records of this stream and the others (same type), in no particular interleaving. */
    @SafeVarargs
    public final Stream<T> union(Stream<T>... others) {
        int id = flow.addOperator("Union", flow.parallelismOf(nodeId), 1, new StatelessOperators.UnionFactory<T>());
        flow.connect(this, id, 0);
        for (Stream<T> other : others) {
            if (other.flow != flow) throw new IllegalArgumentException("cannot union streams of different dataflows");
            flow.connect(other, id, 0);
        }
        return new Stream<>(flow, id, null, codec);
    }

    /** Sets each record's timestamp from {@code extractor} and generates watermarks by {@code strategy}. */
    public Stream<T> assignTimestamps(TimestampExtractor<T> extractor, WatermarkStrategy strategy) {
        return oneInput("Timestamps", new TimestampsAndWatermarksOperator.Factory<>(extractor, strategy), codec);
    }

    /**
     * Partitions by key: records with equal keys go to the same subtask of the next operator,
     * which can keep state per key.
     */
    public <K> KeyedStream<K, T> keyBy(KeySelector<T, K> keySelector, Codec<K> keyCodec) {
        return new KeyedStream<>(this, keySelector, keyCodec);
    }

    /**
     * This stream sorted by key, in batch mode: the records are range-partitioned by key over the
     * next operator's tasks (this stream's parallelism), with boundaries sampled from the records
     * themselves (a sampling pass over this stream's stage first, as TeraSort and Spark do), and
     * each task's records come in key order, so that the tasks' outputs one after the other are
     * the whole stream in order (a text file sink's part files, in name order). Equal keys keep
     * no particular order among themselves. Set the sorted stream's parallelism for the number of
     * ranges. Unbounded streams cannot be sorted: in stream mode the job is refused when it runs.
     */
    public <K> Stream<T> sortBy(KeySelector<T, K> keySelector, Codec<K> keyCodec, SortOrder order) {
        int id = flow.addOperator("SortBy", flow.parallelismOf(nodeId), 1, new SortedPassThrough.Factory(-1));
        flow.connect(rangePartitioned(keySelector, keyCodec, order), id, 0);
        return new Stream<>(flow, id, null, codec);
    }

    /** This stream sorted by key in ascending order: {@link #sortBy(KeySelector, Codec, SortOrder)}. */
    public <K> Stream<T> sortBy(KeySelector<T, K> keySelector, Codec<K> keyCodec) {
        return sortBy(keySelector, keyCodec, SortOrder.ASCENDING);
    }

    /**
     * The first {@code n} records of this stream in key order, in order, from one task (batch mode
     * only, as {@link #sortBy}): SQL's {@code ORDER BY ... LIMIT n}.
     */
    public <K> Stream<T> topN(long n, KeySelector<T, K> keySelector, Codec<K> keyCodec, SortOrder order) {
        if (n < 0) throw new IllegalArgumentException("topN needs n >= 0, got " + n);
        int id = flow.addOperator("Top" + n, 1, 1, new SortedPassThrough.Factory(n));
        flow.connect(rangePartitioned(keySelector, keyCodec, order), id, 0);
        return new Stream<>(flow, id, null, codec);
    }

    private <K> Stream<T> rangePartitioned(KeySelector<T, K> keySelector, Codec<K> keyCodec, SortOrder order) {
        Objects.requireNonNull(keySelector, "keySelector");
        Objects.requireNonNull(keyCodec, "keyCodec");
        return new Stream<>(
                flow,
                nodeId,
                sideTag,
                codec,
                new Partitioning.Range<>(keySelector, keyCodec, order == SortOrder.DESCENDING));
    }

    /**
     * This stream's distinct records (equal when their encodings are): in batch mode one of each,
     * duplicates dropped before the shuffle too; in a stream each record's first occurrence as it
     * comes, every distinct record remembered in keyed state.
     */
    public Stream<T> distinct() {
        return keyBy(r -> r, codec)
                .process(new dev.cairn.dataflow.internal.operators.RollingAggregation.FirstOfKey<T, T>(), codec)
                .name("Distinct");
    }

    /**
     * How many records this stream has: one record, in batch mode (a stream would emit a running
     * count per record). Counted per task and summed in one, so it costs a record per task.
     */
    public Stream<Long> count() {
        return map(r -> 1L, Codecs.LONG)
                .name("Count")
                .keyBy(one -> 0, Codecs.INT)
                .reduce(Long::sum)
                .parallelism(1)
                .name("Count");
    }

    /**
     * This stream, computed once and kept on the workers for all of its consumers (Spark's
     * {@code cache}). In batch mode the records are written at a stage boundary as the partitioned
     * output of the stage that computes them, one partition per task of the returned stream (its
     * parallelism, this stream's unless set), partition i holding task i's records in their order
     * (at another parallelism than this stream's, records are spread round robin). Every consumer
     * of the returned stream, however many branches the program has (two aggregations and a join
     * over one parsed, filtered dataset), then runs in or after the one stage that reads those
     * partitions: the work before the cache runs once, and a sort's sampling pass or a re-run task
     * after it starts from the cached partitions, not from the input.
     *
     * <p>Storage: the partitions are the batch runtime's ordinary stage outputs, files on the
     * local disk of the worker that made them, served from the operating system's page cache
     * while memory allows and from disk beyond it. A partition becomes readable only once its task
     * has finished and its index is renamed into place, so it is never read half-written. One
     * lost with its worker is made again from its lineage: the master re-runs the tasks that
     * produced it (from the input, or from the cached partitions before them). There is no
     * storage level and no in-heap copy: serving a partition is a small part of what a cache
     * costs (the page cache serves a fresh one at 1-2.5 GB/s, a heap array at 3-4, while
     * writing, sorting, fetching and reading it runs at some 70-100 MB/s), and the page cache takes
     * no worker heap. A cache lasts one job: each {@code execute} computes it again.
     *
     * <p>In stream mode a cache is an identity: a stream's records pass once anyway.
     */
    public Stream<T> cache() {
        return oneInput("Cache", new dev.cairn.dataflow.internal.batch.Materialize.Factory(), codec);
    }

    /**
     * The first {@code n} records of this stream, as a stream (as {@link #count()}: collect or
     * write it). Each task of this stream passes on its first n records and one last task keeps
     * the first n of those. In batch mode that last task reads the tasks' records task by task,
     * each in the order the task emitted them, so the result is the first n in the input's order
     * where it has one: the first lines of a file (splits follow the files' order), the first n in
     * order after a {@link #sortBy} (its tasks are its ranges, in order), else the first n of the
     * lowest tasks. In a stream it is the first n records to reach the last task, in no particular
     * order among this stream's tasks. Records after the n-th are still computed: only their
     * delivery stops.
     *
     * @throws IllegalArgumentException if {@code n < 0}
     */
    public Stream<T> take(long n) {
        Stream<T> perTask = oneInput("Take", new dev.cairn.dataflow.internal.operators.Take.Factory(n, false), codec);
        int id = flow.addOperator("Take", 1, 1, new dev.cairn.dataflow.internal.operators.Take.Factory(n, true));
        flow.connect(perTask.rebalance(), id, 0);
        return new Stream<>(flow, id, null, codec);
    }

    /** The next operator receives this stream's records round robin. */
    public Stream<T> rebalance() {
        return new Stream<>(flow, nodeId, sideTag, codec, new Partitioning.Rebalance());
    }

    /** Every subtask of the next operator receives every record. */
    public Stream<T> broadcast() {
        return new Stream<>(flow, nodeId, sideTag, codec, new Partitioning.Broadcast());
    }

    /** The records this stream's operator emitted to side output {@code tag}. */
    public <X> Stream<X> sideOutput(OutputTag<X> tag) {
        return new Stream<>(flow, nodeId, tag, tag.codec());
    }

    /** Ends the stream in {@code sink}, one instance per subtask at this stream's parallelism. */
    public void addSink(SinkFunction<T> sink, String name) {
        int id = flow.addOperator(name, flow.parallelismOf(nodeId), 1, new SinkOperator.Factory<>(sink));
        flow.connect(this, id, 0);
    }

    /** Collects the records in memory, for tests: read them from the result after {@link Dataflow#execute()}. */
    public CollectedResult<T> collect() {
        CollectedResult<T> result = new CollectedResult<>();
        flow.register(result);
        addSink(result.sink(), "Collect");
        return result;
    }

    /** Executes the whole dataflow and returns this stream's records. */
    public List<T> executeAndCollect() {
        CollectedResult<T> result = collect();
        flow.execute();
        return result.get();
    }

    /** Prints each record's {@code toString()} to standard output, prefixed by the subtask number. */
    public void print() {
        int id = flow.addOperator("Print", flow.parallelismOf(nodeId), 1, new SinkOperator.PrintFactory<T>());
        flow.connect(this, id, 0);
    }

    /**
     * Writes each record's {@code toString()} as a line (UTF-8) into part files
     * {@code part-<subtask>} of {@code directory}, created if absent; a subtask fails if its part
     * file already exists. Not transactional: after a failure the directory holds whatever was
     * written. Exactly-once file sinks come with checkpoints.
     */
    public void writeAsText(Path directory) {
        int id = flow.addOperator(
                "TextFile sink " + directory.getFileName(),
                flow.parallelismOf(nodeId),
                1,
                new SinkOperator.TextFileFactory<T>(directory.toString()));
        flow.connect(this, id, 0);
    }

    /**
     * Writes each record's {@code toString()} as a line (UTF-8) exactly once into
     * {@code directory}, which must not exist: with checkpoints on, part files
     * {@code part-<subtask>-<checkpoint>} appear only when the checkpoint that covers their
     * records completes (two-phase commit), so readers never see records that a restart will
     * produce again. Staged files are dot-files in {@code directory} until then.
     *
     * @throws IllegalArgumentException if {@code directory} exists
     */
    public void writeAsTextExactlyOnce(Path directory) {
        writeAsTextExactlyOnce(directory.toString());
    }

    /**
     * As {@link #writeAsTextExactlyOnce(Path)}, into a directory of any file system:
     * {@code cairn:///out} writes into Cairn's store, a plain path onto local disks. Staged files
     * are dot-files in the directory until their checkpoint completes. The directory is checked
     * now when {@link DataflowOptions#fileSystems()} serves its scheme, else when the job is
     * submitted.
     *
     * @throws IllegalArgumentException naming the directory if it exists
     */
    public void writeAsTextExactlyOnce(String directory) {
        // A program resumed from a savepoint writes on into the directory of the job it was taken from.
        if (flow.options().savepoint() == null
                && ProgramPaths.checkable(flow.options().fileSystems(), directory))
            ProgramPaths.requireNewOutput(flow.options().fileSystems(), directory);
        int id = flow.addOperator(
                "Transactional sink " + FsPaths.name(directory),
                flow.parallelismOf(nodeId),
                1,
                new TransactionalFileSink.Factory<T>(directory));
        flow.connect(this, id, 0);
    }

    <R> Stream<R> oneInput(String name, OperatorFactory factory, Codec<R> outCodec) {
        int id = flow.addOperator(name, flow.parallelismOf(nodeId), 1, factory);
        flow.connect(this, id, 0);
        return new Stream<>(flow, id, null, outCodec);
    }
}
