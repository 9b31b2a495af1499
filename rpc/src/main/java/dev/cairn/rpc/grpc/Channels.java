package dev.cairn.rpc.grpc;

import dev.cairn.common.security.TlsMaterial;
import dev.cairn.common.security.TransportSecurity;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One channel per remote endpoint, shared by every caller in the process. gRPC channels
 * reconnect on their own, so a node that restarts on the same address is reached again.
 *
 * <p>With {@link TransportSecurity.MutualTls} every channel speaks TLS, presents this party's
 * certificate and checks that the server's certificate names the host dialled.
 */
public final class Channels implements AutoCloseable {
    private final ConcurrentHashMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final ChannelCredentials credentials;

    /** Channels in plain text. */
    public Channels() {
        this(TransportSecurity.plain());
    }

    public Channels(TransportSecurity security) {
        this.credentials = credentials(security);
    }

    /** The channel to {@code endpoint}, written {@code host:port}. */
    public ManagedChannel get(String endpoint) {
        return channels.computeIfAbsent(endpoint, this::open);
    }

    /** Closes the channel to one endpoint, e.g. of a node declared dead. */
    public void drop(String endpoint) {
        ManagedChannel c = channels.remove(endpoint);
        if (c != null) c.shutdownNow();
    }

    private ManagedChannel open(String endpoint) {
        return open(endpoint, credentials);
    }

    /** A channel of its own to {@code endpoint}, for a caller that manages it. */
    public static ManagedChannel open(String endpoint, TransportSecurity security) {
        return open(endpoint, credentials(security));
    }

    private static ManagedChannel open(String endpoint, ChannelCredentials credentials) {
        HostPort hp = HostPort.parse(endpoint);
        return NettyChannelBuilder.forAddress(hp.host(), hp.port(), credentials)
                .maxInboundMessageSize(Rpc.MAX_MESSAGE_BYTES)
                .build();
    }

    private static ChannelCredentials credentials(TransportSecurity security) {
        return switch (security) {
            case TransportSecurity.Plain p -> InsecureChannelCredentials.create();
            case TransportSecurity.MutualTls m -> {
                TlsMaterial material = m.material();
                yield TlsChannelCredentials.newBuilder()
                        .keyManager(material.keyManager())
                        .trustManager(material.trustManager())
                        .build();
            }
        };
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
