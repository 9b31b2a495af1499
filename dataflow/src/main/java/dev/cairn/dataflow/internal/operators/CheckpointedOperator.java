package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.dataflow.internal.checkpoint.AsyncSnapshotPart;

/**
 * An operator whose state survives a failure: the subtask's thread snapshots it at checkpoint
 * barrier N (when barriers are aligned on all its inputs, or when a source is triggered), and a
 * restarted subtask restores it before {@link StreamOperator#open}. An operator without state
 * need not implement this.
 */
public interface CheckpointedOperator {
    /**
     * Writes the state as of the barrier. Runs on the subtask's thread, between records: what it
     * writes is a copy, encoded with the state's declared codecs, so processing may go on while
     * the bytes are stored.
     */
    void snapshotState(long checkpointId, BytesOut out) throws Exception;

    /**
     * What the last {@link #snapshotState} left to do asynchronously before its bytes are stored
     * (and forgets it), or null: called right after it, on the same thread.
     */
    default AsyncSnapshotPart takeAsyncPart() {
        return null;
    }

    /**
     * Restores what {@link #snapshotState} wrote; called before open. After a change of parallelism
     * (a savepoint resumed at another one) it is called once per old subtask whose state this
     * subtask takes ({@code Savepoint.oldSubtasksFor}): keyed operators keep the key groups they
     * own, sources and sinks decide from the snapshot's subtask index and parallelism.
     */
    void restoreState(BytesIn in) throws Exception;

    /** Checkpoint {@code checkpointId} is complete: every subtask's state of it is stored. */
    default void checkpointComplete(long checkpointId) throws Exception {}
}
