package dev.cairn.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.time.ManualClock;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real TLS handshakes on loopback with material made by {@link CertificateAuthority}. */
class TlsMaterialTest {
    private static final Duration YEAR = Duration.ofDays(365);

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(System.currentTimeMillis());
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    /** A server that accepts one connection, requires a client certificate and answers with the client's name. */
    private Future<String> serveOnce(SSLServerSocket server) {
        return executor.submit(() -> {
            try (SSLSocket s = (SSLSocket) server.accept()) {
                s.setSoTimeout(10_000);
                s.startHandshake();
                String peer = CairnPrincipal.of(s.getSession())
                        .map(CairnPrincipal::toString)
                        .orElse("?");
                new DataOutputStream(s.getOutputStream()).writeUTF(peer);
                return peer;
            }
        });
    }

    private SSLServerSocket server(TlsMaterial material) throws IOException {
        SSLServerSocket server = (SSLServerSocket) material.sslContext()
                .getServerSocketFactory()
                .createServerSocket(0, 5, InetAddress.getLoopbackAddress());
        server.setNeedClientAuth(true);
        server.setSoTimeout(10_000);
        return server;
    }

    /** Connects, verifying the server's certificate names 127.0.0.1, and returns what the server said. */
    private String connect(TlsMaterial material, int port) throws IOException {
        try (SSLSocket s = (SSLSocket) material.sslContext().getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            var params = s.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(params);
            s.startHandshake();
            return new DataInputStream(s.getInputStream()).readUTF();
        }
    }

    @Test
    void nodesAndUsersAuthenticateEachOtherAndTheServerLearnsWhoConnected() throws Exception {
        SecurityLayout layout = SecurityLayout.under(dir);
        CertificateAuthority ca = layout.initialize("test", YEAR, clock);
        ca.issueNode("node-1", List.of("localhost", "127.0.0.1"), YEAR).write(layout.node("node-1"));
        ca.issueUser("alice", YEAR).write(layout.user("alice"));

        TlsMaterial node = layout.nodeMaterial("node-1", Duration.ofSeconds(1), clock);
        TlsMaterial alice = layout.userMaterial("alice", Duration.ofSeconds(1), clock);
        assertThat(node.principal()).isEqualTo(new CairnPrincipal("node-1", CairnPrincipal.Kind.NODE));
        try (SSLServerSocket server = server(node)) {
            Future<String> seen = serveOnce(server);
            assertThat(connect(alice, server.getLocalPort())).isEqualTo("user alice");
            assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo("user alice");
        }
    }

    @Test
    void keysAreReadableByTheirOwnerOnlyAndTheCaReloadsFromDisk() throws Exception {
        SecurityLayout layout = SecurityLayout.under(dir);
        CertificateAuthority ca = layout.initialize("test", YEAR, clock);
        ca.issueUser("bob", YEAR).write(layout.user("bob"));
        assertThat(Files.getPosixFilePermissions(layout.user("bob")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.getPosixFilePermissions(layout.caIdentity()))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.getPosixFilePermissions(layout.root())).doesNotContain(PosixFilePermission.OTHERS_READ);

        CertificateAuthority again = layout.initialize("ignored", YEAR, clock);
        assertThat(again.certificate()).isEqualTo(ca.certificate());
        Identity carol = again.issueUser("carol", YEAR);
        carol.certificate().verify(ca.certificate().getPublicKey());
        assertThat(Identity.read(layout.caIdentity()).certificate()).isEqualTo(ca.certificate());
    }

    @Test
    void aClientOfAnotherCaIsRefused() throws Exception {
        SecurityLayout layout = SecurityLayout.under(dir.resolve("a"));
        layout.initialize("a", YEAR, clock)
                .issueNode("n", List.of("127.0.0.1"), YEAR)
                .write(layout.node("n"));
        SecurityLayout foreign = SecurityLayout.under(dir.resolve("b"));
        foreign.initialize("b", YEAR, clock).issueUser("mallory", YEAR).write(foreign.user("mallory"));
        // mallory trusts the real CA but holds a certificate of another one
        TlsMaterial mallory = TlsMaterial.load(foreign.user("mallory"), layout.caCertificate(), Duration.ZERO, clock);

        try (SSLServerSocket server = server(layout.nodeMaterial("n", Duration.ZERO, clock))) {
            Future<String> seen = serveOnce(server);
            assertThatThrownBy(() -> connect(mallory, server.getLocalPort())).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> seen.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(SSLException.class);
        }
    }

