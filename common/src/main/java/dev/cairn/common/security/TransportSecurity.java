package dev.cairn.common.security;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How a node's or client's connections are protected: in plain text, or with TLS where both ends
 * present certificates of the cluster's CA (mutual TLS). Every server and client of Cairn that
 * opens a socket takes one, so one setting ({@code security.enabled}) turns TLS on for all of them.
 *
 * <p>With {@link MutualTls}, servers require a client certificate and clients check that the
 * server's certificate names the host they dialled (HTTPS-style endpoint identification).
 *
 * <p>{@link TokenTls} is a client's only: TLS in which the client checks the server's certificate
 * but presents none, and proves who it is with a bearer token on every call. Only the servers that
 * accept tokens (a master's RPC port, the HTTPS port) serve such a client; the others refuse it.
 */
public sealed interface TransportSecurity {
    /** No encryption and no authentication. */
    record Plain() implements TransportSecurity {}

    /** TLS with this party's material; peers must present certificates its CAs signed. */
    record MutualTls(TlsMaterial material, SSLContext context) implements TransportSecurity {
        public MutualTls(TlsMaterial material) {
            this(material, material.sslContext());
        }
    }

    /**
     * TLS without a client certificate, the client authenticating by {@code token} (sent by the RPC
     * and HTTPS clients on every call). Its {@code toString()} names the token's id only.
     */
    record TokenTls(X509ExtendedTrustManager trust, SSLContext context, AccessToken token)
            implements TransportSecurity {
        public TokenTls(X509ExtendedTrustManager trust, AccessToken token) {
            this(trust, trustingContext(trust), token);
        }

        private static SSLContext trustingContext(X509ExtendedTrustManager trust) {
            try {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, new TrustManager[] {trust}, null);
                return context;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK cannot make a TLS context: " + e.getMessage(), e);
            }
        }

        @Override
        public String toString() {
            return "TLS with " + token;
        }
    }

    static TransportSecurity plain() {
        return new Plain();
    }

    static TransportSecurity mutualTls(TlsMaterial material) {
        return new MutualTls(material);
    }

    /**
     * A client trusting the CA certificates in {@code trustFile} and authenticating by {@code token}.
     *
     * @throws IOException naming the file and what is wrong with it
     */
    static TransportSecurity token(Path trustFile, AccessToken token) throws IOException {
        return new TokenTls(TlsMaterial.trustOnly(trustFile), token);
    }

    /** Whether connections speak TLS (mutual, or a client's with a token). */
    default boolean enabled() {
        return !(this instanceof Plain);
    }

    /** The TLS material in use, when TLS is on. */
    default Optional<TlsMaterial> tls() {
        return this instanceof MutualTls m ? Optional.of(m.material()) : Optional.empty();
    }

    /** A "plain" or "mutual TLS" word for logs and error messages. */
    default String describe() {
        return switch (this) {
            case Plain p -> "plain text";
            case MutualTls m -> "mutual TLS";
            case TokenTls t -> "TLS with a token";
        };
    }

    /**
     * An unbound server socket: with TLS, one that requires client certificates. The handshake
     * happens on the first read or write of an accepted socket, or on {@link
     * SSLSocket#startHandshake()}, on the accepting side's thread, never on the acceptor's.
     */
    default ServerSocket newServerSocket() throws IOException {
        if (this instanceof TokenTls) throw new IllegalStateException("a token authenticates clients only");
        if (!(this instanceof MutualTls m)) return new ServerSocket();
        SSLServerSocket s =
                (SSLServerSocket) m.context().getServerSocketFactory().createServerSocket();
        s.setEnabledProtocols(TlsMaterial.protocols());
        s.setNeedClientAuth(true);
        return s;
    }

    /**
     * Connects to {@code address} within {@code timeoutMillis}; with TLS, completes the handshake
     * (bounded by the same timeout) and checks the server's certificate names the host dialled.
     *
     * @throws IOException naming the address, and with TLS why the handshake failed
     */
    default Socket connect(InetSocketAddress address, int timeoutMillis) throws IOException {
        Socket plain = new Socket();
        try {
            plain.connect(address, timeoutMillis);
            if (this instanceof Plain) return plain;
            String host = address.getHostString();
            SSLSocket s =
                    (SSLSocket) clientContext().getSocketFactory().createSocket(plain, host, address.getPort(), true);
            s.setSSLParameters(clientParameters(s.getSSLParameters()));
            int before = plain.getSoTimeout();
            s.setSoTimeout(timeoutMillis);
            try {
                s.startHandshake();
            } catch (IOException e) {
                throw new IOException("TLS handshake with " + address + " failed: " + e.getMessage(), e);
            }
            s.setSoTimeout(before);
            return s;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /** A server-side engine for a non-blocking server (requires a client certificate). */
    default SSLEngine serverEngine() {
        if (!(this instanceof MutualTls m))
            throw new IllegalStateException("a server needs mutual TLS, not " + describe());
        SSLEngine engine = m.context().createSSLEngine();
        engine.setUseClientMode(false);
        engine.setEnabledProtocols(TlsMaterial.protocols());
        engine.setNeedClientAuth(true);
        return engine;
    }

    /** A client-side engine that checks the server's certificate names {@code host}. */
    default SSLEngine clientEngine(String host, int port) {
        SSLEngine engine = clientContext().createSSLEngine(host, port);
        engine.setUseClientMode(true);
        engine.setSSLParameters(clientParameters(engine.getSSLParameters()));
        return engine;
    }

    private SSLContext clientContext() {
        return switch (this) {
            case Plain p -> throw new IllegalStateException("TLS is off");
            case MutualTls m -> m.context();
            case TokenTls t -> t.context();
        };
    }

    private static SSLParameters clientParameters(SSLParameters p) {
        p.setProtocols(TlsMaterial.protocols());
        p.setEndpointIdentificationAlgorithm("HTTPS");
        return p;
    }
}
