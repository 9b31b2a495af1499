package dev.cairn.dataflow;

import dev.cairn.common.config.Config;
import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.time.Clock;
import dev.cairn.dataflow.internal.cluster.StreamMeters;
import dev.cairn.dataflow.internal.cluster.StreamTaskExecutor;
import dev.cairn.dataflow.internal.network.NetworkEndpoint;
import dev.cairn.dataflow.internal.network.NetworkSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The stream side of a worker node: its stream slots and network endpoint. It registers with
 * the active stream master (wherever the election puts it), runs the subtasks the master places
 * in its slots, and exchanges their records with other workers over TCP with credit-based flow
 * control.
 */
public final class StreamWorker implements AutoCloseable {
    /**
     * What a stream worker needs.
     *
     * @param workerId unique in the cluster
     * @param endpoint the node's RPC endpoint, for the master's views
     * @param host where the stream network endpoint listens and is reached
     * @param dataPort {@link DataflowConfig#STREAM_DATA_PORT}
     * @param slots {@link DataflowConfig#STREAM_SLOTS}
     * @param dir where the jars of the jobs it runs are kept
     * @param heartbeatInterval {@link DataflowConfig#STREAM_HEARTBEAT_INTERVAL}
     * @param rpcDeadline deadline of each call to the master
     * @param network buffer and connection settings of the network endpoint
     * @param fileSystems the node's file systems, which the subtasks' file sources, sinks and
     *     checkpoints read and write through
     * @param security how the stream exchange port, the connections to other workers and the calls
     *     to the master are protected
     */
    public record Settings(
            String workerId,
            String endpoint,
            String host,
            int dataPort,
            int slots,
            Path dir,
            Duration heartbeatInterval,
            Duration rpcDeadline,
            Config network,
            FileSystemRegistry fileSystems,
            TransportSecurity security) {
        public Settings(
                String workerId,
                String endpoint,
                String host,
                int dataPort,
                int slots,
                Path dir,
                Duration heartbeatInterval,
                Duration rpcDeadline,
                Config network,
                FileSystemRegistry fileSystems) {
            this(
                    workerId,
                    endpoint,
                    host,
                    dataPort,
                    slots,
                    dir,
                    heartbeatInterval,
                    rpcDeadline,
                    network,
                    fileSystems,
                    TransportSecurity.plain());
        }

        /** These settings with the exchange and the master calls protected by {@code security}. */
        public Settings withSecurity(TransportSecurity security) {
            return new Settings(
                    workerId,
                    endpoint,
                    host,
                    dataPort,
                    slots,
                    dir,
                    heartbeatInterval,
                    rpcDeadline,
                    network,
                    fileSystems,
                    security);
        }

        public static Settings from(
                Config config,
                String workerId,
                String endpoint,
                String host,
                Path dir,
                Duration rpcDeadline,
                FileSystemRegistry fileSystems) {
            return new Settings(
                    workerId,
                    endpoint,
                    host,
                    config.get(DataflowConfig.STREAM_DATA_PORT),
                    config.get(DataflowConfig.STREAM_SLOTS),
                    dir,
                    config.get(DataflowConfig.STREAM_HEARTBEAT_INTERVAL),
                    rpcDeadline,
                    config,
                    fileSystems);
        }
    }

    private final NetworkEndpoint network;
    private final StreamTaskExecutor executor;

    private StreamWorker(NetworkEndpoint network, StreamTaskExecutor executor) {
        this.network = network;
        this.executor = executor;
    }

    /**
     * A worker listening on its data port, not yet registered: call {@link #start}.
     *
     * @param masterLocator the active master's RPC endpoint, or null while none is known
     */
    public static StreamWorker create(Settings settings, Supplier<String> masterLocator, Clock clock)
            throws IOException {
        return create(settings, masterLocator, clock, new SimpleMeterRegistry());
    }

    /**
     * {@link #create(Settings, Supplier, Clock)}, recording into {@code meters} the worker's totals
     * over its runs: {@code cairn_stream_records_in_total}, {@code cairn_stream_records_out_total}
     * and {@code cairn_stream_backpressure_seconds_total}. The other overload records into a
     * registry of its own.
     */
    public static StreamWorker create(
            Settings settings, Supplier<String> masterLocator, Clock clock, MeterRegistry meters) throws IOException {
        NetworkEndpoint network = NetworkEndpoint.start(
                settings.workerId(),
                new InetSocketAddress(settings.host(), settings.dataPort()),
                NetworkSettings.from(settings.network()).withSecurity(settings.security()),
                clock);
        StreamTaskExecutor executor = new StreamTaskExecutor(
                new StreamTaskExecutor.Settings(
                        settings.workerId(),
                        settings.endpoint(),
                        settings.slots(),
                        settings.dir(),
                        settings.heartbeatInterval(),
                        settings.rpcDeadline(),
                        settings.fileSystems()),
                masterLocator,
                network,
                clock,
                new StreamMeters.Worker(meters));
        return new StreamWorker(network, executor);
    }

    public void start() {
        executor.start();
    }

    /** Where other workers reach this one's stream network endpoint. */
    public InetSocketAddress dataAddress() {
        return network.address();
    }

    /** The most bytes this worker's network buffers held at once: bounded by the network keys, whatever the load. */
    public long peakNetworkBufferBytes() {
        return network.peakBufferedBytes();
    }

    @Override
    public void close() {
        executor.close();
        network.close();
    }
}
