package dev.cairn.coord.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cairn.common.net.FreePorts;
import dev.cairn.common.security.CertificateAuthority;
import dev.cairn.common.security.SecurityLayout;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.time.Clock;
import dev.cairn.coord.internal.raft.RaftMember;
import dev.cairn.coord.internal.raft.RaftPeerAddress;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coord's client port with mutual TLS, on loopback, with real certificates: ZooKeeper's own
 * client, Curator and {@code ZooKeeperMain} connect with ZooKeeper's documented TLS properties;
 * plain clients and clients of another CA are refused (and the server says so in one line); a
 * client's certificate subject is its {@code x509} ACL identity.
 */
class TlsClientPortTest {
    private static final Duration YEAR = Duration.ofDays(365);

    @TempDir
    Path dir;

    private SecurityLayout layout;
    private Path foreignUser;
    private CoordServer server;
    private final List<AutoCloseable> clients = new ArrayList<>();
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void start() throws Exception {
        originalErr = System.err;
        // slf4j-simple writes to whatever System.err is at the time: keep it, and a copy to check.
        System.setErr(new PrintStream(new TeeStream(originalErr, log), true, StandardCharsets.UTF_8));
        layout = SecurityLayout.under(dir);
        CertificateAuthority ca = layout.initialize("test", YEAR, Clock.system());
        ca.issueNode("n1", List.of("localhost", "127.0.0.1"), YEAR).write(layout.node("n1"));
        for (String user : List.of("alice", "bob", "admin"))
            ca.issueUser(user, YEAR).write(layout.user(user));
        SecurityLayout other = SecurityLayout.under(dir.resolve("other"));
        CertificateAuthority foreign = other.initialize("test", YEAR, Clock.system());
        foreign.issueUser("alice", YEAR).write(other.user("alice"));
        foreignUser = other.user("alice");

        TransportSecurity security =
                TransportSecurity.mutualTls(layout.nodeMaterial("n1", Duration.ofSeconds(30), Clock.system()));
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
                        .security(security, Set.of("admin"))
                        .build(),
                Clock.system());
        await().atMost(Duration.ofSeconds(20)).until(() -> server.raft().isLeader());
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : clients.reversed()) c.close();
        if (server != null) server.close();
        System.setErr(originalErr);
    }

    /** ZooKeeper's documented client TLS properties, for this identity and trust. */
    private static Map<String, String> tlsProperties(Path identity, Path trust) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("zookeeper.client.secure", "true");
        p.put("zookeeper.clientCnxnSocket", "org.apache.zookeeper.ClientCnxnSocketNetty");
        p.put("zookeeper.ssl.keyStore.location", identity.toString());
        p.put("zookeeper.ssl.keyStore.type", "PEM");
        p.put("zookeeper.ssl.trustStore.location", trust.toString());
        p.put("zookeeper.ssl.trustStore.type", "PEM");
        p.put("zookeeper.ssl.hostnameVerification", "true");
        return p;
    }

    private ZKClientConfig config(Path identity) {
        ZKClientConfig c = new ZKClientConfig();
        tlsProperties(identity, layout.caCertificate()).forEach(c::setProperty);
        return c;
    }

    private ZooKeeper connect(String host, ZKClientConfig config, BlockingQueue<WatchedEvent> events) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(
                host + ":" + server.clientPort(),
                4000,
                e -> {
                    if (e.getState() == Watcher.Event.KeeperState.SyncConnected
                            && e.getType() == Watcher.Event.EventType.None) connected.countDown();
                    else if (events != null && e.getType() != Watcher.Event.EventType.None) events.add(e);
                },
                config);
        clients.add(zk::close);
        assertThat(connected.await(20, TimeUnit.SECONDS))
                .as("connected over TLS to " + host)
                .isTrue();
        return zk;
    }

    private String logged() {
        synchronized (log) {
            return log.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void stockClientCreatesReadsWritesAndWatchesOverTls() throws Exception {
        BlockingQueue<WatchedEvent> events = new LinkedBlockingQueue<>();
        ZooKeeper zk = connect("127.0.0.1", config(layout.user("alice")), events);
        zk.create("/a", "one".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        assertThat(new String(zk.getData("/a", true, null), StandardCharsets.UTF_8))
                .isEqualTo("one");
        // Large enough to span several TLS records each way.
        byte[] big = new byte[200_000];
        for (int i = 0; i < big.length; i++) big[i] = (byte) i;
        zk.setData("/a", big, -1);
        WatchedEvent e = events.poll(10, TimeUnit.SECONDS);
        assertThat(e).isNotNull();
        assertThat(e.getType()).isEqualTo(Watcher.Event.EventType.NodeDataChanged);
        assertThat(e.getPath()).isEqualTo("/a");
        assertThat(zk.getData("/a", false, null)).isEqualTo(big);
        // Pipelined asynchronous writes, answered in order.
        CountDownLatch done = new CountDownLatch(200);
        List<Integer> codes = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 200; i++) {
            zk.create(
                    "/a/c" + i,
                    new byte[1000],
                    ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT,
                    (rc, path, ctx, name) -> {
                        codes.add(rc);
                        done.countDown();
                    },
                    null);
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(codes).containsOnly(0);
        assertThat(zk.getChildren("/a", false)).hasSize(200);
        // whoami shows the certificate's subject as the x509 identity.
        assertThat(zk.whoAmI())
                .anyMatch(i -> i.getAuthScheme().equals("x509") && i.getUser().equals("CN=alice,OU=user,O=Cairn test"));
    }

    @Test
    void hostnameVerificationChecksTheNodeCertificatesNames() throws Exception {
        // The node certificate names localhost and 127.0.0.1: both verify.
        ZooKeeper byName = connect("localhost", config(layout.user("alice")), null);
        assertThat(byName.exists("/", false)).isNotNull();
    }

    @Test
    void hostnameVerificationRefusesAServerWhoseCertificateNamesAnotherHost() throws Exception {
        CertificateAuthority ca = layout.authority(Clock.system());
        ca.issueNode("elsewhere", List.of("10.9.9.9", "elsewhere.example"), YEAR)
                .write(layout.node("elsewhere"));
        TransportSecurity security =
                TransportSecurity.mutualTls(layout.nodeMaterial("elsewhere", Duration.ofSeconds(30), Clock.system()));
        RaftPeerAddress self = new RaftPeerAddress("e1", "127.0.0.1", FreePorts.pick("127.0.0.1"));
        CoordServer misnamed = CoordServer.start(
                CoordServer.Settings.builder(new RaftMember.Settings(
                                self,
                                List.of(self),
                                dir.resolve("raft-elsewhere"),
                                1000,
                                Duration.ofMillis(300),
                                Duration.ofSeconds(10)))
                        .tick(Duration.ofMillis(500))
                        .security(security, Set.of())
                        .build(),
                Clock.system());
        clients.add(misnamed);
        await().atMost(Duration.ofSeconds(20)).until(() -> misnamed.raft().isLeader());
        AtomicBoolean connected = new AtomicBoolean();
        ZooKeeper zk = new ZooKeeper(
                "127.0.0.1:" + misnamed.clientPort(),
                4000,
                e -> {
                    if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.set(true);
                },
                config(layout.user("alice")));
        clients.add(zk::close);
        // The client hangs up in the handshake: the server sees its alert as a refused TLS connection.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> logged().contains("on the secure coord port " + misnamed.clientPort()));
        assertThat(connected).isFalse();
    }

    @Test
    void curatorRunsALockAndALeaderLatchOverTls() throws Exception {
        CuratorFramework a = curator(layout.user("alice"));
        CuratorFramework b = curator(layout.user("bob"));
        InterProcessMutex lockA = new InterProcessMutex(a, "/locks/x");
        InterProcessMutex lockB = new InterProcessMutex(b, "/locks/x");
        assertThat(lockA.acquire(20, TimeUnit.SECONDS)).isTrue();
        assertThat(lockB.acquire(300, TimeUnit.MILLISECONDS)).as("held by a").isFalse();
        lockA.release();
        assertThat(lockB.acquire(20, TimeUnit.SECONDS)).isTrue();
        lockB.release();

        LeaderLatch la = new LeaderLatch(a, "/leader", "a");
        LeaderLatch lb = new LeaderLatch(b, "/leader", "b");
        clients.add(la);
        clients.add(lb);
        la.start();
        assertThat(la.await(20, TimeUnit.SECONDS)).isTrue();
        lb.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> lb.getParticipants().size() == 2);
        assertThat(lb.hasLeadership()).isFalse();
        la.close();
        clients.remove(la);
        assertThat(lb.await(20, TimeUnit.SECONDS)).isTrue();
    }

    private CuratorFramework curator(Path identity) {
        CuratorFramework c = CuratorFrameworkFactory.builder()
                .connectString("127.0.0.1:" + server.clientPort())
                .zkClientConfig(config(identity))
                .sessionTimeoutMs(6000)
                .connectionTimeoutMs(10_000)
                .retryPolicy(new RetryOneTime(200))
                .build();
        c.start();
        clients.add(c);
        return c;
    }

    @Test
    void zooKeeperMainConnectsWithTheDocumentedProperties() throws Exception {
        ZooKeeper zk = connect("127.0.0.1", config(layout.user("alice")), null);
        zk.create("/from-api", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        tlsProperties(layout.user("alice"), layout.caCertificate()).forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("org.apache.zookeeper.ZooKeeperMain");
        command.add("-server");
        command.add("localhost:" + server.clientPort());
        command.add("ls");
        command.add("/");
        Path out = dir.resolve("zkmain.out");
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS))
                    .as("ZooKeeperMain finished")
                    .isTrue();
        } finally {
            p.destroyForcibly();
        }
        String output = Files.readString(out);
        assertThat(output).as(output).contains("[from-api, zookeeper]");
        assertThat(p.exitValue()).as(output).isZero();
    }

    @Test
    void aPlainClientIsRefusedAndTheServerSaysSo() throws Exception {
        // The stock client without TLS settings: it never gets a session.
        AtomicBoolean connected = new AtomicBoolean();
        ZooKeeper plain = new ZooKeeper("127.0.0.1:" + server.clientPort(), 4000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.set(true);
        });
        clients.add(plain::close);
        String line = "refused a plain-text connection from 127.0.0.1:";
        await().atMost(Duration.ofSeconds(20)).until(() -> logged().contains(line));
        assertThat(logged()).contains("on the secure coord port " + server.clientPort());
        assertThat(connected).isFalse();

        // A raw socket speaking ZooKeeper's framing: the server hangs up without a byte of answer.
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.clientPort()), 5000);
            s.setSoTimeout(10_000);
            OutputStream o = s.getOutputStream();
            DataOutputStream d = new DataOutputStream(o);
            d.writeInt(44);
            d.write(new byte[44]);
            d.flush();
            InputStream in = s.getInputStream();
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void aClientOfAnotherCaIsRefused() throws Exception {
        AtomicBoolean connected = new AtomicBoolean();
        ZooKeeper zk = new ZooKeeper(
                "127.0.0.1:" + server.clientPort(),
                4000,
                e -> {
                    if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.set(true);
                },
                config(foreignUser));
        clients.add(zk::close);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> logged().contains("refused a TLS connection from 127.0.0.1:"));
        assertThat(connected).isFalse();
        assertThat(zk.getState().isConnected()).isFalse();
    }

    @Test
    void x509AclsGrantTheCertificatesSubjectAndNodesAndAdminsAreSuperUsers() throws Exception {
        ZooKeeper alice = connect("127.0.0.1", config(layout.user("alice")), null);
        ZooKeeper bob = connect("127.0.0.1", config(layout.user("bob")), null);
        String aliceDn = "CN=alice,OU=user,O=Cairn test";
        // ZooKeeper's client looks for null in the list: immutable lists would throw.
        List<ACL> onlyAlice = new ArrayList<>(List.of(new ACL(ZooDefs.Perms.ALL, new Id("x509", aliceDn))));
        alice.create("/secret", "s".getBytes(StandardCharsets.UTF_8), onlyAlice, CreateMode.PERSISTENT);
        assertThat(alice.getData("/secret", false, null)).isEqualTo("s".getBytes(StandardCharsets.UTF_8));
        assertThat(alice.getACL("/secret", null)).isEqualTo(onlyAlice);
        assertThatThrownBy(() -> bob.getData("/secret", false, null))
                .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> bob.setData("/secret", new byte[0], -1))
                .isInstanceOf(KeeperException.NoAuthException.class);

        // "auth" expands to the certificate's identity, as in ZooKeeper.
        bob.create("/bobs", new byte[0], ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        assertThat(bob.getACL("/bobs", null))
                .containsExactly(new ACL(ZooDefs.Perms.ALL, new Id("x509", "CN=bob,OU=user,O=Cairn test")));
        assertThatThrownBy(() -> alice.getData("/bobs", false, null))
                .isInstanceOf(KeeperException.NoAuthException.class);

        // digest keeps working beside x509.
        bob.addAuthInfo("digest", "carol:pw".getBytes(StandardCharsets.UTF_8));
        bob.create(
                "/carols",
                new byte[0],
                new ArrayList<>(List.of(new ACL(
                        ZooDefs.Perms.ALL,
                        new Id("digest", ZkConnection.digest("carol:pw").id())))),
                CreateMode.PERSISTENT);
        assertThat(bob.exists("/carols", false)).isNotNull();
        assertThat(bob.getData("/carols", false, null)).isEmpty();
        assertThatThrownBy(() -> alice.getData("/carols", false, null))
                .isInstanceOf(KeeperException.NoAuthException.class);

        // A node's certificate and an admin's are super users.
        ZooKeeper node = connect("127.0.0.1", config(layout.node("n1")), null);
        ZooKeeper admin = connect("127.0.0.1", config(layout.user("admin")), null);
        assertThat(node.getData("/secret", false, null)).isEqualTo("s".getBytes(StandardCharsets.UTF_8));
        admin.setData("/secret", "changed".getBytes(StandardCharsets.UTF_8), -1);
        assertThat(alice.getData("/secret", false, null)).isEqualTo("changed".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void onlySuperUsersChangeTheMembersOfASecuredGroup() throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        org.apache.zookeeper.admin.ZooKeeperAdmin admin = new org.apache.zookeeper.admin.ZooKeeperAdmin(
                "127.0.0.1:" + server.clientPort(),
                4000,
                e -> {
                    if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
                },
                config(layout.user("alice")));
        clients.add(admin::close);
        assertThat(connected.await(20, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> admin.reconfigure(null, "m1", null, -1, null))
                .isInstanceOf(KeeperException.NoAuthException.class);
        assertThat(server.raft().members()).extracting(RaftPeerAddress::id).containsExactly("m1");
    }

    @Test
    void manyClientsHandshakeAtOnceOnTheOneSelectorThread() throws Exception {
        // Several clients handshaking at the same time on the one selector thread.
        List<ZooKeeper> many = new ArrayList<>();
        for (int i = 0; i < 8; i++) many.add(connect("127.0.0.1", config(layout.user("bob")), null));
        for (int i = 0; i < many.size(); i++)
            many.get(i).create("/m" + i, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        assertThat(many.get(0).getChildren("/", false)).contains("m0", "m7");
    }

    /** Writes to two streams. */
    private static final class TeeStream extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        TeeStream(OutputStream a, OutputStream b) {
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
