/**
 * What a stage of a {@link dev.cairn.batch.JobGraph} runs: a {@link StageProgram}, given a
 * {@link StageContext} through which it reads its split's lines or its parents' sorted
 * partitions, and writes partitions for later stages or its file of the job's output. Records
 * cross stages as key and value bytes; the program chooses their encoding. This is the interface
 * between the batch runtime and the planners above it (the dataflow API's batch mode).
 */
package dev.cairn.batch.stage;
