package dev.cairn.dataflow;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A stream job as its master sees it.
 *
 * @param owner the user the job belongs to: only they and admins may see or cancel it in a secure cluster
 * @param attempt the current (or last) run; each restart from a checkpoint starts a new one
 * @param subtasks subtasks of one run (chains times parallelism)
 * @param failure why the job failed or last restarted; empty if it did neither
 * @param slotWorkers the worker of each slot of the current run; empty when none runs
 * @param recentCheckpoints the latest completed checkpoints (a bounded history), oldest first
 * @param operators every operator of the current run, over its subtasks; empty when none runs
 */
public record StreamJobStatus(
        String jobId,
        String name,
        String owner,
        State state,
        int attempt,
        int restarts,
        int subtasks,
        int runningSubtasks,
        int finishedSubtasks,
        Optional<Checkpoint> latestCheckpoint,
        long completedCheckpoints,
        String failure,
        Instant submittedAt,
        Optional<Instant> endedAt,
        List<String> slotWorkers,
        List<Checkpoint> recentCheckpoints,
        List<Operator> operators) {
    public StreamJobStatus {
        slotWorkers = List.copyOf(slotWorkers);
        recentCheckpoints = List.copyOf(recentCheckpoints);
        operators = List.copyOf(operators);
    }

    /**
     * One operator of the current run, summed over its subtasks.
     *
     * @param recordsInPerSecond over about the last second
     * @param watermark the least watermark its subtasks emitted, if they all emitted one
     * @param backpressure the largest fraction of time (0 to 1) one of its subtasks spent blocked on
     *     full output channels, over about the last second: near 1, a consumer downstream is slow
     * @param inputs the ids of the operators it reads from: the edges of the job's DAG
     */
    public record Operator(
            int id,
            String name,
            int parallelism,
            long recordsIn,
            long recordsOut,
            double recordsInPerSecond,
            double recordsOutPerSecond,
            Optional<Long> watermark,
            double backpressure,
            List<Integer> inputs) {
        public Operator {
            inputs = List.copyOf(inputs);
        }
    }

    public enum State {
        /** Waiting for enough free stream slots. */
        SCHEDULED,
        RUNNING,
        /** A run failed; the next one starts from the latest complete checkpoint. */
        RESTARTING,
        FINISHED,
        FAILED,
        CANCELLED;

        public boolean ended() {
            return this == FINISHED || this == FAILED || this == CANCELLED;
        }
    }

    /** A completed checkpoint: its id, when it completed, how long it took from trigger, and its state's size. */
    public record Checkpoint(long id, Instant completedAt, Duration duration, long bytes) {}
}
