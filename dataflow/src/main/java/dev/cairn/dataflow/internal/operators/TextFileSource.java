package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.dataflow.internal.graph.OperatorFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Lines of a file or of the regular files under a directory. Every subtask lists the files the
 * same way (sorted by path) and cuts them into the same splits, byte ranges of about
 * {@code totalBytes / parallelism} (at least 64 KiB); split j is read by subtask
 * {@code j % parallelism}. A line belongs to the split that holds its first byte.
 *
 * <p>Checkpointed: its state is the index (among its own splits) of the split it reads and the
 * byte offset of the next line in it; a restored source reopens that split at that offset.
 */
public final class TextFileSource extends StreamOperator<String> implements SourceOperator, CheckpointedOperator {
    /**
     * Makes each subtask's reader.
     *
     * @param maxLinesPerSecond all subtasks together read at most this many lines a second; 0: no limit
     */
    public record Factory(String path, long maxLinesPerSecond) implements OperatorFactory {
        public Factory(String path) {
            this(path, 0);
        }

        @Override
        public String kind() {
            return "text file " + path;
        }

        @Override
        public StreamOperator<?> create() {
            return new TextFileSource(Path.of(path), maxLinesPerSecond);
        }
    }

    /** Bytes {@code [start, end)} of a file. */
    public record Split(Path file, long start, long end) {}

    private static final long MIN_SPLIT_BYTES = 64 * 1024;
    private static final int LINES_PER_CALL = 512;
    private final Path path;
    private List<Split> splits;
    private int nextSplit;
    private SplitLineReader reader;
    private int restoredSplit = -1;
    private long restoredOffset = -1;

    private final long maxLinesPerSecond;
    private SourceRateLimit rateLimit;

    TextFileSource(Path path, long maxLinesPerSecond) {
        this.path = path;
        this.maxLinesPerSecond = maxLinesPerSecond;
    }

    /** The splits of {@code path} for {@code parallelism} readers, in order. */
    public static List<Split> splits(Path path, int parallelism) throws IOException {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> walk = Files.walk(path)) {
                walk.filter(Files::isRegularFile).sorted().forEach(files::add);
            }
        } else {
            files.add(path);
        }
        long total = 0;
        for (Path f : files) total += Files.size(f);
        long splitBytes = Math.max(MIN_SPLIT_BYTES, (total + parallelism - 1) / parallelism);
        List<Split> splits = new ArrayList<>();
        for (Path f : files) {
            long size = Files.size(f);
            for (long start = 0; start < size; start += splitBytes)
                splits.add(new Split(f, start, Math.min(size, start + splitBytes)));
        }
        return splits;
    }

    @Override
    public void open() throws IOException {
        rateLimit = new SourceRateLimit(maxLinesPerSecond, context, LINES_PER_CALL);
        List<Split> mine = new ArrayList<>();
        List<Split> all = splits(path, context.parallelism());
        for (int j = context.subtaskIndex(); j < all.size(); j += context.parallelism()) mine.add(all.get(j));
        splits = mine;
        if (restoredSplit >= 0) {
            nextSplit = restoredSplit;
            if (restoredOffset >= 0 && nextSplit < splits.size()) {
                Split s = splits.get(nextSplit++);
                reader = new SplitLineReader(new Split(s.file(), restoredOffset, s.end()));
            }
        }
    }

    @Override
    public void snapshotState(long checkpointId, BytesOut out) {
        if (reader == null) {
            out.writeInt(nextSplit);
            out.writeLong(-1);
        } else {
            out.writeInt(nextSplit - 1);
            out.writeLong(reader.position());
        }
    }

    @Override
    public void restoreState(BytesIn in) {
        restoredSplit = in.readInt();
        restoredOffset = in.readLong();
    }

    @Override
    public boolean emitNext() {
        try {
            int lines = rateLimit.allowance();
            for (int n = 0; n < lines; n++) {
                if (reader == null) {
                    if (nextSplit == splits.size()) return false;
                    reader = new SplitLineReader(splits.get(nextSplit++));
                }
                String line = reader.readLine();
                if (line == null) {
                    reader.close();
                    reader = null;
                } else {
                    rateLimit.emitted(1);
                    output.emit(line, Output.NO_TIMESTAMP);
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
