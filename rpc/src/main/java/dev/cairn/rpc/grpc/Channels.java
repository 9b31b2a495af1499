package dev.cairn.rpc.grpc;

import dev.cairn.common.security.AccessToken;
import dev.cairn.common.security.TlsMaterial;
import dev.cairn.common.security.TransportSecurity;
import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.SecurityLevel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One channel per remote endpoint, shared by every caller in the process. gRPC channels
 * reconnect on their own, so a node that restarts on the same address is reached again.
 *
 * <p>With {@link TransportSecurity.MutualTls} every channel speaks TLS, presents this party's
 * certificate and checks that the server's certificate names the host dialled. With {@link
 * TransportSecurity.TokenTls} channels speak TLS without a client certificate and every call
 * carries {@code authorization: Bearer <token>}.
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
            case TransportSecurity.TokenTls t ->
                CompositeChannelCredentials.create(
                        TlsChannelCredentials.newBuilder()
                                .trustManager(t.trust())
                                .build(),
                        new Bearer(t.token()));
        };
    }

    /** Sends the token on every call, and only over a channel that encrypts it. */
    private static final class Bearer extends CallCredentials {
        private static final Metadata.Key<String> AUTHORIZATION =
                Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
        private final AccessToken token;

        Bearer(AccessToken token) {
            this.token = token;
        }

        @Override
        public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
            if (info.getSecurityLevel() != SecurityLevel.PRIVACY_AND_INTEGRITY) {
                applier.fail(Status.UNAUTHENTICATED.withDescription("a token is sent over TLS only"));
                return;
            }
            Metadata headers = new Metadata();
            headers.put(AUTHORIZATION, "Bearer " + token.text());
            applier.apply(headers);
        }
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
