package dev.cairn.dataflow.internal.batch;

/**
 * A batch operator whose input comes sorted by key, told where each key's records end: by the
 * stage, from the shuffle keys' bytes, not from the records, whose keys a combiner may have
 * changed (a reduced sum need not select its key).
 */
interface KeyGrouped {
    /** The records of the current key are all delivered. */
    void endKey() throws Exception;
}
