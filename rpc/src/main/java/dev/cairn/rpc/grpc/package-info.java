/**
 * The transport toolkit for the modules that implement Cairn's RPC services (coord, store,
 * batch): channels, the error contract ({@link dev.cairn.rpc.grpc.Rpc}) and services as
 * {@link dev.cairn.rpc.RpcService} values. It is the one public package that shows gRPC types,
 * and an architecture test keeps it out of reach of the node, the CLI and user code, which see only
 * {@code dev.cairn.rpc}.
 */
package dev.cairn.rpc.grpc;
