package dev.cairn.coord.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.common.net.FreePorts;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.testing.TestPki;
import dev.cairn.common.time.Clock;
import dev.cairn.coord.internal.raft.RaftMember;
import dev.cairn.coord.internal.raft.RaftPeerAddress;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A connection that says nothing — no connect request, or a TLS handshake stopped halfway — is
 * closed once the member's connect timeout passes, while a client that connected keeps its
 * connection for as long as its session lives.
 */
class ConnectTimeoutTest {
    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(400);

    @TempDir
    Path dir;

    private CoordServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private void start(TransportSecurity security) throws Exception {
        RaftPeerAddress self = new RaftPeerAddress("m1", "127.0.0.1", FreePorts.pick("127.0.0.1"));
        server = CoordServer.start(
                CoordServer.Settings.builder(new RaftMember.Settings(
                                self,
                                List.of(self),
                                dir.resolve("raft"),
                                1000,
                                Duration.ofMillis(300),
                                Duration.ofSeconds(10)))
                        .tick(Duration.ofMillis(500))
                        .security(security, Set.of())
                        .connectTimeout(CONNECT_TIMEOUT)
                        .build(),
                Clock.system());
        await().atMost(Duration.ofSeconds(20)).until(() -> server.raft().isLeader());
    }

    /** Whether the server closed {@code socket} (end of stream or reset) within {@code within}. */
    private static boolean closedByServer(Socket socket, Duration within) throws IOException {
        socket.setSoTimeout((int) within.toMillis());
        InputStream in = socket.getInputStream();
        try {
            while (true) {
                if (in.read() < 0) return true;
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Test
    void aPlainConnectionThatSendsNothingIsClosedAndAClientThatConnectedIsKept() throws Exception {
        start(TransportSecurity.plain());
        int port = server.clientPort();
        CountDownLatch connected = new CountDownLatch(1);
        try (ZooKeeper zk = new ZooKeeper("127.0.0.1:" + port, 4000, e -> {
                    if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
                });
                Socket silent = new Socket()) {
            assertThat(connected.await(20, TimeUnit.SECONDS)).isTrue();
            silent.connect(new InetSocketAddress("127.0.0.1", port));
            assertThat(closedByServer(silent, Duration.ofSeconds(20))).isTrue();

            // Half a connect request is no better than none.
            try (Socket half = new Socket("127.0.0.1", port)) {
                half.getOutputStream().write(new byte[] {0, 0, 0, 44, 0, 0});
                assertThat(closedByServer(half, Duration.ofSeconds(20))).isTrue();
            }

            // The session's connection outlived the timeout many times over and still works.
            zk.create("/kept", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertThat(zk.exists("/kept", false)).isNotNull();
            assertThat(zk.getState()).isEqualTo(ZooKeeper.States.CONNECTED);
        }
    }

    @Test
    void aTlsHandshakeStoppedHalfwayIsClosed() throws Exception {
        TestPki pki = TestPki.under(dir.resolve("pki"));
        start(pki.node("n1"));
        try (Socket stalled = new Socket("127.0.0.1", server.clientPort())) {
            // The start of a TLS record (handshake, TLS 1.0 record version) and nothing more.
            stalled.getOutputStream().write(new byte[] {22, 3, 1, 0, (byte) 200, 1});
            assertThat(closedByServer(stalled, Duration.ofSeconds(20))).isTrue();
        }
    }

    @Test
    void aConnectionIsNotClosedBeforeItsTimeout() throws Exception {
        start(TransportSecurity.plain());
        try (Socket silent = new Socket("127.0.0.1", server.clientPort())) {
            // Well inside the timeout the connection is still open.
            assertThat(closedByServer(silent, CONNECT_TIMEOUT.dividedBy(4))).isFalse();
            assertThat(closedByServer(silent, Duration.ofSeconds(20))).isTrue();
        }
    }
}
