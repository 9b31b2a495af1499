package dev.cairn.dataflow.internal.network;

import dev.cairn.common.config.Config;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.dataflow.DataflowConfig;
import java.time.Duration;

/**
 * The network settings of one node, read from {@link DataflowConfig}'s keys.
 *
 * @param bufferSize bytes of one network buffer ({@code S})
 * @param buffersPerChannel exclusive credits per remote input channel, and buffers a producer
 *     queues per channel ({@code B})
 * @param floatingBuffersPerGate buffers a remote gate lends to channels with a backlog ({@code F})
 * @param connectTimeout bound on connecting to a peer and exchanging preambles (and on the TLS
 *     handshake)
 * @param security plain text, or mutual TLS for the exchange port and every connection this node
 *     dials, as well as this worker's RPCs to the master
 */
public record NetworkSettings(
        int bufferSize,
        int buffersPerChannel,
        int floatingBuffersPerGate,
        Duration connectTimeout,
        TransportSecurity security) {
    public NetworkSettings {
        if (bufferSize < 64 || buffersPerChannel < 1 || floatingBuffersPerGate < 0)
            throw new IllegalArgumentException("bad network settings: buffer size " + bufferSize + ", "
                    + buffersPerChannel + " buffers per channel, " + floatingBuffersPerGate + " floating");
        java.util.Objects.requireNonNull(security, "security");
    }

    /** Plain-text settings. */
    public NetworkSettings(int bufferSize, int buffersPerChannel, int floatingBuffersPerGate, Duration connectTimeout) {
        this(bufferSize, buffersPerChannel, floatingBuffersPerGate, connectTimeout, TransportSecurity.plain());
    }

    /** These settings with connections protected by {@code security}. */
    public NetworkSettings withSecurity(TransportSecurity security) {
        return new NetworkSettings(bufferSize, buffersPerChannel, floatingBuffersPerGate, connectTimeout, security);
    }

    public static NetworkSettings from(Config config) {
        return new NetworkSettings(
                Math.toIntExact(config.get(DataflowConfig.NETWORK_BUFFER_SIZE)),
                config.get(DataflowConfig.NETWORK_BUFFERS_PER_CHANNEL),
                config.get(DataflowConfig.NETWORK_FLOATING_BUFFERS_PER_GATE),
                config.get(DataflowConfig.NETWORK_CONNECT_TIMEOUT));
    }

    public static NetworkSettings defaults() {
        return new NetworkSettings(
                Math.toIntExact(DataflowConfig.NETWORK_BUFFER_SIZE.defaultValue()),
                DataflowConfig.NETWORK_BUFFERS_PER_CHANNEL.defaultValue(),
                DataflowConfig.NETWORK_FLOATING_BUFFERS_PER_GATE.defaultValue(),
                DataflowConfig.NETWORK_CONNECT_TIMEOUT.defaultValue());
    }

    /** The most bytes of buffers a producer holds for one outgoing channel: {@code (B + 1) * S}. */
    public long producerBytesPerChannel() {
        return (long) (buffersPerChannel + 1) * bufferSize;
    }

    /** The most bytes of buffers a remote gate with {@code channels} inputs holds: {@code (B * n + F) * S}. */
    public long gateBytes(int channels) {
        return ((long) buffersPerChannel * channels + floatingBuffersPerGate) * bufferSize;
    }
}
