package dev.cairn.dataflow.internal.operators;

import dev.cairn.dataflow.functions.SinkFunction;
import dev.cairn.dataflow.internal.graph.OperatorFactory;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hands each record to a sink function; the end of every dataflow branch. */
public final class SinkOperator<T> extends StreamOperator<Void> implements OneInputOperator<T> {
    public record Factory<T>(SinkFunction<T> sink) implements OperatorFactory {
        @Override
        public String kind() {
            return "sink";
        }

        @Override
        public StreamOperator<?> create() {
            return new SinkOperator<>(FunctionCopies.copy(sink));
        }
    }

    /** Standard output, one line per record, prefixed by {@code subtask> } when parallel. */
    public record PrintFactory<T>() implements OperatorFactory {
        @Override
        public String kind() {
            return "print";
        }

        @Override
        public StreamOperator<?> create() {
            return new SinkOperator<T>(new PrintSink<>());
        }
    }

    /** Part files {@code part-<subtask>} in a new directory, one line per record. */
    public record TextFileFactory<T>(String directory) implements OperatorFactory {
        @Override
        public String kind() {
            return "text files in " + directory;
        }

        @Override
        public StreamOperator<?> create() {
            return new SinkOperator<T>(new TextFileSink<>(Path.of(directory)));
        }
    }

    private final SinkFunction<T> sink;

    SinkOperator(SinkFunction<T> sink) {
        this.sink = sink;
    }

    @Override
    public void open() throws Exception {
        if (sink instanceof SubtaskAware aware) aware.open(context.subtaskIndex(), context.parallelism());
    }

    @Override
    public void processElement(T value, long timestamp) throws Exception {
        sink.invoke(value, timestamp);
    }

    @Override
    public void processWatermark(long watermark) {
        currentWatermark = watermark;
    }

    @Override
    public void processIdleness(boolean idle) {}

    @Override
    public void finish() throws Exception {
        sink.finish();
    }

    @Override
    public void close() throws Exception {
        if (sink instanceof AutoCloseable closeable) closeable.close();
    }

    /** A built-in sink that needs to know its subtask before the first record. */
    interface SubtaskAware {
        void open(int subtaskIndex, int parallelism) throws IOException;
    }

    static final class PrintSink<T> implements SinkFunction<T>, SubtaskAware {
        private static final long serialVersionUID = 1L;
        private transient PrintStream out;
        private String prefix = "";

        @Override
        public void open(int subtaskIndex, int parallelism) {
            out = System.out;
            prefix = parallelism > 1 ? (subtaskIndex + 1) + "> " : "";
        }

        @Override
        public void invoke(T value, long timestamp) {
            out.println(prefix + value);
        }
    }

    static final class TextFileSink<T> implements SinkFunction<T>, SubtaskAware, AutoCloseable {
        private static final long serialVersionUID = 1L;
        private final String directory;
        private transient BufferedWriter writer;

        TextFileSink(Path directory) {
            this.directory = directory.toString();
        }

        @Override
        public void open(int subtaskIndex, int parallelism) throws IOException {
            Path dir = Path.of(directory);
            // Subtasks race to create the directory; createDirectories tolerates the loser.
            Files.createDirectories(dir);
            Path part = dir.resolve("part-" + subtaskIndex);
            writer = Files.newBufferedWriter(Files.createFile(part), StandardCharsets.UTF_8);
        }

        @Override
        public void invoke(T value, long timestamp) throws IOException {
            writer.write(value.toString());
            writer.write('\n');
        }

        @Override
        public void finish() throws IOException {
            writer.flush();
        }

        @Override
        public void close() throws IOException {
            if (writer != null) writer.close();
        }
    }
}
