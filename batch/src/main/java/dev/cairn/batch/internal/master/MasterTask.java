package dev.cairn.batch.internal.master;

import java.util.HashSet;
import java.util.Set;

/**
 * One map or reduce task of a job, as the master tracks it. Owned by the master's loop thread.
 *
 * <p>Transitions: PENDING → RUNNING (an attempt is launched) → SUCCEEDED; RUNNING → PENDING when
 * the attempt fails or its worker is lost; SUCCEEDED → PENDING for a map whose output is lost
 * (its worker died, or a reducer could not fetch it) while reducers still need it.
 */
final class MasterTask {
    enum Kind { MAP, REDUCE }

    enum Status { PENDING, RUNNING, SUCCEEDED }

    /**
     * One launch of the task on one worker.
     *
     * @param dataLocal a map launched on a node holding its split
     */
    record Attempt(int number, String workerId, String endpoint, boolean dataLocal) {}

    final Kind kind;
    final int index;
    final String id;
    final InputSplit split;

    Status status = Status.PENDING;
    /** When the task last became PENDING (clock nanos): delay scheduling measures its wait from here. */
    long pendingSinceNanos;
    int attemptsLaunched;
    /** Failed attempts, counted against the job's attempt limit. */
    int failures;
    /** Launched more than once, for whatever reason. */
    boolean retried;
    Attempt running;
    /** Maps: the attempt whose output reducers fetch. */
    Attempt succeeded;
    /** Reduces: the attempt allowed to move its output into place. */
    Integer commitGranted;
    final Set<String> failedOn = new HashSet<>();
    String lastError = "";
    double progress;
    long recordsIn;
    long recordsOut;
    long bytesOut;
    /** Maps: input bytes the current or last attempt read on its own node, and from other nodes. */
    long inputLocalBytes;
    long inputRemoteBytes;

    MasterTask(Kind kind, int index, InputSplit split, long nowNanos) {
        this.kind = kind;
        this.index = index;
        this.id = String.format("%s-%05d", kind == Kind.MAP ? "map" : "reduce", index);
        this.split = split;
        this.pendingSinceNanos = nowNanos;
    }

    /** Whether {@code workerId} runs on a node holding this map's input. */
    boolean isLocalTo(String workerId) {
        return split != null && split.hosts().contains(workerId);
    }

    String attemptId(int attempt) {
        return id + "_" + attempt;
    }

    Attempt launch(String workerId, String endpoint) {
        if (attemptsLaunched > 0) retried = true;
        running = new Attempt(++attemptsLaunched, workerId, endpoint, isLocalTo(workerId));
        status = Status.RUNNING;
        progress = 0;
        return running;
    }

    /** Back to PENDING after a failed or lost attempt. */
    void requeue(long nowNanos) {
        running = null;
        commitGranted = null;
        status = Status.PENDING;
        pendingSinceNanos = nowNanos;
        progress = 0;
    }

    boolean isRunningAttempt(String workerId, int attempt) {
        return running != null && running.number() == attempt && running.workerId().equals(workerId);
    }
}
