package dev.cairn.dataflow.internal.batch;

import dev.cairn.batch.stage.StageContext;
import dev.cairn.dataflow.internal.operators.OneInputOperator;
import dev.cairn.dataflow.internal.operators.StreamOperator;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * A program's text file sink in batch mode: each record's {@code toString()} as a line (UTF-8)
 * of the task's file of the job's output, {@code part-NNNNN} by task index, which appears only if
 * the task's attempt commits: the directory shows every record once, or, until the job commits,
 * nothing.
 */
final class JobOutputSink<T> extends StreamOperator<Void> implements OneInputOperator<T> {
    private final StageContext stage;
    private Writer out;
    private long written;

    JobOutputSink(StageContext stage) {
        this.stage = stage;
    }

    @Override
    public void open() throws Exception {
        out = new BufferedWriter(
                new OutputStreamWriter(
                        stage.jobOutput(String.format("part-%05d", stage.taskIndex())), StandardCharsets.UTF_8),
                1 << 16);
    }

    @Override
    public void processElement(T value, long timestamp) throws Exception {
        out.write(String.valueOf(value));
        out.write('\n');
        written++;
    }

    /** Lines written so far. */
    long written() {
        return written;
    }

    @Override
    public void processWatermark(long watermark) {}

    @Override
    public void finish() throws Exception {
        out.flush();
    }

    @Override
    public void close() throws Exception {
        if (out != null) out.close();
    }
}
