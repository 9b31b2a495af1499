package dev.cairn.rpc;

/**
 * A service a node serves on its {@link RpcServer}: made by the module that implements it (coord,
 * store, batch) and handed to the node as an opaque value, so that the node composes services
 * without seeing the transport. The one implementation is {@link dev.cairn.rpc.grpc.GrpcService}.
 */
public interface RpcService {}
