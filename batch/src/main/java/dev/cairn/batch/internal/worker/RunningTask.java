package dev.cairn.batch.internal.worker;

import dev.cairn.batch.TaskContext;
import dev.cairn.batch.internal.proto.TaskAssignment;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * One task attempt running on this worker: its live counters, written by the task thread and
 * read by the heartbeat thread, and its cancellation flag.
 */
final class RunningTask implements TaskContext {
    final TaskAssignment assignment;
    final String key;
    volatile double progress;
    volatile long recordsIn;
    volatile long recordsOut;
    volatile long bytesOut;
    volatile long inputLocalBytes;
    volatile long inputRemoteBytes;
    volatile boolean cancelled;
    volatile Future<?> future;

    RunningTask(TaskAssignment assignment) {
        this.assignment = assignment;
        this.key = key(assignment.getJobId(), assignment.getTaskId(), assignment.getAttempt());
    }

    static String key(String jobId, String taskId, int attempt) {
        return jobId + "/" + taskId + "_" + attempt;
    }

    String attemptId() {
        return assignment.getTaskId() + "_" + assignment.getAttempt();
    }

    /** Throws when the attempt was killed, so user loops stop promptly. */
    void checkCancelled() throws InterruptedException {
        if (cancelled || Thread.currentThread().isInterrupted()) throw new InterruptedException("task attempt " + key + " killed");
    }

    @Override
    public String jobId() {
        return assignment.getJobId();
    }

    @Override
    public String taskId() {
        return assignment.getTaskId();
    }

    @Override
    public int attempt() {
        return assignment.getAttempt();
    }

    @Override
    public Map<String, String> params() {
        return assignment.getSpec().getParamsMap();
    }
}
