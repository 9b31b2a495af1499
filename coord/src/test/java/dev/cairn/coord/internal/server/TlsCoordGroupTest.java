package dev.cairn.coord.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.common.net.FreePorts;
import dev.cairn.common.security.CertificateAuthority;
import dev.cairn.common.security.SecurityLayout;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.time.Clock;
import dev.cairn.coord.internal.raft.RaftMember;
import dev.cairn.coord.internal.raft.RaftPeerAddress;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group of three coord members whose Raft traffic (log appends, votes, forwarded changes, the
 * members' Raft clients) and client ports all speak mutual TLS: it elects a leader, replicates
 * writes made on any member, elects again when the leader dies; its Raft ports refuse plain text
 * and certificates that are not a node's.
 */
class TlsCoordGroupTest {
    private static final Duration YEAR = Duration.ofDays(365);

    @TempDir
    Path dir;

    private SecurityLayout layout;
    private final CoordServer[] members = new CoordServer[3];
    private final List<RaftPeerAddress> peers = new ArrayList<>();
    private final List<AutoCloseable> clients = new ArrayList<>();
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void start() throws Exception {
        originalErr = System.err;
        System.setErr(new PrintStream(new Tee(originalErr, log), true, StandardCharsets.UTF_8));
        layout = SecurityLayout.under(dir);
        CertificateAuthority ca = layout.initialize("test", YEAR, Clock.system());
        for (int i = 1; i <= 3; i++)
            ca.issueNode("n" + i, List.of("localhost", "127.0.0.1"), YEAR).write(layout.node("n" + i));
        ca.issueUser("alice", YEAR).write(layout.user("alice"));
        for (int i = 1; i <= 3; i++) peers.add(new RaftPeerAddress("m" + i, "127.0.0.1", FreePorts.pick("127.0.0.1")));
        // Started together: each waits for a quorum to elect a leader.
        List<Thread> starting = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 3; i++) {
            int index = i;
            starting.add(Thread.ofPlatform().start(() -> {
                try {
                    members[index] = startMember(index);
                } catch (Exception e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : starting) t.join(60_000);
        assertThat(failures).isEmpty();
    }

    private CoordServer startMember(int i) throws Exception {
        TransportSecurity security =
                TransportSecurity.mutualTls(layout.nodeMaterial("n" + (i + 1), Duration.ofSeconds(30), Clock.system()));
        return CoordServer.start(
                CoordServer.Settings.builder(new RaftMember.Settings(
                                peers.get(i),
                                peers,
                                dir.resolve("raft-" + i),
                                1000,
                                Duration.ofMillis(300),
                                Duration.ofSeconds(10),
                                false,
                                RaftMember.Settings.DEFAULT_LOG_SEGMENT_BYTES,
                                security))
                        .tick(Duration.ofMillis(500))
                        .security(security, Set.of())
                        .build(),
                Clock.system());
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : clients.reversed()) c.close();
        for (CoordServer m : members) if (m != null) m.close();
        System.setErr(originalErr);
    }

    private int leader() {
        for (int i = 0; i < 3; i++) if (members[i] != null && members[i].raft().isLeader()) return i;
        return -1;
    }

    private ZooKeeper connect(CoordServer member) throws Exception {
        return connect(member, 6000);
    }

    private ZooKeeper connect(CoordServer member, int sessionTimeoutMs) throws Exception {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty("zookeeper.client.secure", "true");
        config.setProperty("zookeeper.clientCnxnSocket", "org.apache.zookeeper.ClientCnxnSocketNetty");
        config.setProperty(
                "zookeeper.ssl.keyStore.location", layout.user("alice").toString());
        config.setProperty("zookeeper.ssl.keyStore.type", "PEM");
        config.setProperty(
                "zookeeper.ssl.trustStore.location", layout.caCertificate().toString());
        config.setProperty("zookeeper.ssl.trustStore.type", "PEM");
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(
                "127.0.0.1:" + member.clientPort(),
                sessionTimeoutMs,
                e -> {
                    if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
                },
                config);
        clients.add(zk::close);
        assertThat(connected.await(20, TimeUnit.SECONDS)).isTrue();
        return zk;
    }

    private String logged() {
        synchronized (log) {
            return log.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void electsReplicatesAndElectsAgainOverTls() throws Exception {
        int leader = await().atMost(Duration.ofSeconds(30)).until(this::leader, i -> i >= 0);
        int f1 = (leader + 1) % 3;
        int f2 = (leader + 2) % 3;
        // A write on a follower is forwarded to the leader, replicated, and read on the other follower.
        ZooKeeper onFollower = connect(members[f1]);
        ZooKeeper onOther = connect(members[f2]);
        for (int i = 0; i < 20; i++)
            onFollower.create(
                    "/k" + i,
                    ("v" + i).getBytes(StandardCharsets.UTF_8),
                    ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT);
        onOther.sync("/", (rc, path, ctx) -> {}, null);
        await().atMost(Duration.ofSeconds(10)).until(() -> onOther.exists("/k19", false) != null);
        assertThat(new String(onOther.getData("/k7", false, null), StandardCharsets.UTF_8))
                .isEqualTo("v7");

        // The leader dies: the two others elect one of them (votes over TLS) and go on.
        members[leader].close();
        members[leader] = null;
        int next = await().atMost(Duration.ofSeconds(30)).until(this::leader, i -> i >= 0);
        assertThat(next).isNotEqualTo(leader);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            onFollower.create("/after", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            return true;
        });
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> onOther.exists("/after", false) != null);
        // No member refused another (a dead member's port refusing its peers' retries is fine).
        assertThat(logged()).doesNotContain("refused a");
    }

    /**
     * Sessions made on every member right after the group starts, then left idle (only the
     * clients' pings): none expires. (A secure cluster's leader once expired the sessions made
     * through a follower ten seconds after they began: their liveness never reached it.)
     */
    @Test
    void idleSessionsMadeOnFollowersRightAfterStartStayAlive() throws Exception {
        List<ZooKeeper> sessions = new ArrayList<>();
        List<Watcher.Event.KeeperState> expired = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int round = 0; round < 2; round++)
            for (CoordServer m : members) {
                ZooKeeper zk = connect(m, 4000);
                zk.register(e -> {
                    if (e.getState() == Watcher.Event.KeeperState.Expired) expired.add(e.getState());
                });
                sessions.add(zk);
            }
        // Three session timeouts of nothing but pings, checked every half second.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(12);
        while (System.nanoTime() < until) {
            await().pollDelay(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(1))
                    .until(() -> true);
            assertThat(expired).as("sessions expired").isEmpty();
            assertThat(logged()).doesNotContain("expired");
        }
        for (ZooKeeper zk : sessions) assertThat(zk.getState().isAlive()).isTrue();
        for (ZooKeeper zk : sessions) assertThat(zk.exists("/", false)).isNotNull();
    }

    @Test
    void theRaftPortRefusesPlainTextAndCertificatesThatAreNotANodes() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(this::leader, i -> i >= 0);
        int raftPort = peers.get(0).port();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", raftPort), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {0, 'C', 'S', 'E', 'G', 0, 0, 0, 1, 42});
            out.flush();
            InputStream in = s.getInputStream();
            // At most a TLS alert record (type 21) comes back before the member hangs up; no Raft frame.
            byte[] answer = in.readAllBytes();
            assertThat(answer.length == 0 || answer[0] == 21)
                    .as("answer %s", java.util.Arrays.toString(answer))
                    .isTrue();
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> logged().contains("refused a plain-text connection from 127.0.0.1:")
                        && logged().contains("on the secure Raft port " + raftPort));

        // A user's certificate of the right CA: the handshake completes, then the member hangs up.
        TransportSecurity user =
                TransportSecurity.mutualTls(layout.userMaterial("alice", Duration.ofSeconds(30), Clock.system()));
        try (Socket s = user.connect(new InetSocketAddress("127.0.0.1", raftPort), 5000)) {
            s.setSoTimeout(10_000);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> logged().contains("user alice is not a node"));
    }

    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws java.io.IOException {
            a.write(c);
            synchronized (b) {
                b.write(c);
            }
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            synchronized (b) {
                b.write(buf, off, len);
            }
        }
    }
}
