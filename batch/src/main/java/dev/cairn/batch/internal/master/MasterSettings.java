package dev.cairn.batch.internal.master;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What the job master needs from the node's configuration.
 *
 * @param dir where submitted job jars are kept while their jobs run
 * @param workerTimeout a worker silent for this long is declared dead
 * @param heartbeatInterval how often workers are told to heartbeat
 * @param splitBytes default input split size
 * @param maxAttempts default attempts per task
 * @param jobHistory finished jobs remembered for {@code job list}
 */
public record MasterSettings(Path dir, Duration workerTimeout, Duration heartbeatInterval, long splitBytes,
                             int maxAttempts, int jobHistory) {}
