package dev.cairn.batch.internal.master;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One task of a stage of a job, as the master tracks it. Owned by the master's loop thread.
 *
 * <p>The task's status changes only through the methods below, each one legal transition; any
 * other call throws {@link IllegalStateException}. A transition that an attempt causes names that
 * attempt ({@link AttemptRef}), and is legal only for the attempt the task is running (or, for a
 * lost output, the one whose output it holds): an update from an earlier attempt cannot move the
 * task. Every change is reported to the job's {@link StatusListener}, which keeps its indexes of
 * pending tasks and counts of done ones.
 *
 * <table>
 *   <caption>Transitions</caption>
 *   <tr><th>from</th><th>to</th><th>method</th><th>when</th></tr>
 *   <tr><td>PENDING</td><td>RUNNING</td><td>{@link #launch}</td><td>an attempt is placed on a worker</td></tr>
 *   <tr><td>RUNNING</td><td>SUCCEEDED</td><td>{@link #succeed}</td><td>the running attempt reports success</td></tr>
 *   <tr><td>RUNNING</td><td>PENDING</td><td>{@link #fail}</td><td>the running attempt fails or its worker is lost (counts against the attempt limit)</td></tr>
 *   <tr><td>RUNNING</td><td>PENDING</td><td>{@link #requeue}</td><td>the running attempt could not fetch a parent's output (does not count)</td></tr>
 *   <tr><td>SUCCEEDED</td><td>PENDING</td><td>{@link #loseOutput}</td><td>the partitions it wrote are lost (their worker died, or a later task could not fetch them) while a later stage still needs them</td></tr>
 *   <tr><td>RUNNING</td><td>RUNNING, no attempt</td><td>{@link #abandon}</td><td>the job ended; the task is never scheduled again</td></tr>
 * </table>
 *
 * <p>A RUNNING task may run a second, speculative attempt beside the first ({@link #speculate}),
 * on another worker: the first of the two to succeed is the task's, and the other is dropped (the
 * master has its worker kill it). While two run, one failing or requeued leaves the task RUNNING
 * with the other.
 *
 * <p>Besides, {@link #grantCommit} lets a running attempt of a task writing the job's output
 * move its file into place; one grant at a time, lasting until the task leaves RUNNING or the
 * granted attempt ends, so that of two attempts exactly one commits.
 */
final class MasterTask {
    enum Status {
        PENDING,
        RUNNING,
        SUCCEEDED
    }

    /** Told of every status change. */
    interface StatusListener {
        void statusChanged(MasterTask task, Status from, Status to);
    }

    /**
     * One launch of the task on one worker.
     *
     * @param dataLocal a file stage's task launched on a node holding its split
     */
    record Attempt(AttemptRef ref, String workerId, String endpoint, boolean dataLocal) {
        int number() {
            return ref.number();
        }
    }

    final String jobId;
    /** The name of the task's stage. */
    final String stage;
    /** Whether the task writes partitions for later stages (which can be lost), not the job's output. */
    final boolean writesPartitions;

    final int index;
    final String id;
    /** A file stage's task: its input, which a re-split ({@link #shorten}) cuts short; else null. */
    private InputSplit split;
    /** A re-planned stage's task: what it reads of its parents; null if partition {@link #index} of each. */
    final PartitionPlanner.TaskReads reads;

    private final StatusListener listener;

    private Status status = Status.PENDING;
    /** When the task last became PENDING (clock nanos): delay scheduling measures its wait from here. */
    private long pendingSinceNanos;

    private int attemptsLaunched;
    /** Failed attempts, counted against the job's attempt limit. */
    private int failures;
    /** Launched more than once, for whatever reason. */
    private boolean retried;

    private Attempt running;
    /** A speculative attempt beside {@link #running}, on another worker; null if none. */
    private Attempt backup;
    /** Whether a speculative attempt was ever launched. */
    private boolean speculated;
    /** The attempt whose output counts: later stages fetch its partitions. */
    private Attempt succeeded;
    /** Tasks writing the job's output: the attempt allowed to move its file into place. */
    private AttemptRef commitGranted;

    private final Set<String> failedOn = new HashSet<>();
    private String lastError = "";
    double progress;
    /** When the first running attempt and the speculative one were launched (clock nanos). */
    long startedNanos;

    long backupStartedNanos;
    /** How long the successful attempt ran; -1 until the task succeeds. */
    long durationNanos = -1;

    long recordsIn;
    long recordsOut;
    long bytesOut;
    /** File stages: input bytes the current or last attempt read on its own node, and from other nodes. */
    long inputLocalBytes;

    long inputRemoteBytes;
    /** The current or last attempt's counters ("group.name" to value); an attempt's launch clears them. */
    Map<String, Long> counters = Map.of();

    /** File tasks: the offset the running attempt's reader has reached, as it last reported. */
    long position;
    /** A re-split asked of the running attempt and not yet answered: where to end; 0 if none. */
    long splitRequestedAt;

    long splitRequestedNanos;
    /** Tasks writing partitions, once succeeded: the bytes of each partition of the succeeded attempt. */
    long[] partitionBytes = new long[0];

    /** @param split the task's input, for a task of a file stage; null for one reading parents */
    MasterTask(
            String jobId,
            String stage,
            boolean writesPartitions,
            int index,
            InputSplit split,
            PartitionPlanner.TaskReads reads,
            long nowNanos,
            StatusListener listener) {
        this.jobId = jobId;
        this.stage = stage;
        this.writesPartitions = writesPartitions;
        this.index = index;
        this.id = AttemptRef.taskId(stage, index);
        this.split = split;
        this.reads = reads;
        this.pendingSinceNanos = nowNanos;
        this.listener = listener;
    }

    Status status() {
        return status;
    }

    /** The task's input split if it reads a file; else null. */
    InputSplit split() {
        return split;
    }

    /**
     * The running attempt accepted to end its input at {@code at}, inside it: the task's split
     * ends there from now on, for every later attempt too; returns the rest, for a task of its
     * own. The split keeps its hosts: the rest lies in the same block.
     */
    InputSplit shorten(long at) {
        expect(Status.RUNNING, "re-split");
        long end = split.start() + split.length();
        if (at <= split.start() || at >= end)
            throw new IllegalStateException(
                    "cannot split " + id + " at " + at + ": outside its input [" + split.start() + ", " + end + ")");
        InputSplit rest = new InputSplit(split.input(), split.path(), at, end - at, split.hosts());
        split = new InputSplit(split.input(), split.path(), split.start(), at - split.start(), split.hosts());
        splitRequestedAt = 0;
        return rest;
    }

    /** The (first) attempt running now, or null. */
    Attempt running() {
        return running;
    }

    /** The speculative attempt running beside the first, or null. */
    Attempt backup() {
        return backup;
    }

    /** Every attempt running now: none, one, or the first and its speculative backup. */
    java.util.List<Attempt> runningAttempts() {
        if (running == null) return java.util.List.of();
        return backup == null ? java.util.List.of(running) : java.util.List.of(running, backup);
    }

    /** The running attempt other than {@code attempt}, or null. */
    Attempt otherThan(AttemptRef attempt) {
        if (running != null && !running.ref().equals(attempt)) return running;
        if (backup != null && !backup.ref().equals(attempt)) return backup;
        return null;
    }

    boolean speculated() {
        return speculated;
    }

    /** The attempt that succeeded (the one whose partitions later stages fetch), or null. */
    Attempt succeeded() {
        return succeeded;
    }

    long pendingSinceNanos() {
        return pendingSinceNanos;
    }

    int failures() {
        return failures;
    }

    int attemptsLaunched() {
        return attemptsLaunched;
    }

    boolean retried() {
        return retried;
    }

    String lastError() {
        return lastError;
    }

    /** Whether an attempt of this task failed on {@code workerId}. */
    boolean failedOn(String workerId) {
        return failedOn.contains(workerId);
    }

    /** Whether {@code workerId} runs on a node holding this task's split. */
    boolean isLocalTo(String workerId) {
        return split != null && split.hosts().contains(workerId);
    }

    /** Whether {@code attempt} is the one this task runs now, on {@code workerId}. */
    boolean isRunning(AttemptRef attempt, String workerId) {
        for (Attempt a : runningAttempts())
            if (a.ref().equals(attempt) && a.workerId().equals(workerId)) return true;
        return false;
    }

    /** PENDING → RUNNING. */
    Attempt launch(String workerId, String endpoint) {
        expect(Status.PENDING, "launch");
        if (attemptsLaunched > 0) retried = true;
        running = new Attempt(
                new AttemptRef(jobId, stage, index, ++attemptsLaunched), workerId, endpoint, isLocalTo(workerId));
        progress = 0;
        counters = Map.of();
        moveTo(Status.RUNNING);
        return running;
    }

    /**
     * RUNNING, one attempt → RUNNING, two: a speculative attempt on {@code workerId}, which must
     * not be the first one's.
     */
    Attempt speculate(String workerId, String endpoint) {
        expect(Status.RUNNING, "speculate");
        if (backup != null) throw new IllegalStateException(id + " already runs a speculative attempt");
        if (running.workerId().equals(workerId))
            throw new IllegalStateException("a speculative attempt of " + id + " must run on another worker");
        speculated = true;
        backup = new Attempt(
                new AttemptRef(jobId, stage, index, ++attemptsLaunched), workerId, endpoint, isLocalTo(workerId));
        return backup;
    }

    /** RUNNING → SUCCEEDED: the output of {@code attempt} (of the running ones) is the task's. */
    Attempt succeed(AttemptRef attempt) {
        expectRunning(attempt, "succeed");
        succeeded = attempt(attempt);
        running = null;
        backup = null;
        commitGranted = null;
        progress = 1;
        moveTo(Status.SUCCEEDED);
        return succeeded;
    }

    /** RUNNING → PENDING, counted against the attempt limit: the running attempt failed, or its worker was lost. */
    Attempt fail(AttemptRef attempt, String error, long nowNanos) {
        expectRunning(attempt, "fail");
        Attempt failed = attempt(attempt);
        failures++;
        failedOn.add(failed.workerId());
        lastError = error;
        if (!dropOneOfTwo(attempt)) backToPending(nowNanos);
        return failed;
    }

    /** RUNNING → PENDING, not counted: the running attempt could not fetch a parent's output. */
    Attempt requeue(AttemptRef attempt, long nowNanos) {
        expectRunning(attempt, "requeue");
        Attempt stopped = attempt(attempt);
        if (!dropOneOfTwo(attempt)) backToPending(nowNanos);
        return stopped;
    }

    /** With two attempts running, forgets {@code attempt} and keeps the other; with one, does nothing. */
    private boolean dropOneOfTwo(AttemptRef attempt) {
        if (backup == null) return false;
        if (running.ref().equals(attempt)) {
            running = backup;
            startedNanos = backupStartedNanos; // what runs on started then
        }
        backup = null;
        if (attempt.equals(commitGranted)) commitGranted = null;
        return true;
    }

    private Attempt attempt(AttemptRef ref) {
        return running.ref().equals(ref) ? running : backup;
    }

    /** SUCCEEDED → PENDING: the partitions {@code attempt} wrote are gone and must be made again. */
    void loseOutput(AttemptRef attempt, long nowNanos) {
        expect(Status.SUCCEEDED, "lose the output of");
        if (!writesPartitions)
            throw new IllegalStateException(
                    "only partitions for later stages can be lost; " + id + " wrote the job's output");
        if (!succeeded.ref().equals(attempt))
            throw new IllegalStateException(
                    attempt + " did not make the output of " + id + "; " + succeeded.ref() + " did");
        succeeded = null;
        retried = true;
        backToPending(nowNanos);
    }

    /** The job ended: forget the running attempts, if any; returns them. */
    java.util.List<Attempt> abandon() {
        java.util.List<Attempt> a = runningAttempts();
        running = null;
        backup = null;
        commitGranted = null;
        return a;
    }

    /**
     * Lets {@code attempt} move its output into place, if it is the running attempt and no other
     * holds the grant.
     *
     * @return null if granted, else why not
     */
    String grantCommit(AttemptRef attempt) {
        if (runningAttempts().stream().noneMatch(a -> a.ref().equals(attempt)))
            return "attempt " + attempt.number() + " of " + id + " is not current";
        if (commitGranted != null && !commitGranted.equals(attempt)) return "another attempt is committing";
        commitGranted = attempt;
        return null;
    }

    private void backToPending(long nowNanos) {
        running = null;
        backup = null;
        commitGranted = null;
        pendingSinceNanos = nowNanos;
        progress = 0;
        // A failed or requeued attempt counts for nothing, nor does a lost output's.
        counters = Map.of();
        moveTo(Status.PENDING);
    }

    private void expectRunning(AttemptRef attempt, String what) {
        expect(Status.RUNNING, what);
        if (!running.ref().equals(attempt) && (backup == null || !backup.ref().equals(attempt)))
            throw new IllegalStateException("cannot " + what + " " + attempt + ": the running attempt is "
                    + running.ref() + (backup == null ? "" : " (and " + backup.ref() + ")"));
    }

    private void expect(Status from, String what) {
        if (status != from)
            throw new IllegalStateException("cannot " + what + " " + id + ": it is " + status + ", not " + from);
    }

    private void moveTo(Status to) {
        splitRequestedAt = 0;
        Status from = status;
        status = to;
        listener.statusChanged(this, from, to);
    }
}
