package dev.cairn.dataflow;

/**
 * How a program runs. The same program runs either way on bounded input, with the same results
 * where its event-time logic keeps within its watermarks' bounds: in batch mode nothing is late,
 * since the only watermark is the final one.
 */
public enum RuntimeMode {
    /**
     * Every operator runs at once, records flow through pipelined exchanges, watermarks advance
     * event time as records arrive, checkpoints (if on) make failures invisible. Needed for
     * unbounded sources; a keyed reduce emits a rolling result per record.
     */
    STREAMING,
    /**
     * On the batch runtime, stage by stage: exchanges are sorted shuffles kept on disk, a failed
     * task is retried alone, a keyed reduce or aggregate emits one result per key. Needs bounded
     * sources, and at most one text file sink (the job's output, which appears atomically).
     */
    BATCH
}
