package dev.cairn.batch.internal.worker;

import dev.cairn.batch.Counter;
import dev.cairn.batch.TaskInput;
import dev.cairn.batch.internal.proto.ParentOutputs;
import dev.cairn.batch.internal.proto.TaskAssignment;
import dev.cairn.batch.internal.sort.GroupingIterator;
import dev.cairn.batch.internal.sort.MapOutputBuffer;
import dev.cairn.batch.internal.sort.MapOutputFile;
import dev.cairn.batch.internal.sort.Merger;
import dev.cairn.batch.internal.sort.RawCombiner;
import dev.cairn.batch.internal.sort.RawRecordIterator;
import dev.cairn.batch.stage.LineInput;
import dev.cairn.batch.stage.PartitionedOutput;
import dev.cairn.batch.stage.SortedInput;
import dev.cairn.batch.stage.StageContext;
import dev.cairn.batch.stage.StageProgram;
import dev.cairn.batch.stage.ValueCombiner;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.io.FileTrees;
import dev.cairn.rpc.grpc.Channels;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one attempt of a task of a stage with a {@link StageProgram}: gives the program its input
 * (the split's lines, or its partition of each parent's output, fetched and merged) and its
 * output (a sorted, partitioned output file that later stages fetch from this worker, or its
 * {@link AttemptOutputFile} of the job's output), and once the program returns, finishes the
 * partitioned output or commits the file. A task that writes partitions always leaves an output
 * file, empty if the program wrote nothing, since every task of a later stage fetches from it.
 */
final class StageTaskRunner implements StageContext {
    private final RunningTask task;
    private final TaskAssignment assignment;
    private final JobResources job;
    private final WorkerSettings settings;
    private final Channels channels;
    private final AttemptOutputFile.CommitGate gate;
    private final Path scratch;

    private ShuffleFetcher fetcher;
    private final List<RawRecordIterator> opened = new ArrayList<>();
    private LineReader lines;
    private MapOutputBuffer buffer;
    private PartitionedOutput partitioned;
    private AttemptOutputFile outputFile;

    StageTaskRunner(
            RunningTask task,
            JobResources job,
            WorkerSettings settings,
            Channels channels,
            AttemptOutputFile.CommitGate gate) {
        this.task = task;
        this.assignment = task.assignment;
        this.job = job;
        this.settings = settings;
        this.channels = channels;
        this.gate = gate;
        this.scratch = job.dir.resolve("shuffle").resolve(task.attemptId());
    }

    void run() throws Exception {
        String programClass = assignment.getProgramClass();
        StageProgram program = UserCode.create(programClass, StageProgram.class, job.loader);
        try {
            try {
                program.run(this);
            } catch (Exception | Error e) {
                FetchFailure lost = fetchFailureIn(e);
                if (lost != null) throw lost;
                if (task.cancelled || e instanceof TaskFailure || e instanceof InterruptedException) throw e;
                throw new TaskFailure("stage " + stage() + " (" + programClass + ") failed", e);
            }
            if (assignment.getOutputPartitions() > 0) {
                partitionedOutput(null);
                MapOutputFile out = buffer.finish();
                task.bytesOut = out.totalLength();
                task.partitionBytes = MapTaskRunner.partitionBytes(out);
                task.spills = buffer.spillCount();
                task.spilledBytes = buffer.bytesSpilled();
            } else if (outputFile != null) {
                outputFile.commit(task, gate);
            }
            task.progress = 1;
        } catch (Exception | Error e) {
            if (outputFile != null) outputFile.abort(e);
            throw e;
        } finally {
            close();
        }
    }

    private void close() throws IOException {
        IOException failure = null;
        for (RawRecordIterator in : opened) {
            try {
                in.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        if (lines != null) {
            task.inputLocalBytes = lines.localBytes();
            task.inputRemoteBytes = lines.remoteBytes();
            lines.close();
        }
        if (buffer != null) buffer.close();
        FileTrees.deleteRecursively(scratch);
        if (failure != null) throw failure;
    }

    // ---- StageContext --------------------------------------------------------------------------

    @Override
    public String stage() {
        return assignment.getStage();
    }

    @Override
    public int taskIndex() {
        return assignment.getTaskIndex();
    }

    @Override
    public byte[] program() {
        return assignment.getProgram().toByteArray();
    }

    @Override
    public ClassLoader classLoader() {
        return job.loader;
    }

    @Override
    public List<String> parents() {
        return assignment.getParentOutputsList().stream()
                .map(ParentOutputs::getStage)
                .toList();
    }

    @Override
    public LineInput lines() throws IOException {
        if (assignment.getSplitPath().isEmpty())
            throw new IllegalStateException("stage " + stage() + " reads no files");
        if (lines == null) {
            String path = assignment.getSplitPath();
            long start = assignment.getSplitStart();
            LineReader reader =
                    new LineReader(settings.fileSystems().forPath(path), path, start, assignment.getSplitLength());
            lines = reader;
            return new LineInput() {
                private long read;

                @Override
                public boolean next() throws IOException {
                    task.beforeLine(reader, read++);
                    return reader.next();
                }

                @Override
                public String line() {
                    return reader.line();
                }

                @Override
                public byte[] lineArray() {
                    return reader.lineArray();
                }

                @Override
                public int lineStart() {
                    return reader.lineStart();
                }

                @Override
                public int lineLength() {
                    return reader.lineLength();
                }

                @Override
                public long offset() {
                    return reader.offset();
                }

                @Override
                public String path() {
                    return path;
                }

                @Override
                public double progress() {
                    return reader.progress(start);
                }
            };
        }
        throw new IllegalStateException("the split's lines can be read once per task");
    }

    @Override
    public SortedInput parent(String parentStage) throws IOException {
        ParentOutputs outputs = null;
        for (ParentOutputs p : assignment.getParentOutputsList())
            if (p.getStage().equals(parentStage)) outputs = p;
        if (outputs == null)
            throw new IllegalArgumentException("stage " + stage() + " does not read stage " + parentStage);
        if (fetcher == null) fetcher = new ShuffleFetcher(channels, settings, task, scratch);
        List<ShuffleFetcher.Fetched> segments = new ArrayList<>();
        try {
            // A re-planned task reads a run of partitions (coalesced), or one partition of some of
            // the parent's map outputs (a piece of a skewed one); others read partition taskIndex().
            int from = outputs.getBroadcast() ? 0 : taskIndex();
            int to = from + 1;
            if (outputs.getPartitionEnd() > 0) {
                from = outputs.getPartitionStart();
                to = outputs.getPartitionEnd();
            }
            for (int p = from; p < to; p++) segments.addAll(fetcher.fetchAll(outputs.getOutputsList(), p));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            // A FetchFailure names the parent attempt the master must re-run: it crosses the
            // program wrapped in an IOException, which its signatures allow, and run() unwraps it.
            throw new FetchAbort(e);
        }
        task.shuffleBytes = fetcher.fetchedBytes();
        long records =
                segments.stream().mapToLong(ShuffleFetcher.Fetched::records).sum();
        List<RawRecordIterator> inputs = new ArrayList<>();
        for (ShuffleFetcher.Fetched f : segments) {
            RawRecordIterator in = f.open();
            inputs.add(in);
            opened.add(in);
        }
        RawRecordIterator merged = Merger.merge(inputs);
        opened.add(merged);
        return new GroupedInput(new GroupingIterator(merged), records);
    }

    @Override
    public PartitionedOutput partitionedOutput(ValueCombiner combiner) throws IOException {
        int partitions = assignment.getOutputPartitions();
        if (partitions == 0) throw new IllegalStateException("stage " + stage() + " writes the job's output");
        if (partitioned == null) {
            Path outDir = job.mapOutputDir();
            Files.createDirectories(outDir);
            MapOutputBuffer b = new MapOutputBuffer(
                    settings.sortBufferBytes(),
                    partitions,
                    combiner == null ? null : new RawAdapter(combiner),
                    outDir,
                    task.attemptId());
            buffer = b;
            partitioned = new PartitionedOutput() {
                private long records;

                @Override
                public int partitions() {
                    return partitions;
                }

                @Override
                public void add(int p, byte[] k, int kOff, int kLen, byte[] v, int vOff, int vLen) throws IOException {
                    if (p < 0 || p >= partitions)
                        throw new IllegalArgumentException("partition " + p + " of " + partitions);
                    b.collect(p, k, kOff, kLen, v, vOff, vLen);
                    records++;
                }

                @Override
                public long records() {
                    return records;
                }
            };
        }
        return partitioned;
    }

    @Override
    public OutputStream jobOutput(String fileName) throws IOException {
        if (assignment.getOutputPartitions() > 0)
            throw new IllegalStateException("stage " + stage() + " writes partitions for later stages");
        if (outputFile != null) throw new IllegalStateException("a task writes one file of the job's output");
        outputFile =
                AttemptOutputFile.start(settings.fileSystems(), assignment.getStagingDir(), task.attemptId(), fileName);
        return outputFile.create();
    }

    @Override
    public void progress(double fraction, long recordsIn, long recordsOut) {
        task.progress = Math.max(0, Math.min(1, fraction));
        task.recordsIn = recordsIn;
        task.recordsOut = recordsOut;
    }

    @Override
    public void checkCancelled() throws InterruptedException {
        task.checkCancelled();
    }

    @Override
    public String jobId() {
        return task.jobId();
    }

    @Override
    public String taskId() {
        return task.taskId();
    }

    @Override
    public int attempt() {
        return task.attempt();
    }

    @Override
    public String owner() {
        return task.owner();
    }

    @Override
    public Map<String, String> params() {
        return task.params();
    }

    @Override
    public Optional<TaskInput> input() {
        return task.input();
    }

    @Override
    public Counter counter(String group, String name) {
        return task.counter(group, name);
    }

    /** The fetch failure that {@code e} carries, however the program wrapped it; null if none. */
    private static FetchFailure fetchFailureIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FetchFailure f) return f;
        }
        return null;
    }

    /** A fetch that failed inside the program; run() finds the {@link FetchFailure} it carries. */
    static final class FetchAbort extends IOException {
        FetchAbort(Exception cause) {
            super(cause.getMessage(), cause);
        }
    }

    private static final class GroupedInput implements SortedInput {
        private final GroupingIterator groups;
        private final long records;

        GroupedInput(GroupingIterator groups, long records) {
            this.groups = groups;
            this.records = records;
        }

        @Override
        public boolean nextKey() throws IOException {
            return groups.nextKey();
        }

        @Override
        public byte[] keyArray() {
            return groups.keyArray();
        }

        @Override
        public int keyOffset() {
            return groups.keyOffset();
        }

        @Override
        public int keyLength() {
            return groups.keyLength();
        }

        @Override
        public boolean nextValue() throws IOException {
            if (!groups.hasNextValue()) return false;
            groups.nextValue();
            return true;
        }

        @Override
        public byte[] valueArray() {
            return groups.valueArray();
        }

        @Override
        public int valueOffset() {
            return groups.valueOffset();
        }

        @Override
        public int valueLength() {
            return groups.valueLength();
        }

        @Override
        public long records() {
            return records;
        }
    }

    private static final class RawAdapter implements RawCombiner {
        private final ValueCombiner combiner;

        RawAdapter(ValueCombiner combiner) {
            this.combiner = combiner;
        }

        @Override
        public void start(byte[] buf, int off, int len) throws Exception {
            combiner.start(buf, off, len);
        }

        @Override
        public void add(byte[] buf, int off, int len) throws Exception {
            combiner.add(buf, off, len);
        }

        @Override
        public void finish(BytesOut out) throws Exception {
            combiner.finish(out);
        }
    }
}
