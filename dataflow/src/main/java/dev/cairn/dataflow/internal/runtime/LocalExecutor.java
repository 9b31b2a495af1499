package dev.cairn.dataflow.internal.runtime;

import dev.cairn.dataflow.CheckpointSettings;
import dev.cairn.dataflow.DataflowException;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.ExecutionResult;
import dev.cairn.dataflow.internal.checkpoint.CheckpointStorage;
import dev.cairn.dataflow.internal.checkpoint.LocalDirectoryCheckpointStorage;
import dev.cairn.dataflow.internal.graph.LogicalGraph;
import dev.cairn.dataflow.internal.graph.ProgramPaths;
import dev.cairn.dataflow.internal.operators.OperatorFailure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a {@link LogicalGraph} in this JVM: one thread per subtask of each chain.
 *
 * <p>Setup, on the caller's thread: operators whose input edge {@link LogicalGraph#isChained is
 * chained} join their producer's chain; every other operator heads a chain and gets one
 * {@link InputGate} per subtask, with one channel per (input edge, producer subtask). Each
 * producer subtask of a non-chained edge gets an {@link ExchangeWriter} onto the consumers'
 * channels. {@link Exchanges} makes the gates and channel writers: in this JVM by default, or
 * over TCP.
 * Then every subtask runs as a {@link SubtaskTask} on its own thread, and the caller waits for
 * them all. The first failure interrupts every other subtask and is rethrown, naming its operator.
 */
public final class LocalExecutor {
    private final DataflowOptions options;
    private final Exchanges exchanges;
    private final boolean local;

    /** An executor whose exchanges all stay in this JVM. */
    public LocalExecutor(DataflowOptions options) {
        this(options, new LocalExchanges(options.exchangeCapacityBatches()), true);
    }

    /** An executor whose exchanges {@code exchanges} makes, e.g. over the network; for one execution. */
    public LocalExecutor(DataflowOptions options, Exchanges exchanges) {
        this(options, exchanges, false);
    }

    private LocalExecutor(DataflowOptions options, Exchanges exchanges, boolean local) {
        this.options = options;
        this.exchanges = exchanges;
        this.local = local;
    }

    /**
     * Runs the graph to its end. With checkpoints on, a failure cancels every subtask and the job
     * runs again from the latest complete checkpoint — fresh operators restored from it, sources
     * rewound to its offsets, in-flight data of the failed run gone with its exchanges — up to
     * the restart limit; then it fails with the last failure as the cause.
     */
    public ExecutionResult execute(LogicalGraph graph) {
        ProgramPaths.requireInputs(graph, options.fileSystems());
        CheckpointSettings settings = options.checkpoints();
        if (settings == null) return run(graph, exchanges, null);
        CheckpointStorage storage;
        try {
            storage = new LocalDirectoryCheckpointStorage(settings.directory());
            if (!storage.completed().isEmpty()) {
                throw new DataflowException(
                        "checkpoint directory " + settings.directory() + " already holds checkpoints "
                                + storage.completed() + ": give each job a directory of its own",
                        null,
                        null);
            }
        } catch (IOException e) {
            throw new DataflowException("cannot use checkpoint directory " + settings.directory() + ": " + e, null, e);
        }
        int restarts = 0;
        while (true) {
            long latest;
            try {
                List<Long> complete = storage.completed();
                latest = complete.isEmpty() ? 0 : complete.get(complete.size() - 1);
                storage.discard(latest + 1); // what a failed run left of the checkpoint it did not complete
            } catch (IOException e) {
                throw new DataflowException(
                        "cannot read checkpoint directory " + settings.directory() + ": " + e, null, e);
            }
            Exchanges runExchanges =
                    restarts == 0 || !local ? exchanges : new LocalExchanges(options.exchangeCapacityBatches());
            CheckpointRun run = new CheckpointRun(settings, storage, options.clock(), latest);
            try {
                return run(graph, runExchanges, run);
            } catch (DataflowException e) {
                if (restarts >= settings.restartAttempts() || !local) {
                    throw new DataflowException(
                            e.getMessage() + " (after " + restarts + " restarts from checkpoints)",
                            e.operatorName(),
                            e.getCause());
                }
                restarts++;
            }
        }
    }

    private ExecutionResult run(LogicalGraph graph, Exchanges exchanges, CheckpointRun checkpoints) {
        long started = options.clock().nanos();
        AtomicReference<DataflowException> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        SubtaskLauncher.Failures listener = (taskId, taskName, operator, t) -> {
            Throwable cause = t instanceof OperatorFailure f ? f.getCause() : t;
            DataflowException ex = new DataflowException(
                    "dataflow failed: operator '" + operator + "' in subtask " + taskName + OperatorFailure.location(t)
                            + " threw " + cause,
                    operator,
                    cause);
            if (failure.compareAndSet(null, ex)) {
                synchronized (threads) {
                    for (Thread th : threads) if (th != Thread.currentThread()) th.interrupt();
                }
            }
        };
        if (checkpoints != null)
            checkpoints.onFailure(t -> listener.failed("", "checkpoint writer", "checkpoint writer", t));
        SubtaskLauncher.Launch launch = SubtaskLauncher.launch(
                graph,
                options.clock(),
                options.batchSize(),
                options.watermarkIntervalRecords(),
                exchanges,
                SubtaskLauncher.Placement.ALL,
                checkpoints == null ? null : checkpoints::subtask,
                listener,
                checkpoints == null ? null : checkpoints.storage(),
                options.fileSystems(),
                null);
        synchronized (threads) {
            for (SubtaskLauncher.Launched l : launch.subtasks()) threads.add(l.thread());
            if (checkpoints != null) checkpoints.start();
            for (Thread t : threads) t.start();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                synchronized (threads) {
                    for (Thread th : threads) th.interrupt();
                }
                Thread.currentThread().interrupt();
                throw new DataflowException("interrupted while waiting for the dataflow; cancelled it", null, e);
            }
        }
        if (checkpoints != null) {
            try {
                checkpoints.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DataflowException("interrupted while stopping checkpoints", null, e);
            }
        }
        DataflowException failed = failure.get();
        if (failed != null) throw new DataflowException(failed.getMessage(), failed.operatorName(), failed.getCause());
        return new ExecutionResult(options.clock().nanos() - started, launch.peakQueuedRecords());
    }
}
