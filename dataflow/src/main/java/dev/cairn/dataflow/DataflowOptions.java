package dev.cairn.dataflow;

import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.time.Clock;
import java.util.Objects;

/**
 * Settings of a {@link Dataflow} and its execution. Immutable; change with the {@code with}
 * methods, starting from {@link #defaults()}.
 *
 * @param parallelism subtasks per operator unless the operator sets its own (default 1)
 * @param maxParallelism key groups: the upper bound of any keyed operator's parallelism, fixed for
 *     the life of a program's state (default 128)
 * @param batchSize records per buffer of an exchange between subtasks (default 512)
 * @param exchangeCapacityBatches buffers each consuming subtask queues before its producers block
 *     (default 8). So at most {@code exchangeCapacityBatches * batchSize} records wait per consuming
 *     subtask, plus one partly filled buffer per producer and channel.
 * @param watermarkIntervalRecords a watermark generator emits after this many records (default 1024)
 * @param clock processing time: processing-time timers and idleness (default the system clock)
 * @param checkpoints checkpoints and restarts, or null for none (the default): a failure fails the job
 * @param maxSourceRate file and Nexmark sources emit at most this many records a second in all; 0 (the default): no cap
 * @param savepoint a savepoint directory the program resumes from on a cluster, or null (the default).
 *     The exactly-once file sink then accepts an output directory that exists (the resumed job's own).
 * @param stateBackend where keyed state lives (default {@link StateBackendKind#HEAP};
 *     {@link DataflowConfig#STATE_BACKEND})
 * @param fileSystems the file systems an in-JVM run ({@link Dataflow#execute()}) reads and writes
 *     through, and that an output directory is checked on while the program is built (default
 *     local files only: a path with another scheme is then checked by the master it is submitted to)
 */
public record DataflowOptions(
        int parallelism,
        int maxParallelism,
        int batchSize,
        int exchangeCapacityBatches,
        int watermarkIntervalRecords,
        Clock clock,
        CheckpointSettings checkpoints,
        long maxSourceRate,
        String savepoint,
        StateBackendKind stateBackend,
        FileSystemRegistry fileSystems) {
    public DataflowOptions {
        Objects.requireNonNull(stateBackend, "stateBackend");
        Objects.requireNonNull(fileSystems, "fileSystems");
        if (maxSourceRate < 0) throw new IllegalArgumentException("max source rate must be >= 0: " + maxSourceRate);
        if (parallelism < 1) throw new IllegalArgumentException("parallelism must be at least 1: " + parallelism);
        if (maxParallelism < parallelism)
            throw new IllegalArgumentException(
                    "max parallelism " + maxParallelism + " below parallelism " + parallelism);
        if (batchSize < 1 || exchangeCapacityBatches < 1 || watermarkIntervalRecords < 1) {
            throw new IllegalArgumentException("batch size, exchange capacity and watermark interval must be positive");
        }
        Objects.requireNonNull(clock, "clock");
    }

    public static DataflowOptions defaults() {
        return new DataflowOptions(
                1, 128, 512, 8, 1024, Clock.system(), null, 0, null, StateBackendKind.HEAP, FileSystemRegistry.local());
    }

    public DataflowOptions withParallelism(int parallelism) {
        return new DataflowOptions(
                parallelism,
                maxParallelism,
                batchSize,
                exchangeCapacityBatches,
                watermarkIntervalRecords,
                clock,
                checkpoints,
                maxSourceRate,
                savepoint,
                stateBackend,
                fileSystems);
    }

    public DataflowOptions withMaxParallelism(int maxParallelism) {
        return new DataflowOptions(
                parallelism,
                maxParallelism,
                batchSize,
                exchangeCapacityBatches,
                watermarkIntervalRecords,
                clock,
                checkpoints,
                maxSourceRate,
                savepoint,
                stateBackend,
                fileSystems);
    }

    public DataflowOptions withExchangeBuffers(int batchSize, int exchangeCapacityBatches) {
        return new DataflowOptions(
                parallelism,
                maxParallelism,
                batchSize,
                exchangeCapacityBatches,
                watermarkIntervalRecords,
                clock,
                checkpoints,
                maxSourceRate,
                savepoint,
                stateBackend,
                fileSystems);
    }

    public DataflowOptions withWatermarkIntervalRecords(int records) {
        return new DataflowOptions(
                parallelism,
                maxParallelism,
                batchSize,
                exchangeCapacityBatches,
                records,
                clock,
                checkpoints,
                maxSourceRate,
                savepoint,
                stateBackend,
                fileSystems);
    }

    public DataflowOptions withClock(Clock clock) {
        return new DataflowOptions(
                parallelism,
                maxParallelism,
                batchSize,
                exchangeCapacityBatches,
                watermarkIntervalRecords,
                clock,
                checkpoints,
                maxSourceRate,
                savepoint,
                stateBackend,
                fileSystems);
    }

    public DataflowOptions withCheckpoints(CheckpointSettings checkpoints) {
        return new DataflowOptions(
                parallelism,
                maxParallelism,
                batchSize,
                exchangeCapacityBatches,
                watermarkIntervalRecords,
                clock,
                checkpoints,
                maxSourceRate,
                savepoint,
                stateBackend,
                fileSystems);
    }

    /**
     * Caps the file sources of the program at {@code recordsPerSecond} records a second in all
     * (shared by their subtasks), for demos and tests that need a job to run for a while; 0: no cap.
     */
    public DataflowOptions withMaxSourceRate(long recordsPerSecond) {
        return new DataflowOptions(
                parallelism,
                maxParallelism,
                batchSize,
                exchangeCapacityBatches,
                watermarkIntervalRecords,
                clock,
                checkpoints,
                recordsPerSecond,
                savepoint,
                stateBackend,
                fileSystems);
    }

    /**
     * Resumes the program from savepoint directory {@code path} when it is submitted to a cluster
     * ({@link StreamClient#submit}): its first run restores the savepoint's state, at this
     * program's parallelism.
     */
    public DataflowOptions withSavepoint(String path) {
        return new DataflowOptions(
                parallelism,
                maxParallelism,
                batchSize,
                exchangeCapacityBatches,
                watermarkIntervalRecords,
                clock,
                checkpoints,
                maxSourceRate,
                path,
                stateBackend,
                fileSystems);
    }

    /**
     * Keeps keyed state in {@code backend}: {@link StateBackendKind#ROCKSDB} for keyed state larger
     * than the heap, with incremental checkpoints.
     */
    public DataflowOptions withStateBackend(StateBackendKind backend) {
        return new DataflowOptions(
                parallelism,
                maxParallelism,
                batchSize,
                exchangeCapacityBatches,
                watermarkIntervalRecords,
                clock,
                checkpoints,
                maxSourceRate,
                savepoint,
                backend,
                fileSystems);
    }

    /**
     * Reads and writes the files of in-JVM runs through {@code registry}, e.g. one that also
     * serves {@code cairn://} paths.
     */
    public DataflowOptions withFileSystems(FileSystemRegistry registry) {
        return new DataflowOptions(
                parallelism,
                maxParallelism,
                batchSize,
                exchangeCapacityBatches,
                watermarkIntervalRecords,
                clock,
                checkpoints,
                maxSourceRate,
                savepoint,
                stateBackend,
                registry);
    }
}
