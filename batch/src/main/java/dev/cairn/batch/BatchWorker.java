package dev.cairn.batch;

import dev.cairn.batch.internal.worker.TaskWorker;
import dev.cairn.batch.internal.worker.WorkerMeters;
import dev.cairn.batch.internal.worker.WorkerSettings;
import dev.cairn.common.config.Config;
import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.rpc.RpcConfig;
import dev.cairn.rpc.RpcService;
import dev.cairn.rpc.grpc.Channels;
import dev.cairn.rpc.grpc.GrpcService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The worker role of a node: heartbeats to the active master, runs the task attempts it is given
 * in its slots, and serves its map outputs to reducers. Lifecycle: {@link #create}, serve
 * {@link #services()} on the node's RPC server, then {@link #start()} heartbeating.
 */
public final class BatchWorker implements AutoCloseable {
    /**
     * What a worker needs.
     *
     * @param workerId this worker's name in the master's view and in job errors
     * @param endpoint the host:port other nodes reach this node's RPC server at
     * @param dir scratch space for job jars, map outputs and fetched shuffle data
     * @param slots task attempts run at once
     * @param sortBufferBytes the map output buffer of each running map task
     * @param combineEntries distinct keys a map task pre-aggregates in memory
     * @param shuffleMemoryBytes fetched map output a reduce task keeps in memory
     * @param fetchParallelism map outputs a reduce task fetches at once
     * @param rpcDeadline deadline of control calls (shuffle streams get ten times it)
     * @param security how this worker calls the master and other workers (shuffle fetches)
     */
    public record Settings(
            String workerId,
            String endpoint,
            Path dir,
            int slots,
            long sortBufferBytes,
            int combineEntries,
            long shuffleMemoryBytes,
            int fetchParallelism,
            Duration rpcDeadline,
            TransportSecurity security) {
        public Settings(
                String workerId,
                String endpoint,
                Path dir,
                int slots,
                long sortBufferBytes,
                int combineEntries,
                long shuffleMemoryBytes,
                int fetchParallelism,
                Duration rpcDeadline) {
            this(
                    workerId,
                    endpoint,
                    dir,
                    slots,
                    sortBufferBytes,
                    combineEntries,
                    shuffleMemoryBytes,
                    fetchParallelism,
                    rpcDeadline,
                    TransportSecurity.plain());
        }

        /** These settings with the worker's calls protected by {@code security}. */
        public Settings withSecurity(TransportSecurity security) {
            return new Settings(
                    workerId,
                    endpoint,
                    dir,
                    slots,
                    sortBufferBytes,
                    combineEntries,
                    shuffleMemoryBytes,
                    fetchParallelism,
                    rpcDeadline,
                    security);
        }

        /** The settings the configuration gives a node; {@code worker.slots} 0 means one slot per processor. */
        public static Settings from(Config config, String workerId, String endpoint, Path dir) {
            int slots = config.get(BatchConfig.WORKER_SLOTS);
            if (slots == 0) slots = Runtime.getRuntime().availableProcessors();
            return new Settings(
                    workerId,
                    endpoint,
                    dir,
                    slots,
                    config.get(BatchConfig.WORKER_SORT_BUFFER),
                    config.get(BatchConfig.WORKER_COMBINE_ENTRIES),
                    config.get(BatchConfig.WORKER_SHUFFLE_MEMORY),
                    config.get(BatchConfig.WORKER_FETCH_PARALLELISM),
                    config.get(RpcConfig.DEADLINE));
        }
    }

    private final TaskWorker worker;
    private final Channels channels;

    private BatchWorker(TaskWorker worker, Channels channels) {
        this.worker = worker;
        this.channels = channels;
    }

    /**
     * A worker, not yet heartbeating; clears stale job files from {@code settings.dir()}.
     *
     * @param masterLocator the active master's host:port, asked before every heartbeat (it moves
     *     on fail-over); null while none is known
     * @param fileSystems where map tasks read their input and reduce tasks write their output
     */
    public static BatchWorker create(Settings settings, Supplier<String> masterLocator, FileSystemRegistry fileSystems)
            throws IOException {
        return create(settings, masterLocator, fileSystems, new SimpleMeterRegistry());
    }

    /**
     * {@link #create(Settings, Supplier, FileSystemRegistry)}, recording into {@code meters}:
     * {@code cairn_batch_task_attempts_total{outcome}} (succeeded, failed, killed),
     * {@code cairn_batch_shuffle_served_bytes_total}, {@code cairn_batch_shuffle_fetched_bytes_total},
     * {@code cairn_batch_spilled_bytes_total} and {@code cairn_batch_spills_total}. The other
     * overload records into a registry of its own, which nothing reads.
     */
    public static BatchWorker create(
            Settings settings, Supplier<String> masterLocator, FileSystemRegistry fileSystems, MeterRegistry meters)
            throws IOException {
        Channels channels = new Channels(settings.security());
        try {
            TaskWorker worker = new TaskWorker(
                    new WorkerSettings(
                            settings.workerId(),
                            settings.endpoint(),
                            masterLocator,
                            settings.dir(),
                            settings.slots(),
                            settings.sortBufferBytes(),
                            settings.combineEntries(),
                            settings.shuffleMemoryBytes(),
                            settings.fetchParallelism(),
                            settings.rpcDeadline(),
                            fileSystems),
                    channels,
                    new WorkerMeters(meters));
            return new BatchWorker(worker, channels);
        } catch (IOException | RuntimeException e) {
            channels.close();
            throw e;
        }
    }

    /** The services to serve on the node's RPC server (the shuffle). */
    public List<RpcService> services() {
        return worker.services().stream().<RpcService>map(GrpcService::of).toList();
    }

    /**
     * What attempt {@code attempt} of task {@code taskId} logged on this worker (its thread's
     * {@code System.out} and {@code System.err}, the last 1,000 lines), if one of this worker's
     * last 200 attempts; empty otherwise.
     */
    public Optional<List<String>> attemptLog(String jobId, String taskId, int attempt) {
        return worker.attemptLog(jobId, taskId, attempt);
    }

    /** Starts heartbeating to the master and taking tasks. */
    public void start() {
        worker.start();
    }

    @Override
    public void close() {
        worker.close();
        channels.close();
    }
}
