package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.dataflow.internal.graph.OperatorFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The lines appended to the regular files of a directory, as they come: an unbounded source, the
 * log-aggregation case ({@code tail -F} over a directory). Every {@code pollMillis} of the
 * injected clock a subtask lists the directory and reads, from each of its files (a file belongs
 * to subtask {@code hash(name) mod parallelism}), the complete lines ('\n'-terminated) after the
 * offset it reached; a partial last line waits for its end. A file that shrank was replaced: it
 * is read again from its start. Names starting with '.' or '_' are skipped.
 *
 * <p>A file named {@value #END_MARKER} in the directory ends the stream: each subtask reads what
 * its files hold at that moment and ends (so a test, or a day's last batch, can finish).
 *
 * <p>Checkpointed: its state is the offset reached in each of its files.
 */
public final class DirectoryWatchSource extends StreamOperator<String> implements SourceOperator, CheckpointedOperator {
    /** A file whose presence ends the stream. */
    public static final String END_MARKER = "_DONE";

    private static final int LINES_PER_CALL = 512;
    private static final int READ_BYTES = 64 << 10;

    /** Makes each subtask's watcher. */
    public record Factory(String directory, long pollMillis) implements OperatorFactory {
        @Override
        public String kind() {
            return "watched directory " + directory;
        }

        @Override
        public StreamOperator<?> create() {
            return new DirectoryWatchSource(Path.of(directory), pollMillis);
        }
    }

    private final Path directory;
    private final long pollMillis;
    /** Per file name of this subtask, the offset after the complete lines read. */
    private final Map<String, Long> offsets = new TreeMap<>();
    /** Per file name, the offset after the last line emitted: what a checkpoint covers. */
    private final Map<String, Long> emitted = new TreeMap<>();

    private final ArrayDeque<Line> ready = new ArrayDeque<>();

    private record Line(String file, String text, long end) {}

    private long lastPollMillis = Long.MIN_VALUE;
    private boolean ending;

    DirectoryWatchSource(Path directory, long pollMillis) {
        this.directory = directory;
        this.pollMillis = pollMillis;
    }

    @Override
    public boolean emitNext() {
        if (ready.isEmpty()) {
            if (ending) return false;
            long now = context.clock().millis();
            if (lastPollMillis != Long.MIN_VALUE && now - lastPollMillis < pollMillis) {
                // Nothing to emit until the next poll: wait a little rather than spin (liveness only).
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.min(pollMillis, 5)));
                return true;
            }
            lastPollMillis = now;
            try {
                poll();
            } catch (IOException e) {
                throw new UncheckedIOException("watching " + directory + ": " + e.getMessage(), e);
            }
        }
        for (int n = 0; n < LINES_PER_CALL && !ready.isEmpty(); n++) {
            Line line = ready.poll();
            emitted.put(line.file(), line.end());
            output.emit(line.text(), Output.NO_TIMESTAMP);
        }
        return true;
    }

    /** Lists the directory and queues the new complete lines of this subtask's files. */
    private void poll() throws IOException {
        boolean endSeen = Files.exists(directory.resolve(END_MARKER));
        List<Path> files;
        try (Stream<Path> list = Files.list(directory)) {
            files = list.filter(Files::isRegularFile)
                    .filter(p -> mine(p.getFileName().toString()))
                    .sorted()
                    .toList();
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(directory.toString(), null, "the watched directory does not exist");
        }
        for (Path file : files) readNew(file);
        // The marker was there before this listing: everything written before it has been read.
        if (endSeen) ending = true;
    }

    private boolean mine(String name) {
        if (name.startsWith(".") || name.startsWith("_")) return false;
        return Math.floorMod(name.hashCode(), context.parallelism()) == context.subtaskIndex();
    }

    private void readNew(Path file) throws IOException {
        String name = file.getFileName().toString();
        long offset = offsets.getOrDefault(name, 0L);
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            return; // removed meanwhile
        }
        if (size < offset) {
            offset = 0; // replaced by a shorter file: a new one
            emitted.put(name, 0L);
        }
        if (size == offset) return;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(READ_BYTES, size - offset));
            byte[] pending = new byte[0];
            long position = offset;
            long consumed = offset;
            while (position < size) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), size - position));
                int n = ch.read(buf, position);
                if (n <= 0) break;
                position += n;
                byte[] chunk = new byte[pending.length + n];
                System.arraycopy(pending, 0, chunk, 0, pending.length);
                System.arraycopy(buf.array(), 0, chunk, pending.length, n);
                int start = 0;
                for (int i = 0; i < chunk.length; i++) {
                    if (chunk[i] != '\n') continue;
                    int end = i > start && chunk[i - 1] == '\r' ? i - 1 : i;
                    consumed += i + 1 - start;
                    ready.add(new Line(name, new String(chunk, start, end - start, StandardCharsets.UTF_8), consumed));
                    start = i + 1;
                }
                pending = java.util.Arrays.copyOfRange(chunk, start, chunk.length);
            }
            offsets.put(name, consumed);
        } catch (NoSuchFileException e) {
            // removed meanwhile
        }
    }

    @Override
    public void snapshotState(long checkpointId, BytesOut out) {
        out.writeInt(emitted.size());
        for (Map.Entry<String, Long> e : emitted.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            out.writeInt(name.length);
            out.write(name);
            out.writeLong(e.getValue());
        }
    }

    @Override
    public void restoreState(BytesIn in) {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            int length = in.readInt();
            in.require(length);
            String name = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
            in.position(in.position() + length);
            long offset = in.readLong();
            offsets.put(name, offset);
            emitted.put(name, offset);
        }
    }
}
