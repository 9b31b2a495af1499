package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.fs.FileEntry;
import dev.cairn.common.fs.FileSystem;
import dev.cairn.dataflow.internal.graph.OperatorFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;

/**
 * Lines of a file or of the regular files under a directory, of any {@link FileSystem} (the
 * subtask's {@link OperatorContext#fileSystems} picks it by the path's scheme, so
 * {@code cairn:///dir/events.csv} reads from the store). Every subtask lists the files the
 * same way (sorted by path) and cuts them into the same splits, byte ranges of about
 * {@code totalBytes / parallelism} (at least 64 KiB); split j is read by subtask
 * {@code j % parallelism}. A line belongs to the split that holds its first byte.
 *
 * <p>Checkpointed: its state is the byte ranges it has still to read, in order — the rest of the
 * split it reads (from the offset of its next line) and the splits it has not started — with the
 * subtask index and parallelism it ran at. A restored subtask reads its own snapshot's ranges.
 * After a change of parallelism (a savepoint resumed at another one) every new subtask gets every
 * old subtask's snapshot and reads range k of their union (sorted by file and start) if
 * {@code k % parallelism} is its index: each line not yet emitted is read exactly once, and each
 * subtask still reads its lines in file order. A range that starts at a line's first byte (the
 * rest of a split) is read by the same rule as a split: lines whose first byte lies in it.
 */
public final class TextFileSource extends StreamOperator<Object> implements SourceOperator, CheckpointedOperator {
    /**
     * Makes each subtask's reader.
     *
     * @param maxLinesPerSecond all subtasks together read at most this many lines a second; 0: no limit
     * @param utf8 lines are emitted as {@link dev.cairn.dataflow.Utf8} bytes, not as Strings
     */
    public record Factory(String path, long maxLinesPerSecond, boolean utf8) implements OperatorFactory {
        public Factory(String path) {
            this(path, 0, false);
        }

        public Factory(String path, long maxLinesPerSecond) {
            this(path, maxLinesPerSecond, false);
        }

        @Override
        public String kind() {
            return "text file " + path;
        }

        @Override
        public StreamOperator<?> create() {
            return new TextFileSource(path, maxLinesPerSecond, utf8);
        }

        @Override
        public List<String> inputPaths() {
            return List.of(path);
        }
    }

    /** Bytes {@code [start, end)} of a file, named by its canonical path. */
    public record Split(String file, long start, long end) {}

    private static final long MIN_SPLIT_BYTES = 64 * 1024;
    private static final int LINES_PER_CALL = 512;
    private final String path;
    private FileSystem fs;
    private List<Split> splits;
    private int nextSplit;
    private SplitLineReader reader;
    private Split current;
    /** Per snapshot restored: its subtask index and parallelism, then its ranges. */
    private final List<Restored> restored = new ArrayList<>();

    private record Restored(int subtaskIndex, int parallelism, List<Split> ranges) {}

    private final long maxLinesPerSecond;
    private final boolean utf8;
    private SourceRateLimit rateLimit;

    TextFileSource(String path, long maxLinesPerSecond, boolean utf8) {
        this.path = path;
        this.maxLinesPerSecond = maxLinesPerSecond;
        this.utf8 = utf8;
    }

