package dev.cairn.dataflow;

/**
 * What an execution measured.
 *
 * @param elapsedNanos time from start to the end of the last subtask, by the options' clock
 * @param peakBufferedRecords the most records ever queued at once for one consuming subtask
 *     (bounded by {@code exchangeCapacityBatches * batchSize})
 */
public record ExecutionResult(long elapsedNanos, long peakBufferedRecords) {}
