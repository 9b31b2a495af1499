package dev.cairn.rpc;

import dev.cairn.common.security.CairnPrincipal;
import dev.cairn.rpc.grpc.PrincipalInterceptor;
import java.util.Optional;

/**
 * Who made the RPC a handler is serving: the node or user its TLS client certificate names, or the
 * user of the token a client without a certificate presented (on a server that takes tokens). Empty
 * on a plain-text server (no one is authenticated there) and outside a handler.
 */
public final class RpcCaller {
    private RpcCaller() {}

    /** The authenticated caller of the call this thread serves. */
    public static Optional<CairnPrincipal> current() {
        return PrincipalInterceptor.current();
    }
}
