package dev.cairn.dataflow;

import java.time.Duration;
import java.util.Objects;

/**
 * How the cluster runs a submitted stream job's checkpoints.
 *
 * @param checkpointInterval null: no checkpoints, and a failure fails the job
 * @param checkpointsRetained {@link DataflowConfig#CHECKPOINTS_RETAINED}
 * @param restartAttempts {@link DataflowConfig#RESTART_ATTEMPTS}
 */
public record StreamJobSettings(Duration checkpointInterval, int checkpointsRetained, int restartAttempts) {
    public StreamJobSettings {
        if (checkpointInterval != null && (checkpointInterval.isNegative() || checkpointInterval.isZero()))
            throw new IllegalArgumentException("checkpoint interval must be positive: " + checkpointInterval);
        if (checkpointsRetained < 1)
            throw new IllegalArgumentException("checkpoints retained must be at least 1: " + checkpointsRetained);
        if (restartAttempts < 0)
            throw new IllegalArgumentException("restart attempts must be >= 0: " + restartAttempts);
    }

    /** No checkpoints. */
    public static StreamJobSettings none() {
        return new StreamJobSettings(
                null,
                DataflowConfig.CHECKPOINTS_RETAINED.defaultValue(),
                DataflowConfig.RESTART_ATTEMPTS.defaultValue());
    }

    /** Checkpoints every {@code interval}, with the keys' defaults otherwise. */
    public static StreamJobSettings every(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        return new StreamJobSettings(
                interval,
                DataflowConfig.CHECKPOINTS_RETAINED.defaultValue(),
                DataflowConfig.RESTART_ATTEMPTS.defaultValue());
    }

    public StreamJobSettings withRestartAttempts(int attempts) {
        return new StreamJobSettings(checkpointInterval, checkpointsRetained, attempts);
    }
}
