package dev.cairn.batch.internal.master;

import dev.cairn.common.fs.FileSystemRegistry;
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
 * @param localityWait how long a map task whose input lies on live workers waits for a slot on one of them
 * @param fileSystems where job inputs are listed and outputs committed
 * @param speculation when stragglers get a speculative copy
 * @param resplit when running file tasks give the rest of their input to free slots
 * @param partitions how stages reading parents are re-planned once their partitions' sizes are known
 */
public record MasterSettings(
        Path dir,
        Duration workerTimeout,
        Duration heartbeatInterval,
        long splitBytes,
        int maxAttempts,
        int jobHistory,
        Duration localityWait,
        FileSystemRegistry fileSystems,
        SpeculationPolicy speculation,
        ResplitPolicy resplit,
        PartitionPlanner partitions) {}
