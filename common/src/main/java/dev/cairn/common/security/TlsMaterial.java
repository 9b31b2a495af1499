package dev.cairn.common.security;

import dev.cairn.common.time.Clock;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One party's TLS material, read from PEM files: its {@link Identity} (key and certificate chain)
 * and the CA certificates it trusts. Both are re-read when their files change, checked at most once
 * per {@code recheck} when a handshake asks for them, so certificates rotate without a restart: new
 * connections use the new files, open ones keep their session. A file that fails to load keeps the
 * last good material in use and is logged once per change.
 *
 * <p>The key and trust managers are the JDK's; every TLS stack Cairn uses (JSSE sockets and
 * engines, gRPC's Netty, the JDK's HTTPS server) takes them as they are.
 */
public final class TlsMaterial {
    private static final Logger LOG = LoggerFactory.getLogger(TlsMaterial.class);
    private static final String ALIAS = "cairn";

    private final Path identityFile;
    private final Path trustFile;
    private final Clock clock;
    private final long recheckNanos;
    private final Object lock = new Object();

    private volatile Loaded loaded;
    private long nextCheckNanos;

    /** What was read, with the files' stamps at reading. */
    private record Loaded(
            Identity identity,
            List<X509Certificate> trusted,
            X509ExtendedTrustManager trustManager,
            Stamp identityStamp,
            Stamp trustStamp) {}

    private record Stamp(FileTime modified, long size) {
        static Stamp of(Path file) throws IOException {
            return new Stamp(Files.getLastModifiedTime(file), Files.size(file));
        }
    }

    private TlsMaterial(Path identityFile, Path trustFile, Clock clock, Duration recheck, Loaded loaded) {
        this.identityFile = identityFile;
        this.trustFile = trustFile;
        this.clock = clock;
        this.recheckNanos = recheck.toNanos();
        this.loaded = loaded;
        this.nextCheckNanos = clock.nanos() + recheckNanos;
    }

    /**
     * Reads the material.
     *
     * @param identityFile PEM with this party's private key and certificate chain
     * @param trustFile PEM with the CA certificates to trust
     * @param recheck how often, at most, the files are checked for changes
     * @throws IOException naming the file and what is wrong with it
     */
    public static TlsMaterial load(Path identityFile, Path trustFile, Duration recheck, Clock clock)
            throws IOException {
        return new TlsMaterial(identityFile, trustFile, clock, recheck, read(identityFile, trustFile));
    }

    private static Loaded read(Path identityFile, Path trustFile) throws IOException {
        Stamp idStamp = Stamp.of(identityFile);
        Stamp trustStamp = Stamp.of(trustFile);
        Identity identity = Identity.read(identityFile);
        List<X509Certificate> trusted = Pem.read(trustFile).certificates();
        if (trusted.isEmpty()) throw new IOException(trustFile + " holds no CA certificate");
        return new Loaded(identity, trusted, trustManager(trustFile, trusted), idStamp, trustStamp);
    }

    private static X509ExtendedTrustManager trustManager(Path trustFile, List<X509Certificate> trusted)
            throws IOException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < trusted.size(); i++) store.setCertificateEntry("ca-" + i, trusted.get(i));
            TrustManagerFactory f = TrustManagerFactory.getInstance("PKIX");
            f.init(store);
            for (TrustManager tm : f.getTrustManagers()) if (tm instanceof X509ExtendedTrustManager x) return x;
            throw new IllegalStateException("the JDK's PKIX trust manager factory made no X.509 trust manager");
        } catch (GeneralSecurityException e) {
            throw new IOException(trustFile + ": cannot trust its certificates: " + e.getMessage(), e);
        }
    }

    /** The material now in use, re-read first when the recheck interval has passed and a file changed. */
    private Loaded current() {
        long now = clock.nanos();
        synchronized (lock) {
            if (now - nextCheckNanos < 0) return loaded;
            nextCheckNanos = now + recheckNanos;
            Loaded old = loaded;
            try {
                if (Stamp.of(identityFile).equals(old.identityStamp())
                        && Stamp.of(trustFile).equals(old.trustStamp())) return old;
                Loaded fresh = read(identityFile, trustFile);
                loaded = fresh;
                LOG.info(
                        "reloaded TLS material: {} (serial {}, valid until {}), {} trusted CA certificate(s)",
                        fresh.identity().certificate().getSubjectX500Principal().getName(),
                        fresh.identity().certificate().getSerialNumber().toString(16),
                        fresh.identity().certificate().getNotAfter().toInstant(),
                        fresh.trusted().size());
                return fresh;
            } catch (IOException | RuntimeException e) {
                LOG.warn("keeping the TLS material in use: cannot reload it: {}", e.getMessage());
                return old;
            }
        }
    }

    /** This party's identity now in use. */
    public Identity identity() {
        return current().identity();
    }

    /** The CA certificates trusted now. */
    public List<X509Certificate> trusted() {
        return current().trusted();
    }

    /** The principal this party's certificate names. */
    public CairnPrincipal principal() {
        X509Certificate c = identity().certificate();
        return CairnPrincipal.of(c)
                .orElseThrow(() -> new IllegalStateException(identityFile + ": the certificate's subject "
                        + c.getSubjectX500Principal() + " names no Cairn node or user"));
    }

    /** A key manager presenting this party's current identity. */
    public X509ExtendedKeyManager keyManager() {
        return new ReloadingKeyManager();
    }

    /** A trust manager checking peers against the currently trusted CAs (and their validity dates). */
    public X509ExtendedTrustManager trustManager() {
        return new ReloadingTrustManager();
    }

    /**
     * A TLS 1.3/1.2 context with this material. A server made from it must still ask for client
     * certificates itself ({@code setNeedClientAuth(true)}).
     */
    public SSLContext sslContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {keyManager()}, new TrustManager[] {trustManager()}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make a TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * A trust manager for the CA certificates in {@code trustFile}, read once: for a client that
     * holds no certificate and only checks the server's (a client authenticating with a token).
     *
     * @throws IOException naming the file and what is wrong with it
     */
    public static X509ExtendedTrustManager trustOnly(Path trustFile) throws IOException {
        List<X509Certificate> trusted = Pem.read(trustFile).certificates();
        if (trusted.isEmpty()) throw new IOException(trustFile + " holds no CA certificate");
        return trustManager(trustFile, trusted);
    }

    /** Protocols every Cairn endpoint allows. */
    public static String[] protocols() {
        return new String[] {"TLSv1.3", "TLSv1.2"};
    }

    private final class ReloadingKeyManager extends X509ExtendedKeyManager {
        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return current().identity().chain().toArray(X509Certificate[]::new);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return current().identity().key();
        }
    }

    private final class ReloadingTrustManager extends X509ExtendedTrustManager {
        private X509ExtendedTrustManager delegate() {
            return current().trustManager();
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate().checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            delegate().checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate().checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            delegate().checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate().checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate().checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate().getAcceptedIssuers();
        }
    }
}
