package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.config.Config;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.testing.TestPki;
import dev.cairn.common.time.Clock;
import dev.cairn.node.internal.ops.NodeMetrics;
import dev.cairn.node.internal.ops.OpsServer;
import dev.cairn.node.internal.ops.OpsSources;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node's TLS material from its configuration, and its HTTPS server with real certificates. */
class NodeTlsTest {
    @TempDir
    Path dir;

    private TestPki pki;

    @BeforeEach
    void certificates() {
        pki = TestPki.under(dir);
    }

    private static Config config(Map<String, String> values) {
        return Config.load(NodeConfig.DEF, null, Map.of(), values);
    }

    @Test
    void securityIsOffByDefault() throws IOException {
        assertThat(CairnNode.transportSecurity(config(Map.of()), "n1", dir.resolve("n1"), Clock.system()))
                .isInstanceOf(TransportSecurity.Plain.class);
    }

    @Test
    void aNodeFindsItsCertificateBesideItsDirectory() throws IOException {
        pki.node("n1");
        TransportSecurity s = CairnNode.transportSecurity(
                config(Map.of("security.enabled", "true")), "n1", dir.resolve("n1"), Clock.system());
        assertThat(s.tls().orElseThrow().principal().toString()).isEqualTo("node n1");
    }

    @Test
    void aMissingCertificateIsNamedWithTheCommandThatMakesIt() {
        assertThatThrownBy(() -> CairnNode.transportSecurity(
                        config(Map.of("security.enabled", "true")), "n2", dir.resolve("n2"), Clock.system()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(dir.resolve("security/nodes/n2.pem").toString())
                .hasMessageContaining("bin/cairn security init");
    }

    @Test
    void aUsersCertificateCannotServeAsANodes() {
        pki.user("alice");
        assertThatThrownBy(() -> CairnNode.transportSecurity(
                        config(Map.of(
                                "security.enabled",
                                "true",
                                "security.identity",
                                pki.layout().user("alice").toString())),
                        "n3",
                        dir.resolve("n3"),
                        Clock.system()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not of a node");
    }

    @Test
    void theHttpsServerServesClientsWithACertificateOnly() throws Exception {
        TransportSecurity node = pki.node("n1");
        try (OpsServer ops = OpsServer.start(
                "127.0.0.1",
                0,
                new OpsSources(
                        "n1", List.of("worker"), "127.0.0.1:1", null, null, List::of, null, null, null, null, null),
                Clock.system(),
                new NodeMetrics("n1", List.of("worker")),
                node)) {
            assertThat(ops.url()).startsWith("https://127.0.0.1:");
            URI metrics = URI.create(ops.url() + "metrics");
            SSLContext alice = ((TransportSecurity.MutualTls) pki.user("alice")).context();
            HttpResponse<String> ok = get(alice, metrics);
            assertThat(ok.statusCode()).isEqualTo(200);

            SSLContext anonymous = SSLContext.getInstance("TLS");
            anonymous.init(null, new TrustManager[] {node.tls().orElseThrow().trustManager()}, null);
            assertThatThrownBy(() -> get(anonymous, metrics)).isInstanceOf(IOException.class);
            SSLContext foreign = ((TransportSecurity.MutualTls) pki.foreignNode("x")).context();
            assertThatThrownBy(() -> get(foreign, metrics)).isInstanceOf(IOException.class);
        }
    }

    private static HttpResponse<String> get(SSLContext context, URI uri)
            throws IOException, InterruptedException, GeneralSecurityException {
        try (HttpClient client = HttpClient.newBuilder()
                .sslContext(context)
                .connectTimeout(Duration.ofSeconds(10))
                .build()) {
            return client.send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void theLayoutDirectoryIsPrivate() throws IOException {
        assertThat(Files.getPosixFilePermissions(pki.layout().root()).toString())
                .isEqualTo("[OWNER_READ, OWNER_WRITE, OWNER_EXECUTE]");
    }
}
