package dev.cairn.dataflow.internal.checkpoint;

import dev.cairn.common.time.Clock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides when checkpoints start and when they are complete, for one run of one job.
 *
 * <pre>
 *  idle ──interval elapsed──▶ pending(N) ──every subtask acked──▶ complete(N): metadata committed,
 *   ▲                           │                                  older than the last K discarded
 *   └──declined / timed out─────┘
 * </pre>
 *
 * At most one checkpoint is pending. The caller applies the decisions: it injects barrier N at
 * the sources when {@link #maybeTrigger} returns N, and tells subtasks (the transactional sink)
 * that N completed when {@link #acknowledge} returns true. A subtask acknowledges only after its
 * state is durably in {@link CheckpointStorage}, so a checkpoint completes only when the state of
 * every subtask is stored. Acknowledgements of checkpoints no longer pending are ignored.
 *
 * <p>Not thread-safe: the executor calls it under one lock; the simulation from its one thread.
 */
public final class CheckpointCoordinator {
    private final List<String> subtasks;
    private final long intervalNanos;
    private final long timeoutNanos;
    private final int retained;
    private final CheckpointStorage storage;
    private final Clock clock;
    private long nextId;
    private long lastTriggerNanos;
    private long pending = -1;
    private final Set<String> acked = new HashSet<>();
    private long latestCompleted;
    private long aborted;

    /**
     * @param subtasks stable ids of every subtask that must acknowledge
     * @param latestCompleted the checkpoint this run restored from, or 0 if none
     */
    public CheckpointCoordinator(
            List<String> subtasks,
            long intervalNanos,
            long timeoutNanos,
            int retained,
            CheckpointStorage storage,
            Clock clock,
            long latestCompleted) {
        if (retained < 1) throw new IllegalArgumentException("retained must be >= 1: " + retained);
        this.subtasks = List.copyOf(subtasks);
        this.intervalNanos = intervalNanos;
        this.timeoutNanos = timeoutNanos;
        this.retained = retained;
        this.storage = storage;
        this.clock = clock;
        this.latestCompleted = latestCompleted;
        this.nextId = latestCompleted + 1;
        this.lastTriggerNanos = clock.nanos();
    }

    /** The checkpoint to trigger at the sources now, or -1. Times out a pending checkpoint first. */
    public long maybeTrigger() {
        expire();
        if (pending >= 0 || clock.nanos() - lastTriggerNanos < intervalNanos) return -1;
        return trigger();
    }

    /**
     * Starts a checkpoint now whatever the interval (the final checkpoint of a bounded job); -1 if
     * one is pending. Times out a pending checkpoint first.
     */
    public long triggerNow() {
        expire();
        return pending >= 0 ? -1 : trigger();
    }

    /** A checkpoint pending longer than the timeout (an acknowledgement was lost) is given up. */
    private void expire() {
        if (pending >= 0 && clock.nanos() - lastTriggerNanos >= timeoutNanos) abort(pending);
    }

    private long trigger() {
        pending = nextId++;
        acked.clear();
        lastTriggerNanos = clock.nanos();
        return pending;
    }

    /**
     * A subtask stored its state of {@code checkpointId}. Returns true if that completed the
     * checkpoint: its metadata is committed and checkpoints older than the last K discarded.
     */
    public boolean acknowledge(long checkpointId, String subtask) throws IOException {
        if (checkpointId != pending) return false;
        if (!subtasks.contains(subtask)) throw new IllegalArgumentException("unknown subtask " + subtask);
        acked.add(subtask);
        if (acked.size() < subtasks.size()) return false;
        String metadata = "checkpoint " + checkpointId + "\nsubtasks " + String.join(",", subtasks) + "\n";
        storage.commitMetadata(checkpointId, metadata.getBytes(StandardCharsets.UTF_8));
        pending = -1;
        latestCompleted = checkpointId;
        List<Long> complete = storage.completed();
        for (int i = 0; i < complete.size() - retained; i++) storage.discard(complete.get(i));
        return true;
    }

    /** Gives up checkpoint {@code checkpointId} if it is pending (a subtask declined it, or it timed out). */
    public void abort(long checkpointId) {
        if (checkpointId != pending) return;
        pending = -1;
        aborted++;
        acked.clear();
        try {
            storage.discard(checkpointId);
        } catch (IOException e) {
            // Left behind: never complete, and overwritten or discarded later.
        }
    }

    /** Pending checkpoints given up so far (declined, or timed out). */
    public long aborted() {
        return aborted;
    }

    /** The pending checkpoint, or -1. */
    public long pending() {
        return pending;
    }

    /** The latest complete checkpoint, or 0. */
    public long latestCompleted() {
        return latestCompleted;
    }
}