    @Test
    void anExpiredCertificateIsRefused() throws Exception {
        SecurityLayout layout = SecurityLayout.under(dir);
        CertificateAuthority ca = layout.initialize("test", YEAR, clock);
        ca.issueNode("n", List.of("127.0.0.1"), YEAR).write(layout.node("n"));
        // issued two days ago for one day (the JDK checks validity against the real time)
        CertificateAuthority past = CertificateAuthority.load(
                layout.caIdentity(),
                new ManualClock(System.currentTimeMillis() - Duration.ofDays(2).toMillis()));
        past.issueUser("old", Duration.ofDays(1)).write(layout.user("old"));

        try (SSLServerSocket server = server(layout.nodeMaterial("n", Duration.ZERO, clock))) {
            Future<String> seen = serveOnce(server);
            assertThatThrownBy(() -> connect(layout.userMaterial("old", Duration.ZERO, clock), server.getLocalPort()))
                    .isInstanceOf(IOException.class);
            assertThatThrownBy(() -> seen.get(10, TimeUnit.SECONDS)).hasRootCauseMessage(rootMessageOfExpiry(seen));
        }
    }

    private static String rootMessageOfExpiry(Future<String> seen) {
        try {
            seen.get(10, TimeUnit.SECONDS);
            return "no failure";
        } catch (Exception e) {
            Throwable t = e;
            while (t.getCause() != null) t = t.getCause();
            assertThat(t.getMessage()).contains("NotAfter");
            return t.getMessage();
        }
    }

    @Test
    void aRotatedCertificateIsPresentedOnNewConnectionsAfterTheRecheckInterval() throws Exception {
        SecurityLayout layout = SecurityLayout.under(dir);
        CertificateAuthority ca = layout.initialize("test", YEAR, clock);
        ca.issueNode("n", List.of("127.0.0.1"), YEAR).write(layout.node("n"));
        ca.issueUser("u", YEAR).write(layout.user("u"));
        TlsMaterial node = layout.nodeMaterial("n", Duration.ofSeconds(30), clock);
        BigInteger first = node.identity().certificate().getSerialNumber();

        Identity rotated = ca.issueNode("n", List.of("127.0.0.1"), YEAR);
        rotated.write(layout.node("n"));
        assertThat(node.identity().certificate().getSerialNumber()).isEqualTo(first); // not yet re-checked
        clock.advance(31, TimeUnit.SECONDS);
        assertThat(node.identity().certificate().getSerialNumber())
                .isEqualTo(rotated.certificate().getSerialNumber());

        // a broken file keeps the last good material
        Files.writeString(layout.node("n"), "not pem");
        clock.advance(31, TimeUnit.SECONDS);
        assertThat(node.identity().certificate().getSerialNumber())
                .isEqualTo(rotated.certificate().getSerialNumber());
        try (SSLServerSocket server = server(node)) {
            Future<String> seen = serveOnce(server);
            assertThat(connect(layout.userMaterial("u", Duration.ZERO, clock), server.getLocalPort()))
                    .isEqualTo("user u");
            seen.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void badFilesAndNamesAreNamedInTheError() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.pem"), "hello");
        assertThatThrownBy(() -> Identity.read(junk))
                .hasMessageContaining("junk.pem")
                .hasMessageContaining("no PEM");
        assertThatThrownBy(() -> Identity.read(dir.resolve("missing.pem"))).hasMessageContaining("missing.pem");
        SecurityLayout layout = SecurityLayout.under(dir);
        assertThatThrownBy(() -> layout.authority(clock)).hasMessageContaining("security init");
        CertificateAuthority ca = layout.initialize("t", YEAR, clock);
        assertThatThrownBy(() -> ca.issueUser("../etc", YEAR)).hasMessageContaining("not a valid name");
        assertThatThrownBy(() -> layout.user("a/b")).hasMessageContaining("not a valid");
    }

    @Test
    void aUserCertificateNamesItsGroupsAndStillTheSamePrincipal() {
        CertificateAuthority ca = CertificateAuthority.create("t", YEAR, clock);
        Identity alice = ca.issueUser("alice", List.of("ops", "eng"), YEAR);
        assertThat(CairnPrincipal.of(alice.certificate()))
                .contains(new CairnPrincipal("alice", CairnPrincipal.Kind.USER));
        assertThat(CairnPrincipal.groups(alice.certificate())).containsExactly("eng", "ops");
        assertThat(alice.certificate().getSubjectX500Principal().getName()).contains("OU=group:eng");
        assertThat(CairnPrincipal.groups(ca.issueUser("bob", YEAR).certificate()))
                .isEmpty();
        assertThatThrownBy(() -> ca.issueUser("carol", List.of("bad group"), YEAR))
                .hasMessageContaining("'bad group' is not a valid name");
    }
}
