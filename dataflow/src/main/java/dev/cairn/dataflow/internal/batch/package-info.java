/**
 * The dataflow API in batch mode: {@link dev.cairn.dataflow.internal.batch.BatchPlanner} cuts a
 * program's graph at its exchanges into the stages of a batch {@link dev.cairn.batch.JobGraph},
 * and {@link dev.cairn.dataflow.internal.batch.BatchStageProgram} runs a stage's chained
 * operators inside each of its tasks, with records crossing stages through the batch runtime's
 * sort-based shuffle.
 */
package dev.cairn.dataflow.internal.batch;
