package dev.cairn.dataflow.internal.batch;

import dev.cairn.batch.JobState;
import dev.cairn.batch.JobStatus;
import dev.cairn.batch.LocalJobRunner;
import dev.cairn.common.io.FileTrees;
import dev.cairn.common.time.Clock;
import dev.cairn.dataflow.DataflowException;
import dev.cairn.dataflow.internal.graph.LogicalGraph;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs a program in batch mode in this JVM, on a real batch master and worker on loopback
 * ({@link LocalJobRunner}). Each task has one attempt: the in-memory collect sink is not
 * idempotent, and a test wants the first failure anyway.
 */
public final class LocalBatchExecution {
    private LocalBatchExecution() {}

    /**
     * Plans and runs {@code graph}; returns the elapsed time by {@code clock}.
     *
     * @throws DataflowException with the failed task's cause
     */
    public static long run(LogicalGraph graph, int slots, Clock clock) {
        Path scratch;
        try {
            scratch = Files.createTempDirectory("cairn-batch-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long start = clock.nanos();
        try (LocalJobRunner runner = LocalJobRunner.start(Math.max(1, slots))) {
            BatchPlanner.Plan plan = BatchPlanner.plan(
                    graph, "dataflow", scratch.resolve("output").toString(), 0, 1);
            JobStatus done = runner.run(plan.job(), BatchStageProgram.class);
            if (done.state() != JobState.SUCCEEDED)
                throw new DataflowException("batch execution " + done.state() + ": " + done.error(), null, null);
            return clock.nanos() - start;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataflowException("interrupted", null, e);
        } finally {
            try {
                FileTrees.deleteRecursively(scratch);
            } catch (IOException e) {
                // A temporary directory; the OS cleans it eventually.
            }
        }
    }
}
