package dev.cairn.rpc;

import dev.cairn.common.security.BearerTokens;
import dev.cairn.common.security.JulTlsRefusals;
import dev.cairn.common.security.TlsMaterial;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.rpc.grpc.GrpcService;
import dev.cairn.rpc.grpc.PrincipalInterceptor;
import dev.cairn.rpc.grpc.Rpc;
import dev.cairn.rpc.internal.CallMetrics;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

/**
 * A gRPC server on one TCP address. Handlers run on virtual threads, so a handler may block
 * (waiting for a component's event loop, reading a file) without starving the transport.
 *
 * <p>With {@link TransportSecurity.MutualTls} the server speaks only TLS and requires a client
 * certificate of the cluster's CA; handlers learn who called from {@link RpcCaller#current()}. A
 * plain-text client gets no answer: Netty fails its handshake and closes the connection. A server
 * given {@link BearerTokens} only <em>wants</em> a client certificate: a call without one is served
 * when it carries a valid token, and refused as UNAUTHENTICATED with a one-line reason otherwise.
 */
public final class RpcServer implements AutoCloseable {
    private final Server server;
    private final ExecutorService executor;
    private final String host;

    private RpcServer(Server server, ExecutorService executor, String host) {
        this.server = server;
        this.executor = executor;
        this.host = host;
    }

    /**
     * Binds {@code host:port} (port 0 lets the OS choose) and starts serving in plain text.
     *
     * @throws IOException naming the address when it cannot be bound
     */
    public static RpcServer start(String host, int port, List<RpcService> services) throws IOException {
        return start(host, port, services, TransportSecurity.plain(), new SimpleMeterRegistry());
    }

    /**
     * Binds {@code host:port} (port 0 lets the OS choose) and starts serving with {@code security};
     * calls are timed into a registry of its own, which nothing reads.
     *
     * @throws IOException naming the address when it cannot be bound
     */
    public static RpcServer start(String host, int port, List<RpcService> services, TransportSecurity security)
            throws IOException {
        return start(host, port, services, security, new SimpleMeterRegistry());
    }

    /**
     * Binds {@code host:port} (port 0 lets the OS choose) and starts serving with {@code security},
     * timing every call into {@code meters} as the histogram {@code cairn_rpc_server_seconds{service,
     * method, status}}.
     *
     * @throws IOException naming the address when it cannot be bound
     */
    public static RpcServer start(
            String host, int port, List<RpcService> services, TransportSecurity security, MeterRegistry meters)
            throws IOException {
        return start(host, port, services, security, meters, Optional.empty());
    }

    /**
     * As {@link #start(String, int, List, TransportSecurity, MeterRegistry)}; with mutual TLS and
     * {@code tokens}, clients without a certificate are served when they present a valid token.
     *
     * @throws IOException naming the address when it cannot be bound
     */
    public static RpcServer start(
            String host,
            int port,
            List<RpcService> services,
            TransportSecurity security,
            MeterRegistry meters,
            Optional<BearerTokens> tokens)
            throws IOException {
        CallMetrics calls = new CallMetrics(meters);
        ExecutorService executor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("rpc-", 0).factory());
        NettyServerBuilder builder = NettyServerBuilder.forAddress(
                        new InetSocketAddress(host, port), credentials(security, tokens.isPresent()))
                .executor(executor)
                .maxInboundMessageSize(Rpc.MAX_MESSAGE_BYTES)
                .permitKeepAliveTime(10, TimeUnit.SECONDS);
        for (RpcService s : services)
            builder.addService(ServerInterceptors.intercept(((GrpcService) s).definition(), calls));
        if (security.enabled()) {
            builder.intercept(new PrincipalInterceptor(tokens, port == 0 ? "RPC port" : "RPC port " + port));
            // gRPC's Netty transport reports a refused handshake only at JUL's FINER level.
            JulTlsRefusals.install(
                    "io.grpc.netty.shaded.io.grpc.netty.ProtocolNegotiators",
                    Level.FINER,
                    "RPC port",
                    r -> r.getMessage() != null && r.getMessage().startsWith("TLS negotiation failed"));
        }
        Server server = builder.build();
        try {
            server.start();
        } catch (IOException e) {
            executor.shutdownNow();
            throw new IOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        return new RpcServer(server, executor, host);
    }

    private static ServerCredentials credentials(TransportSecurity security, boolean tokens) {
        return switch (security) {
            case TransportSecurity.Plain p -> io.grpc.InsecureServerCredentials.create();
            case TransportSecurity.MutualTls m -> {
                TlsMaterial material = m.material();
                yield TlsServerCredentials.newBuilder()
                        .keyManager(material.keyManager())
                        .trustManager(material.trustManager())
                        .clientAuth(
                                tokens
                                        ? TlsServerCredentials.ClientAuth.OPTIONAL
                                        : TlsServerCredentials.ClientAuth.REQUIRE)
                        .build();
            }
            case TransportSecurity.TokenTls t ->
                throw new IllegalArgumentException("a server needs mutual TLS: a token authenticates clients only");
        };
    }

    public int port() {
        return server.getPort();
    }

    public String endpoint() {
        return host + ":" + port();
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(2, TimeUnit.SECONDS))
                server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
    }
}
