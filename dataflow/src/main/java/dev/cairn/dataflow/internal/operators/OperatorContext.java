package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.time.Clock;
import dev.cairn.dataflow.StateBackendKind;
import dev.cairn.dataflow.internal.checkpoint.CheckpointStorage;
import dev.cairn.dataflow.internal.runtime.KeyGroupRange;

/**
 * What the runtime tells an operator instance about where it runs.
 *
 * @param keyGroups the key groups this subtask owns (keyed operators only read them)
 * @param clock processing time
 * @param watermarkIntervalRecords how often a watermark generator emits, in records
 * @param stateBackend where keyed operators keep their state
 * @param checkpointStorage where checkpoints go, for state backends that store files of their own
 *     beside the snapshot ({@link CheckpointStorage#writeSharedFile}); null without checkpoints
 * @param fileSystems where file sources and sinks find the file system of their paths (local
 *     files only when null)
 * @param owner the user the job belongs to, to whom sinks hand what they commit
 *     ({@link dev.cairn.common.fs.FileSystem#giveTo}: the runtime writes as its node); null: keep
 *     what is written as it is (local runs)
 */
public record OperatorContext(
        String operatorName,
        int subtaskIndex,
        int parallelism,
        int maxParallelism,
        KeyGroupRange keyGroups,
        Clock clock,
        int watermarkIntervalRecords,
        StateBackendKind stateBackend,
        CheckpointStorage checkpointStorage,
        FileSystemRegistry fileSystems,
        String owner) {
    public OperatorContext {
        if (stateBackend == null) stateBackend = StateBackendKind.HEAP;
        if (fileSystems == null) fileSystems = FileSystemRegistry.local();
    }

    /** A context for operators on the heap, without checkpoint storage. */
    public OperatorContext(
            String operatorName,
            int subtaskIndex,
            int parallelism,
            int maxParallelism,
            KeyGroupRange keyGroups,
            Clock clock,
            int watermarkIntervalRecords) {
        this(
                operatorName,
                subtaskIndex,
                parallelism,
                maxParallelism,
                keyGroups,
                clock,
                watermarkIntervalRecords,
                StateBackendKind.HEAP,
                null,
                null,
                null);
    }
}
