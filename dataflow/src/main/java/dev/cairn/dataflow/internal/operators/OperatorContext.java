package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.time.Clock;
import dev.cairn.dataflow.internal.runtime.KeyGroupRange;

/**
 * What the runtime tells an operator instance about where it runs.
 *
 * @param keyGroups the key groups this subtask owns (keyed operators only read them)
 * @param clock processing time
 * @param watermarkIntervalRecords how often a watermark generator emits, in records
 */
public record OperatorContext(
        String operatorName,
        int subtaskIndex,
        int parallelism,
        int maxParallelism,
        KeyGroupRange keyGroups,
        Clock clock,
        int watermarkIntervalRecords) {}
