package dev.cairn.rpc.grpc;

import dev.cairn.common.security.BearerTokens;
import dev.cairn.common.security.CairnPrincipal;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Puts the caller's {@link CairnPrincipal} into the call's context, where {@link
 * dev.cairn.rpc.RpcCaller#current()} finds it: the one its TLS client certificate names or, on a
 * server that accepts tokens and for a client that sent no certificate, the user of the token in
 * its {@code authorization: Bearer} metadata. Any other call is refused as UNAUTHENTICATED with a
 * one-line reason (the handshake already refused certificates not of the cluster's CA).
 */
public final class PrincipalInterceptor implements ServerInterceptor {
    private static final Context.Key<CairnPrincipal> CALLER = Context.key("cairn-caller");
    private static final Context.Key<List<String>> GROUPS = Context.key("cairn-caller-groups");
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Optional<BearerTokens> tokens;
    private final String port;

    /** A certificate-only interceptor. */
    public PrincipalInterceptor() {
        this(Optional.empty(), "RPC port");
    }

    /**
     * @param tokens the tokens accepted from clients without a certificate; empty: none
     * @param port what the port is, for refusal log lines
     */
    public PrincipalInterceptor(Optional<BearerTokens> tokens, String port) {
        this.tokens = tokens;
        this.port = port;
    }

    /** The principal of the call this thread serves, if it came over TLS. */
    public static Optional<CairnPrincipal> current() {
        return Optional.ofNullable(CALLER.get());
    }

    /** The groups the certificate of the call this thread serves names; none for a token or plain text. */
    public static List<String> currentGroups() {
        List<String> groups = GROUPS.get();
        return groups == null ? List.of() : groups;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session != null && !hasCertificate(session) && tokens.isPresent()) {
            BearerTokens.Outcome outcome = tokens.get()
                    .authenticate(
                            headers.get(AUTHORIZATION),
                            port,
                            call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
            return switch (outcome) {
                case BearerTokens.Outcome.Accepted a -> proceed(a.principal(), List.of(), call, headers, next);
                case BearerTokens.Outcome.Refused r -> refuse(call, r.reason());
            };
        }
        Optional<CairnPrincipal> principal = session == null ? Optional.empty() : CairnPrincipal.of(session);
        if (principal.isEmpty())
            return refuse(call, "the client's certificate names no Cairn node or user (subject CN=name, OU=node|user)");
        return proceed(principal.get(), CairnPrincipal.groups(session), call, headers, next);
    }

    private static <Q, R> ServerCall.Listener<Q> proceed(
            CairnPrincipal principal,
            List<String> groups,
            ServerCall<Q, R> call,
            Metadata headers,
            ServerCallHandler<Q, R> next) {
        return Contexts.interceptCall(
                Context.current().withValues(CALLER, principal, GROUPS, groups), call, headers, next);
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, String reason) {
        call.close(Status.UNAUTHENTICATED.withDescription(reason), new Metadata());
        return new ServerCall.Listener<>() {};
    }

    private static boolean hasCertificate(SSLSession session) {
        try {
            return session.getPeerCertificates().length > 0;
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }
}
