package dev.cairn.batch.internal.worker;

import dev.cairn.common.fs.FileSystemRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * What a worker needs from the node's configuration.
 *
 * @param endpoint the host:port other nodes reach this worker's shuffle service at
 * @param masterLocator the active master's host:port, asked before every heartbeat (it moves on fail-over);
 *                      null while none is known
 * @param dir scratch space for job jars, map outputs and fetched shuffle data
 * @param sortBufferBytes the map output buffer of each running map task
 * @param combineEntries distinct keys a map task pre-aggregates in memory before spilling them
 * @param shuffleMemoryBytes fetched map output a reduce task keeps in memory; the rest goes to disk
 * @param fileSystems where map tasks read their input and reduce tasks write their output
 */
public record WorkerSettings(
        String workerId,
        String endpoint,
        Supplier<String> masterLocator,
        Path dir,
        int slots,
        long sortBufferBytes,
        int combineEntries,
        long shuffleMemoryBytes,
        int fetchParallelism,
        Duration rpcDeadline,
        FileSystemRegistry fileSystems) {}
