package dev.cairn.node.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cairn.common.config.Config;
import dev.cairn.common.security.CertificateAuthority;
import dev.cairn.common.security.SecurityLayout;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.time.Clock;
import dev.cairn.coord.CoordConfig;
import dev.cairn.coord.CoordService;
import dev.cairn.node.CoordClientSecurity;
import dev.cairn.node.NodeConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's coord client (Curator) against a coord member whose client port speaks mutual TLS: with
 * the node's own PEM files it registers and wins the master election; without them it never
 * gets a session. Two clients with different identities share this JVM, so nothing goes through
 * System properties.
 */
class NodeCoordinationTlsTest {
    private static final Duration YEAR = Duration.ofDays(365);

    @TempDir
    Path dir;

    private SecurityLayout layout;
    private CoordService coord;

    @BeforeEach
    void start() throws Exception {
        layout = SecurityLayout.under(dir);
        CertificateAuthority ca = layout.initialize("test", YEAR, Clock.system());
        ca.issueNode("n1", List.of("localhost", "127.0.0.1"), YEAR).write(layout.node("n1"));
        ca.issueNode("n2", List.of("localhost", "127.0.0.1"), YEAR).write(layout.node("n2"));
        TransportSecurity security =
                TransportSecurity.mutualTls(layout.nodeMaterial("n1", Duration.ofSeconds(30), Clock.system()));
        Config config = Config.defaults(NodeConfig.DEF)
                .with(CoordConfig.RAFT_PORT, 0)
                .with(CoordConfig.CLIENT_PORT, 0)
                .with(CoordConfig.ELECTION_TIMEOUT, Duration.ofMillis(300));
        coord = CoordService.start(
                CoordService.Settings.from(config, "n1", "127.0.0.1", dir.resolve("coord"), security, List.of("admin")),
                Clock.system());
    }

    @AfterEach
    void stop() {
        if (coord != null) coord.close();
    }

    @Test
    void aNodeRegistersAndIsElectedOverTlsWithItsOwnMaterial() throws Exception {
        Map<String, String> tls = NodeCoordination.tls(layout.node("n2"), layout.caCertificate());
        assertThat(tls)
                .containsEntry("zookeeper.client.secure", "true")
                .containsEntry("zookeeper.ssl.keyStore.type", "PEM");
        try (NodeCoordination node = NodeCoordination.connect(coord.clientEndpoint(), Duration.ofSeconds(10), tls)) {
            node.registerWorker("w1", "127.0.0.1:1234");
            AtomicBoolean elected = new AtomicBoolean();
            node.runForMaster("127.0.0.1:7070", new NodeCoordination.LeadershipListener() {
                @Override
                public void elected() {
                    elected.set(true);
                }

                @Override
                public void deposed() {
                    elected.set(false);
                }
            });
            await().atMost(Duration.ofSeconds(30)).untilTrue(elected);
            assertThat(node.activeMaster()).contains("127.0.0.1:7070");
            await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .until(() -> new String(
                                    node.client().getData().forPath(NodeCoordination.WORKERS + "/w1"),
                                    StandardCharsets.UTF_8)
                            .equals("127.0.0.1:1234"));
        }
    }

    @Test
    void withoutTlsTheNodeGetsNoSession() throws Exception {
        try (NodeCoordination plain = NodeCoordination.connect(coord.clientEndpoint(), Duration.ofSeconds(2))) {
            assertThat(plain.client().blockUntilConnected(3, java.util.concurrent.TimeUnit.SECONDS))
                    .isFalse();
        }
    }

    @Test
    void missingMaterialIsNamed() {
        assertThatThrownBy(
                        () -> CoordClientSecurity.zooKeeperProperties(dir.resolve("nope.pem"), layout.caCertificate()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope.pem");
    }
}
