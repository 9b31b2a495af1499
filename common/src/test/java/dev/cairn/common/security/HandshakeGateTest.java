package dev.cairn.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.testing.TestPki;
import dev.cairn.common.time.Clock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HandshakeGateTest {
    @TempDir
    Path dir;

    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    /** Accepts one connection and admits it through a gate, returning the peer or the refusal. */
    private Future<String> admitOne(ServerSocket server) {
        HandshakeGate gate = new HandshakeGate("test port " + server.getLocalPort(), Clock.system());
        return executor.submit(() -> {
            try (Socket s = server.accept()) {
                Optional<CairnPrincipal> peer = gate.admit(s, 10_000);
                return peer.map(Object::toString).orElse("plain");
            } catch (IOException e) {
                return e.getMessage();
            }
        });
    }

    private static ServerSocket bind(TransportSecurity security) throws IOException {
        ServerSocket s = security.newServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return s;
    }

    @Test
    void aCertificateOfTheClusterIsAdmittedAndNamed() throws Exception {
        TestPki pki = TestPki.under(dir);
        try (ServerSocket server = bind(pki.node("server"))) {
            Future<String> seen = admitOne(server);
            try (Socket c = pki.user("alice")
                    .connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 10_000)) {
                assertThat(c.isConnected()).isTrue();
                assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo("user alice");
            }
        }
    }

    @Test
    void aPlainTextPeerIsRefusedInOneLineNamingItAndThePort() throws Exception {
        TestPki pki = TestPki.under(dir);
        try (ServerSocket server = bind(pki.node("server"))) {
            Future<String> seen = admitOne(server);
            try (Socket c = new Socket()) {
                c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 10_000);
                c.getOutputStream().write("hello\r\n".getBytes(StandardCharsets.US_ASCII));
                String refusal = seen.get(10, TimeUnit.SECONDS);
                assertThat(refusal)
                        .startsWith("refused a plain-text connection from /127.0.0.1:" + c.getLocalPort())
                        .contains("on the secure test port " + server.getLocalPort())
                        .doesNotContain("\n");
            }
        }
    }

    @Test
    void aPlainSocketPassesThroughAPlainGate() throws Exception {
        try (ServerSocket server = bind(TransportSecurity.plain())) {
            Future<String> seen = admitOne(server);
            try (Socket c = TransportSecurity.plain()
                    .connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 10_000)) {
                assertThat(c.isConnected()).isTrue();
                assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo("plain");
            }
        }
    }

    @Test
    void aPeerOfAnotherCaIsRefused() throws Exception {
        TestPki pki = TestPki.under(dir);
        try (ServerSocket server = bind(pki.node("server"))) {
            Future<String> seen = admitOne(server);
            assertThatThrownBy(() -> pki.foreignNode("x")
                            .connect(
                                    new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()),
                                    10_000))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("TLS handshake with");
            assertThat(seen.get(10, TimeUnit.SECONDS)).startsWith("refused a TLS connection from");
        }
    }
}
