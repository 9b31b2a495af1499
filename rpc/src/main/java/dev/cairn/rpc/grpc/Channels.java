package dev.cairn.rpc.grpc;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One channel per remote endpoint, shared by every caller in the process. gRPC channels
 * reconnect on their own, so a node that restarts on the same address is reached again.
 */
public final class Channels implements AutoCloseable {
    private final ConcurrentHashMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    /** The channel to {@code endpoint}, written {@code host:port}. */
    public ManagedChannel get(String endpoint) {
        return channels.computeIfAbsent(endpoint, Channels::open);
    }

    /** Closes the channel to one endpoint, e.g. of a node declared dead. */
    public void drop(String endpoint) {
        ManagedChannel c = channels.remove(endpoint);
        if (c != null) c.shutdownNow();
    }

    private static ManagedChannel open(String endpoint) {
        HostPort hp = HostPort.parse(endpoint);
        return NettyChannelBuilder.forAddress(hp.host(), hp.port())
                .usePlaintext()
                .maxInboundMessageSize(Rpc.MAX_MESSAGE_BYTES)
                .build();
    }

    @Override
    public void close() {
        for (ManagedChannel c : channels.values()) c.shutdownNow();
        for (ManagedChannel c : channels.values()) {
            try {
                c.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        channels.clear();
    }
}
