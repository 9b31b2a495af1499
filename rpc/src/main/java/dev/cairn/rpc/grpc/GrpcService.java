package dev.cairn.rpc.grpc;

import dev.cairn.rpc.RpcService;
import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import java.util.Objects;

/**
 * A gRPC service as an {@link RpcService}: what a module that implements one hands to the node.
 *
 * @param definition the service with any interceptors already applied
 */
public record GrpcService(ServerServiceDefinition definition) implements RpcService {
    public GrpcService {
        Objects.requireNonNull(definition, "definition");
    }

    public static GrpcService of(BindableService service) {
        return new GrpcService(service.bindService());
    }

    /** This service behind {@code interceptor}, which sees every call first. */
    public GrpcService intercepted(ServerInterceptor interceptor) {
        return new GrpcService(ServerInterceptors.intercept(definition, interceptor));
    }
}
