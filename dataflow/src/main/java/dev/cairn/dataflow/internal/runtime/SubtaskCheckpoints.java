package dev.cairn.dataflow.internal.runtime;

import dev.cairn.dataflow.internal.checkpoint.AsyncSnapshotPart;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The checkpoint side of one subtask in one run of a job: what it restores from, the triggers
 * (sources only) and completion notices the executor's coordinator sends it, and where it reports
 * its snapshots. The queues are the only state shared with other threads.
 */
public final class SubtaskCheckpoints {
    /** The executor's side: stores a snapshot and acknowledges it, asynchronously. */
    public interface Reports {
        void snapshotTaken(SubtaskCheckpoints subtask, long checkpointId, byte[] state);

        /**
         * As above, with work the operators left to finish before the state may be stored. The
         * default runs it at once, on the subtask's thread, and declines the checkpoint if it fails.
         */
        default void snapshotTaken(
                SubtaskCheckpoints subtask, long checkpointId, byte[] state, List<AsyncSnapshotPart> before) {
            try {
                for (AsyncSnapshotPart part : before) part.run();
            } catch (IOException | RuntimeException e) {
                declined(subtask, checkpointId, "cannot finish the snapshot: " + e);
                return;
            }
            snapshotTaken(subtask, checkpointId, state);
        }

        void declined(SubtaskCheckpoints subtask, long checkpointId, String reason);

        /** A source subtask has emitted all its records and its final watermark. */
        void sourceExhausted(SubtaskCheckpoints subtask);
    }

    final String id;
    /** The snapshots to restore, in order: one (its own) after a failure, several after a rescaled restore. */
    final List<byte[]> restored;

    final Reports reports;
    final ConcurrentLinkedQueue<Long> triggers = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Long> completions = new ConcurrentLinkedQueue<>();
    volatile boolean mayEnd;

    /**
     * @param id stable across restarts: chain head's node id and subtask index
     * @param restored the state to restore, or null to start empty
     */
    public SubtaskCheckpoints(String id, byte[] restored, Reports reports) {
        this(id, restored == null ? List.of() : List.of(restored), reports);
    }

    /**
     * @param id stable across restarts: chain head's node id and subtask index
     * @param restored the snapshots to restore (of this subtask, or of the old subtasks of its chain
     *     whose state it takes after a change of parallelism); empty to start empty
     */
    public SubtaskCheckpoints(String id, List<byte[]> restored, Reports reports) {
        this.id = id;
        this.restored = List.copyOf(new ArrayList<>(restored));
        this.reports = reports;
    }

    public String id() {
        return id;
    }

    /** Source subtasks: inject barrier {@code checkpointId} at the next chance. */
    public void trigger(long checkpointId) {
        triggers.add(checkpointId);
    }

    /** Checkpoint {@code checkpointId} completed: the operators may commit what it covers. */
    public void complete(long checkpointId) {
        completions.add(checkpointId);
    }

    /** Source subtasks: a checkpoint taken after this source was exhausted completed; it may end. */
    public void allowEnd() {
        mayEnd = true;
    }
}
