package dev.cairn.dataflow;

import dev.cairn.common.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Turns on checkpoints by aligned barriers and restart from the latest complete one
 * ({@link DataflowOptions#withCheckpoints}).
 *
 * @param directory where checkpoints are stored; must hold no checkpoints when the job starts
 * @param interval {@link DataflowConfig#CHECKPOINT_INTERVAL}
 * @param retained {@link DataflowConfig#CHECKPOINTS_RETAINED}
 * @param restartAttempts {@link DataflowConfig#RESTART_ATTEMPTS}
 */
public record CheckpointSettings(Path directory, Duration interval, int retained, int restartAttempts) {
    public CheckpointSettings {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("interval must be positive");
        if (retained < 1) throw new IllegalArgumentException("retained must be at least 1: " + retained);
        if (restartAttempts < 0)
            throw new IllegalArgumentException("restart attempts must be >= 0: " + restartAttempts);
    }

    /** Checkpoints in {@code directory} with the keys' defaults. */
    public static CheckpointSettings in(Path directory) {
        return new CheckpointSettings(
                directory,
                DataflowConfig.CHECKPOINT_INTERVAL.defaultValue(),
                DataflowConfig.CHECKPOINTS_RETAINED.defaultValue(),
                DataflowConfig.RESTART_ATTEMPTS.defaultValue());
    }

    /** Checkpoints in {@code directory} as {@code config} says. */
    public static CheckpointSettings from(Path directory, Config config) {
        return new CheckpointSettings(
                directory,
                config.get(DataflowConfig.CHECKPOINT_INTERVAL),
                config.get(DataflowConfig.CHECKPOINTS_RETAINED),
                config.get(DataflowConfig.RESTART_ATTEMPTS));
    }

    public CheckpointSettings withInterval(Duration interval) {
        return new CheckpointSettings(directory, interval, retained, restartAttempts);
    }

    public CheckpointSettings withRestartAttempts(int attempts) {
        return new CheckpointSettings(directory, interval, retained, attempts);
    }
}
