package dev.cairn.batch.internal.worker;

import dev.cairn.batch.Counter;
import dev.cairn.batch.TaskContext;
import dev.cairn.batch.TaskInput;
import dev.cairn.batch.internal.proto.TaskAssignment;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

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
    /** Map tasks: sorted runs written so far. */
    volatile long spills;
    /** Map tasks: bytes of the sorted runs written so far. */
    volatile long spilledBytes;
    /** Reduce tasks: map output bytes fetched so far. */
    volatile long shuffleBytes;
    /** The user's counters by "group.name", incremented on the task thread, read by the heartbeat. */
    private final Map<String, TaskCounter> counters = new ConcurrentHashMap<>();

    /** File tasks: the offset the reader has reached, for the master's view of its speed. */
    volatile long position;
    /** A split the master asked for (the share of the rest to keep), taken up by the task thread; -1 if none. */
    volatile double splitRequest = -1;
    /** The end of the split accepted last; 0 if none was. */
    volatile long splitEnd;
    /** Tasks writing partitions, once finished: the bytes of each partition. */
    volatile long[] partitionBytes = new long[0];

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

    /**
     * On the task thread, before it reads each line: takes up a split the master asked for, if
     * any — it keeps that share of what is left from where it is now — and records where it now
     * ends; every 256 calls, publishes its position. A split that would leave nothing to hand
     * over, or leave this attempt an empty range, is ignored.
     */
    void beforeLine(LineReader reader, long lines) {
        double keep = splitRequest;
        if (keep >= 0) {
            splitRequest = -1;
            long from = reader.position();
            long at = from + (long) Math.ceil(keep * Math.max(0, reader.end() - from));
            if (at > assignment.getSplitStart() && reader.trySplit(at)) splitEnd = at;
        }
        if ((lines & 255) == 0) position = reader.position();
    }

    /** Throws when the attempt was killed, so user loops stop promptly. */
    void checkCancelled() throws InterruptedException {
        if (cancelled || Thread.currentThread().isInterrupted())
            throw new InterruptedException("task attempt " + key + " killed");
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
    public String owner() {
        return assignment.getOwner();
    }

    @Override
    public Map<String, String> params() {
        return assignment.hasSpec() ? assignment.getSpec().getParamsMap() : assignment.getParamsMap();
    }

    @Override
    public Optional<TaskInput> input() {
        if (assignment.getSplitPath().isEmpty()) return Optional.empty();
        return Optional.of(new TaskInput(
                assignment.getInput(),
                assignment.getSplitPath(),
                assignment.getSplitStart(),
                assignment.getSplitLength()));
    }

    @Override
    public Counter counter(String group, String name) {
        if (group == null || group.isEmpty() || name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(
                    "a counter needs a group and a name without dots, got '" + group + "' and '" + name + "'");
        }
        if (group.equals(Counter.BUILT_IN_GROUP)) {
            throw new IllegalArgumentException(
                    "the counter group '" + Counter.BUILT_IN_GROUP + "' is Cairn's own; choose another");
        }
        return counters.computeIfAbsent(group + "." + name, k -> new TaskCounter());
    }

    /**
     * Every counter of this attempt so far: Cairn's built-in ones (those that apply to the task's
     * kind) and the user's.
     */
    Map<String, Long> countersSnapshot() {
        Map<String, Long> out = new HashMap<>();
        String g = Counter.BUILT_IN_GROUP + ".";
        if (assignment.getSplitPath().isEmpty()) {
            out.put(g + "reduce-records-in", recordsIn);
            out.put(g + "reduce-records-out", recordsOut);
            out.put(g + "reduce-shuffle-bytes", shuffleBytes);
        } else {
            out.put(g + "map-records-in", recordsIn);
            out.put(g + "map-records-out", recordsOut);
            out.put(g + "map-input-bytes", inputLocalBytes + inputRemoteBytes);
            out.put(g + "map-output-bytes", bytesOut);
            out.put(g + "map-spills", spills);
        }
        counters.forEach((k, c) -> out.put(k, c.value()));
        return out;
    }

    /** One writer (the task thread), one reader (the heartbeat). */
    private static final class TaskCounter implements Counter {
        private final AtomicLong value = new AtomicLong();

        @Override
        public void increment(long delta) {
            value.addAndGet(delta);
        }

        @Override
        public long value() {
            return value.get();
        }
    }
}
