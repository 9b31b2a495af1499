package dev.cairn.rpc;

import dev.cairn.rpc.grpc.GrpcService;
import dev.cairn.rpc.grpc.Rpc;
import dev.cairn.rpc.internal.CallMetrics;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC server on one TCP address. Handlers run on virtual threads, so a handler may block
 * (waiting for a component's event loop, reading a file) without starving the transport.
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
     * Binds {@code host:port} (port 0 lets the OS choose) and starts serving.
     *
     * @throws IOException naming the address when it cannot be bound
     */
    public static RpcServer start(String host, int port, List<RpcService> services) throws IOException {
        return start(host, port, services, new SimpleMeterRegistry());
    }

    /**
     * Binds {@code host:port} (port 0 lets the OS choose) and starts serving, timing every call
     * into {@code meters} as the histogram {@code cairn_rpc_server_seconds{service, method,
     * status}}. The other overload records into a registry of its own, which nothing reads.
     *
     * @throws IOException naming the address when it cannot be bound
     */
    public static RpcServer start(String host, int port, List<RpcService> services, MeterRegistry meters)
            throws IOException {
        CallMetrics calls = new CallMetrics(meters);
        ExecutorService executor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("rpc-", 0).factory());
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .executor(executor)
                .maxInboundMessageSize(Rpc.MAX_MESSAGE_BYTES)
                .permitKeepAliveTime(10, TimeUnit.SECONDS);
        for (RpcService s : services)
            builder.addService(ServerInterceptors.intercept(((GrpcService) s).definition(), calls));
        Server server = builder.build();
        try {
            server.start();
        } catch (IOException e) {
            executor.shutdownNow();
            throw new IOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        return new RpcServer(server, executor, host);
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
