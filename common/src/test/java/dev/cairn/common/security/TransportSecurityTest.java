package dev.cairn.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.time.ManualClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransportSecurityTest {
    private static final Duration YEAR = Duration.ofDays(365);

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(System.currentTimeMillis());
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private SecurityLayout layout;

    @BeforeEach
    void material() throws IOException {
        layout = SecurityLayout.under(dir);
        CertificateAuthority ca = layout.initialize("t", YEAR, clock);
        ca.issueNode("server", List.of("127.0.0.1"), YEAR).write(layout.node("server"));
        ca.issueNode("elsewhere", List.of("10.9.9.9", "elsewhere.example"), YEAR)
                .write(layout.node("elsewhere"));
        ca.issueUser("client", YEAR).write(layout.user("client"));
    }

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private TransportSecurity node(String name) throws IOException {
        return TransportSecurity.mutualTls(layout.nodeMaterial(name, Duration.ZERO, clock));
    }

    /** Accepts one connection and echoes one line, returning the peer the server saw. */
    private Future<String> echoOnce(ServerSocket server) {
        return executor.submit(() -> {
            try (Socket s = server.accept()) {
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                int b = in.read();
                OutputStream out = s.getOutputStream();
                out.write(b);
                out.flush();
                return s instanceof SSLSocket ssl
                        ? CairnPrincipal.of(ssl.getSession()).orElseThrow().toString()
                        : "plain";
            }
        });
    }

    private static int roundTrip(Socket s) throws IOException {
        s.getOutputStream().write(42);
        s.getOutputStream().flush();
        return s.getInputStream().read();
    }

    private static ServerSocket bind(TransportSecurity security) throws IOException {
        ServerSocket server = security.newServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        server.setSoTimeout(10_000);
        return server;
    }

    @Test
    void mutualTlsCarriesBytesAndNamesThePeer() throws Exception {
        try (ServerSocket server = bind(node("server"))) {
            Future<String> peer = echoOnce(server);
            TransportSecurity client = TransportSecurity.mutualTls(layout.userMaterial("client", Duration.ZERO, clock));
            try (Socket s = client.connect(new InetSocketAddress("127.0.0.1", server.getLocalPort()), 5_000)) {
                assertThat(roundTrip(s)).isEqualTo(42);
            }
            assertThat(peer.get(10, TimeUnit.SECONDS)).isEqualTo("user client");
        }
    }

    @Test
    void aPlainClientGetsNothingFromATlsServer() throws Exception {
        try (ServerSocket server = bind(node("server"))) {
            Future<String> peer = echoOnce(server);
            try (Socket s = TransportSecurity.plain()
                    .connect(new InetSocketAddress("127.0.0.1", server.getLocalPort()), 5_000)) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                // the server answers a plain-text request with at most a TLS alert, never an echo
                int first = s.getInputStream().read();
                assertThat(first).isIn(-1, 0x15);
            } catch (IOException e) {
                assertThat(e.getMessage()).isNotEmpty(); // reset by the server: refused all the same
            }
            assertThatThrownBy(() -> peer.get(10, TimeUnit.SECONDS)).hasMessageContaining("SSL");
        }
    }

    @Test
    void aServerWhoseCertificateDoesNotNameTheDialledHostIsRefused() throws Exception {
        try (ServerSocket server = bind(node("elsewhere"))) {
            echoOnce(server);
            TransportSecurity client = TransportSecurity.mutualTls(layout.userMaterial("client", Duration.ZERO, clock));
            assertThatThrownBy(() -> client.connect(new InetSocketAddress("127.0.0.1", server.getLocalPort()), 5_000))
                    .hasMessageContaining("TLS handshake with")
                    .hasMessageContaining("127.0.0.1");
        }
    }
}