    /**
     * The splits of {@code path} (a file, or the files under a directory, sorted by path) for
     * {@code parallelism} readers, in order.
     *
     * @throws NoSuchFileException naming {@code path} if it does not exist
     */
    public static List<Split> splits(FileSystem fs, String path, int parallelism) throws IOException {
        List<FileEntry> files;
        try {
            files = fs.listFiles(path);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path, null, "input file or directory not found");
        }
        long total = 0;
        for (FileEntry f : files) total += f.length();
        long splitBytes = Math.max(MIN_SPLIT_BYTES, (total + parallelism - 1) / parallelism);
        List<Split> splits = new ArrayList<>();
        for (FileEntry f : files) {
            for (long start = 0; start < f.length(); start += splitBytes)
                splits.add(new Split(f.path(), start, Math.min(f.length(), start + splitBytes)));
        }
        return splits;
    }

    @Override
    public void open() throws IOException {
        rateLimit = new SourceRateLimit(maxLinesPerSecond, context, LINES_PER_CALL);
        fs = context.fileSystems().forPath(path);
        if (restored.isEmpty()) {
            List<Split> mine = new ArrayList<>();
            List<Split> all = splits(fs, path, context.parallelism());
            for (int j = context.subtaskIndex(); j < all.size(); j += context.parallelism()) mine.add(all.get(j));
            splits = mine;
        } else {
            splits = restoredRanges();
            restored.clear();
        }
        nextSplit = 0;
    }

    /** The ranges this subtask reads after a restore; see the class comment. */
    private List<Split> restoredRanges() {
        Restored first = restored.get(0);
        if (restored.size() == 1
                && first.subtaskIndex() == context.subtaskIndex()
                && first.parallelism() == context.parallelism()) return first.ranges();
        int oldParallelism = first.parallelism();
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        List<Split> union = new ArrayList<>();
        for (Restored r : restored) {
            if (r.parallelism() != oldParallelism || !seen.add(r.subtaskIndex())) {
                throw new IllegalStateException("source " + name() + " restored inconsistent snapshots");
            }
            union.addAll(r.ranges());
        }
        if (seen.size() != oldParallelism) {
            throw new IllegalStateException("source " + name() + " at another parallelism needs the snapshots of all "
                    + oldParallelism + " old subtasks, got " + seen.size());
        }
        union.sort(java.util.Comparator.comparing(Split::file).thenComparingLong(Split::start));
        List<Split> mine = new ArrayList<>();
        for (int k = context.subtaskIndex(); k < union.size(); k += context.parallelism()) mine.add(union.get(k));
        return mine;
    }

    @Override
    public void snapshotState(long checkpointId, BytesOut out) {
        List<Split> left = new ArrayList<>();
        if (reader != null && reader.position() < current.end())
            left.add(new Split(current.file(), reader.position(), current.end()));
        left.addAll(splits.subList(nextSplit, splits.size()));
        out.writeInt(context.subtaskIndex());
        out.writeInt(context.parallelism());
        out.writeInt(left.size());
        for (Split sp : left) {
            byte[] file = sp.file().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeInt(file.length);
            out.write(file);
            out.writeLong(sp.start());
            out.writeLong(sp.end());
        }
    }

    /** May be called once per old subtask after a change of parallelism: see the class comment. */
    @Override
    public void restoreState(BytesIn in) {
        int index = in.readInt();
        int parallelism = in.readInt();
        int n = in.readInt();
        List<Split> ranges = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int length = in.readInt();
            in.require(length);
            String file = new String(in.array(), in.position(), length, java.nio.charset.StandardCharsets.UTF_8);
            in.position(in.position() + length);
            ranges.add(new Split(file, in.readLong(), in.readLong()));
        }
        restored.add(new Restored(index, parallelism, ranges));
    }

    @Override
    public boolean emitNext() {
        try {
            int lines = rateLimit.allowance();
            for (int n = 0; n < lines; n++) {
                if (reader == null) {
                    if (nextSplit == splits.size()) return false;
                    current = splits.get(nextSplit++);
                    reader = new SplitLineReader(fs, current);
                }
                long offset = reader.position();
                Object line = utf8 ? reader.readLineUtf8() : reader.readLine();
                if (line == null) {
                    reader.close();
                    reader = null;
                } else {
                    rateLimit.emitted(1);
                    try {
                        output.emit(line, Output.NO_TIMESTAMP);
                    } catch (OperatorFailure e) {
                        // A chained operator failed on this line: say where it is, so the user can find it.
                        throw e.on("the line at byte offset " + offset + " of " + current.file());
                    }
                }
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path, e);
        }
    }

    @Override
    public void close() throws IOException {
        if (reader != null) reader.close();
    }
}
