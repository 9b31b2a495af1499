package dev.cairn.rpc.grpc;

import dev.cairn.common.security.CairnPrincipal;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * Puts the caller's {@link CairnPrincipal}, read from the certificate it presented in the TLS
 * handshake, into the call's context, where {@link dev.cairn.rpc.RpcCaller#current()} finds it.
 * A call over TLS whose certificate names no Cairn node or user is refused as UNAUTHENTICATED (the
 * handshake already refused connections without a certificate of the cluster's CA).
 */
public final class PrincipalInterceptor implements ServerInterceptor {
    private static final Context.Key<CairnPrincipal> CALLER = Context.key("cairn-caller");

    /** The principal of the call this thread serves, if it came over TLS. */
    public static Optional<CairnPrincipal> current() {
        return Optional.ofNullable(CALLER.get());
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        Optional<CairnPrincipal> principal = session == null ? Optional.empty() : CairnPrincipal.of(session);
        if (principal.isEmpty()) {
            call.close(
                    Status.UNAUTHENTICATED.withDescription(
                            "the client's certificate names no Cairn node or user (subject CN=name, OU=node|user)"),
                    new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return Contexts.interceptCall(Context.current().withValue(CALLER, principal.get()), call, headers, next);
    }
}
