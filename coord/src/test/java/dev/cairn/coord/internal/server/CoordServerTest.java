package dev.cairn.coord.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cairn.common.net.FreePorts;
import dev.cairn.common.time.Clock;
import dev.cairn.coord.internal.raft.RaftMember;
import dev.cairn.coord.internal.raft.RaftPeerAddress;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.proto.ConnectRequest;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A one-member coord on loopback, driven by the stock ZooKeeper 3.9 client and Curator. */
class CoordServerTest {
    @TempDir
    Path dir;

    private CoordServer server;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = startServer("raft", 1000, 16L << 20);
    }

    private CoordServer startServer(String raftDir, int maxOutstandingRequests, long maxOutstandingBytes)
            throws Exception {
        int raftPort = FreePorts.pick("127.0.0.1");
        RaftPeerAddress self = new RaftPeerAddress("m1", "127.0.0.1", raftPort);
        CoordServer s = CoordServer.start(
                CoordServer.Settings.builder(new RaftMember.Settings(
                                self,
                                List.of(self),
                                dir.resolve(raftDir),
                                1000,
                                Duration.ofMillis(300),
                                Duration.ofSeconds(10)))
                        .tick(Duration.ofMillis(200))
                        .maxOutstanding(maxOutstandingRequests, maxOutstandingBytes)
                        .build(),
                Clock.system());
        await().atMost(Duration.ofSeconds(20)).until(() -> s.raft().isLeader());
        return s;
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : clients) c.close();
        server.close();
    }

    private ZooKeeper connect(BlockingQueue<WatchedEvent> events) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper("127.0.0.1:" + server.clientPort(), 4000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected && e.getType() == Watcher.Event.EventType.None)
                connected.countDown();
            else if (events != null && e.getType() != Watcher.Event.EventType.None) events.add(e);
        });
        clients.add(zk::close);
        assertThat(connected.await(20, TimeUnit.SECONDS)).as("connected").isTrue();
        return zk;
    }

    /**
     * A session id is no secret (every ephemeral node names its owner's): resuming a session takes
     * its own random password, not the one ZooKeeper would derive from the id.
     */
    @Test
    void resumingASessionTakesItsOwnPasswordNotOneDerivedFromItsId() throws Exception {
        ZooKeeper owner = connect(null);
        long id = owner.getSessionId();
        byte[] password = owner.getSessionPasswd();
        assertThat(password).hasSize(16).isNotEqualTo(ZkConnection.password(id));

        BlockingQueue<Watcher.Event.KeeperState> states = new java.util.concurrent.LinkedBlockingQueue<>();
        ZooKeeper guesser = new ZooKeeper(
                "127.0.0.1:" + server.clientPort(), 4000, e -> states.add(e.getState()), id, ZkConnection.password(id));
        clients.add(guesser::close);
        assertThat(states.poll(20, TimeUnit.SECONDS)).isEqualTo(Watcher.Event.KeeperState.Expired);

        ZooKeeper resumed =
                new ZooKeeper("127.0.0.1:" + server.clientPort(), 4000, e -> states.add(e.getState()), id, password);
        clients.add(resumed::close);
        assertThat(states.poll(20, TimeUnit.SECONDS)).isEqualTo(Watcher.Event.KeeperState.SyncConnected);
        assertThat(resumed.getSessionId()).isEqualTo(id);
        assertThat(resumed.exists("/", false)).isNotNull();
    }

    @Test
    void crudVersionsErrorsAndSequentialNodes() throws Exception {
        ZooKeeper zk = connect(null);
        assertThat(zk.create("/a", "x".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT))
                .isEqualTo("/a");
        Stat stat = new Stat();
        assertThat(new String(zk.getData("/a", false, stat), StandardCharsets.UTF_8))
                .isEqualTo("x");
        assertThat(stat.getVersion()).isZero();
        assertThat(stat.getCzxid()).isEqualTo(stat.getMzxid()).isPositive();
        assertThat(zk.setData("/a", "y".getBytes(), 0).getVersion()).isEqualTo(1);
        assertThatThrownBy(() -> zk.setData("/a", "z".getBytes(), 0))
                .isInstanceOf(KeeperException.BadVersionException.class);
        assertThatThrownBy(() -> zk.create("/a", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT))
                .isInstanceOf(KeeperException.NodeExistsException.class);
        assertThatThrownBy(() -> zk.create("/none/b", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT))
                .isInstanceOf(KeeperException.NoNodeException.class);
        String s1 = zk.create("/a/s-", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
        String s2 = zk.create("/a/s-", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
        assertThat(s1).isEqualTo("/a/s-0000000000");
        assertThat(s2).isEqualTo("/a/s-0000000001");
        assertThat(zk.getChildren("/a", false)).containsExactlyInAnyOrder("s-0000000000", "s-0000000001");
        assertThatThrownBy(() -> zk.delete("/a", -1)).isInstanceOf(KeeperException.NotEmptyException.class);
        zk.delete(s1, 0);
        assertThat(zk.exists(s1, false)).isNull();
        assertThat(zk.getEphemerals("/a")).containsExactly(s2);
    }

    /**
     * A child watch set by a read racing a change must not be lost: the client registers the watch
     * when the read's reply arrives, so that reply has to reach it before the notification of any
     * change applied after the read (a Curator DistributedQueue consumer once stalled here).
     */
    @Test
    void aWatchSetByAReadIsNotLostToAChangeAppliedRightAfterIt() throws Exception {
        ZooKeeper watcher = connect(null);
        ZooKeeper writer = connect(null);
        writer.create("/race", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        AtomicInteger seen = new AtomicInteger(-1);
        Watcher rewatch = new Watcher() {
            @Override
            public void process(WatchedEvent e) {
                if (e.getType() == Watcher.Event.EventType.NodeChildrenChanged) {
                    watcher.getChildren(
                            "/race",
                            this,
                            (rc, path, ctx, children) -> {
                                if (rc == 0) seen.set(children.size());
                            },
                            null);
                }
            }
        };
        watcher.getChildren("/race", rewatch, (rc, path, ctx, children) -> seen.set(children.size()), null);
        int children = 2_000;
        CountDownLatch created = new CountDownLatch(children);
        for (int i = 0; i < children; i++) {
            writer.create(
                    "/race/c-",
                    null,
                    ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT_SEQUENTIAL,
                    (rc, path, ctx, name) -> created.countDown(),
                    null);
        }
        assertThat(created.await(60, TimeUnit.SECONDS))
                .as("all creates answered")
                .isTrue();
        // Only a watch that keeps firing brings the watcher to the last child.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(seen.get()).isEqualTo(children));
    }

    @Test
    void watchesFireOnceAndBeforeTheReadThatShowsTheChange() throws Exception {
        BlockingQueue<WatchedEvent> events = new LinkedBlockingQueue<>();
        ZooKeeper watcher = connect(events);
        ZooKeeper writer = connect(null);
        assertThat(watcher.exists("/w", true)).isNull();
        writer.create("/w", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        WatchedEvent created = events.poll(10, TimeUnit.SECONDS);
        assertThat(created.getType()).isEqualTo(Watcher.Event.EventType.NodeCreated);
        assertThat(created.getPath()).isEqualTo("/w");

        watcher.getData("/w", true, null);
        watcher.getChildren("/w", true);
        writer.setData("/w", "1".getBytes(), -1);
        writer.setData("/w", "2".getBytes(), -1);
        writer.create("/w/c", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        writer.sync("/w", (rc, path, ctx) -> {}, null);
        await().atMost(Duration.ofSeconds(10)).until(() -> events.size() >= 2);
        assertThat(events)
                .extracting(WatchedEvent::getType)
                .containsExactly(Watcher.Event.EventType.NodeDataChanged, Watcher.Event.EventType.NodeChildrenChanged);
    }

    @Test
    void concurrentWritersShareLogEntriesYetEachWriteHasItsOwnZxidInSessionOrder() throws Exception {
        int sessions = 16;
        int writesPerSession = 50;
        ZooKeeper setup = connect(null);
        setup.create("/g", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        long indexBefore = server.state().lastApplied();
        List<List<Long>> zxids = new ArrayList<>();
        List<Thread> writers = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int s = 0; s < sessions; s++) {
            ZooKeeper zk = connect(null);
            List<Long> mine = java.util.Collections.synchronizedList(new ArrayList<>());
            zxids.add(mine);
            int session = s;
            writers.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < writesPerSession; i++) {
                        Stat stat = new Stat();
                        String path = zk.create(
                                "/g/s" + session + "-",
                                null,
                                ZooDefs.Ids.OPEN_ACL_UNSAFE,
                                CreateMode.PERSISTENT_SEQUENTIAL,
                                stat);
                        mine.add(stat.getCzxid());
                        assertThat(zk.exists(path, false))
                                .as("a client reads its own write")
                                .isNotNull();
                    }
                } catch (Exception | AssertionError e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : writers) t.join();
        assertThat(failures).isEmpty();

        List<Long> all = zxids.stream().flatMap(List::stream).toList();
        assertThat(all).hasSize(sessions * writesPerSession).doesNotHaveDuplicates();
        for (List<Long> mine : zxids) assertThat(mine).isSorted();
        assertThat(setup.getChildren("/g", false)).hasSize(sessions * writesPerSession);
        assertThat(server.state().lastApplied() - indexBefore)
                .as("log entries used")
                .isLessThan(sessions * writesPerSession);
    }

    /**
     * A session's changes are pipelined — proposed while earlier ones are pending, so they share
     * log entries — yet every reply comes in the order of the requests (the ZooKeeper client fails
     * the connection otherwise), and a read issued after changes sees them.
     */
    @Test
    void aSessionsPipelinedChangesShareLogEntriesAndAreAnsweredInOrder() throws Exception {
        ZooKeeper zk = connect(null);
        zk.create("/p", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        long indexBefore = server.state().lastApplied();
        int requests = 600;
        List<Integer> answered = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(requests);
        int changes = 0;
        for (int i = 0; i < requests; i++) {
            int n = i;
            if (i % 10 == 9) {
                // A read after changes of the same session: it sees the last of them.
                String expected = Integer.toString(i - 1);
                zk.getData(
                        "/p",
                        false,
                        (rc, path, ctx, data, stat) -> {
                            if (rc != 0 || !expected.equals(new String(data, StandardCharsets.UTF_8)))
                                wrong.add("read " + n + ": rc " + rc + ", "
                                        + (data == null ? null : new String(data, StandardCharsets.UTF_8)));
                            answered.add(n);
                            done.countDown();
                        },
                        null);
            } else {
                changes++;
                zk.setData(
                        "/p",
                        Integer.toString(i).getBytes(StandardCharsets.UTF_8),
                        -1,
                        (rc, path, ctx, stat) -> {
                            if (rc != 0) wrong.add("write " + n + ": rc " + rc);
                            answered.add(n);
                            done.countDown();
                        },
                        null);
            }
        }
        assertThat(done.await(60, TimeUnit.SECONDS)).as("all answered").isTrue();
        assertThat(wrong).isEmpty();
        assertThat(answered).isSorted().hasSize(requests);
        assertThat(zk.exists("/p", false).getVersion()).isEqualTo(changes);
        assertThat(server.state().lastApplied() - indexBefore)
                .as("log entries used by %d changes of one session", changes)
                .isLessThan(changes);
    }

    /**
     * At its limit of outstanding changes a member stops reading changes — it throttles the
     * clients that pipeline them, which see slower answers and no error — and still serves other
     * sessions' reads; the number in flight never passes the limit.
     */
    @Test
    void aMemberAtItsOutstandingLimitThrottlesWritersAndServesReaders() throws Exception {
        server.close();
        int limit = 4;
        server = startServer("raft-throttled", limit, 64 << 10);
        ZooKeeper reader = connect(null);
        reader.create("/t", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        int writers = 4;
        int perWriter = 200;
        byte[] value = new byte[16 << 10];
        CountDownLatch done = new CountDownLatch(writers * perWriter);
        List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int w = 0; w < writers; w++) {
            ZooKeeper zk = connect(null);
            String path = "/t/w" + w;
            zk.create(path, null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            for (int i = 0; i < perWriter; i++) {
                zk.setData(
                        path,
                        value,
                        -1,
                        (rc, p, ctx, stat) -> {
                            if (rc != 0) wrong.add(p + ": rc " + rc);
                            done.countDown();
                        },
                        null);
            }
        }
        int most = 0;
        int reads = 0;
        while (done.getCount() > 0) {
            most = Math.max(most, server.outstanding().outstandingRequests());
            assertThat(reader.exists("/t", false)).isNotNull();
            reads++;
        }
        assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(wrong).isEmpty();
        assertThat(most).as("changes in flight at most").isLessThanOrEqualTo(limit);
        assertThat(reads).isPositive();
        assertThat(server.outstanding().throttledCount())
                .as("times a connection was parked")
                .isPositive();
        // A change's room is given back after its reply is sent, so the client may hear first.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(server.outstanding().outstandingRequests()).isZero();
            assertThat(server.outstanding().outstandingBytes()).isZero();
        });
        for (int w = 0; w < writers; w++)
            assertThat(reader.exists("/t/w" + w, false).getVersion()).isEqualTo(perWriter);
    }

    @Test
    void multiIsAllOrNothing() throws Exception {
        ZooKeeper zk = connect(null);
        zk.multi(List.of(
                Op.create("/m", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.create("/m/1", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.setData("/m", "v".getBytes(), 0)));
        assertThat(zk.exists("/m", false).getVersion()).isEqualTo(1);
        assertThatThrownBy(() -> zk.multi(List.of(
                        Op.create("/m/2", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                        Op.check("/m", 0))))
                .isInstanceOf(KeeperException.BadVersionException.class);
        assertThat(zk.exists("/m/2", false))
                .as("nothing of a failed multi is applied")
                .isNull();
    }

    @Test
    void ephemeralsGoWithTheirSessionWhenItIsClosedOrExpires() throws Exception {
        BlockingQueue<WatchedEvent> events = new LinkedBlockingQueue<>();
        ZooKeeper observer = connect(events);
        ZooKeeper owner = connect(null);
        owner.create("/e1", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        assertThat(observer.exists("/e1", true)).isNotNull();
        owner.close();
        assertThat(events.poll(10, TimeUnit.SECONDS).getType()).isEqualTo(Watcher.Event.EventType.NodeDeleted);

        // A client that goes silent: handshake and one create over a raw socket, then nothing.
        try (Socket raw = new Socket("127.0.0.1", server.clientPort())) {
            DataOutputStream out = new DataOutputStream(raw.getOutputStream());
            DataInputStream in = new DataInputStream(raw.getInputStream());
            out.write(Frames.packet(new ConnectRequest(0, 0, 400, 0, new byte[16], false)));
            in.readFully(new byte[in.readInt()]);
            out.write(Frames.packet(
                    new RequestHeader(1, OpCode.CREATE),
                    new CreateRequest("/e2", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL.toFlag())));
            in.readFully(new byte[in.readInt()]);
            assertThat(observer.exists("/e2", true)).isNotNull();
            WatchedEvent gone = events.poll(20, TimeUnit.SECONDS);
            assertThat(gone)
                    .as("expired by the leader after the 400 ms timeout")
                    .isNotNull();
            assertThat(gone.getType()).isEqualTo(Watcher.Event.EventType.NodeDeleted);
        }
    }

    @Test
    void curatorMutexGivesMutualExclusion() throws Exception {
        int threads = 4;
        int rounds = 15;
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        AtomicInteger total = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<CuratorFramework> curators = new ArrayList<>();
        try {
            List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                CuratorFramework c = CuratorFrameworkFactory.newClient(
                        "127.0.0.1:" + server.clientPort(), 5000, 5000, new ExponentialBackoffRetry(50, 5));
                c.start();
                curators.add(c);
                futures.add(pool.submit(() -> {
                    InterProcessMutex lock = new InterProcessMutex(c, "/locks/counter");
                    for (int i = 0; i < rounds; i++) {
                        lock.acquire();
                        try {
                            maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                            total.incrementAndGet();
                            inside.decrementAndGet();
                        } finally {
                            lock.release();
                        }
                    }
                    return null;
                }));
            }
            for (var f : futures) f.get(60, TimeUnit.SECONDS);
        } finally {
            curators.forEach(CuratorFramework::close);
            pool.shutdownNow();
        }
        assertThat(total.get()).isEqualTo(threads * rounds);
        assertThat(maxInside.get()).as("never two holders at once").isEqualTo(1);
    }

    @Test
    void malformedAndOversizedPacketsCloseOnlyThatConnection() throws Exception {
        try (Socket raw = new Socket("127.0.0.1", server.clientPort())) {
            DataOutputStream out = new DataOutputStream(raw.getOutputStream());
            out.writeInt(Integer.MAX_VALUE);
            out.flush();
            assertThat(raw.getInputStream().read()).as("closed by the server").isEqualTo(-1);
        }
        try (Socket raw = new Socket("127.0.0.1", server.clientPort())) {
            DataOutputStream out = new DataOutputStream(raw.getOutputStream());
            out.writeInt(3);
            out.write(new byte[] {1, 2, 3});
            out.flush();
            assertThat(raw.getInputStream().read()).isEqualTo(-1);
        }
        try (Socket raw = new Socket("127.0.0.1", server.clientPort())) {
            raw.getOutputStream().write("ruok".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(raw.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("imok");
        }
        ZooKeeper zk = connect(null);
        assertThat(zk.exists("/", false)).isNotNull();
    }

    @Test
    void aClientThatDoesNotReadItsRepliesStallsNoOneAndIsReadNoFurther() throws Exception {
        ZooKeeper zk = connect(null);
        zk.create("/big", new byte[64 << 10], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create("/small", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        try (Socket raw = new Socket("127.0.0.1", server.clientPort())) {
            DataOutputStream out = new DataOutputStream(raw.getOutputStream());
            DataInputStream in = new DataInputStream(raw.getInputStream());
            out.write(Frames.packet(new ConnectRequest(0, 0, 4000, 0, new byte[16], false)));
            in.readFully(new byte[in.readInt()]);
            // 2,000 reads of 64 KiB, 125 MiB of answers, none of them read by this client.
            Thread flood = Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (int i = 0; i < 2000; i++)
                        out.write(Frames.packet(
                                new RequestHeader(i + 2, OpCode.GET_DATA), new GetDataRequest("/big", false)));
                } catch (java.io.IOException e) {
                    // closed at the end of the test
                }
            });
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> queuedByConnection().stream().anyMatch(q -> q > 0));
            // Every other client is served meanwhile: the selector thread never waits for this one.
            for (int i = 0; i < 50; i++) zk.setData("/small", new byte[] {(byte) i}, -1);
            assertThat(zk.getData("/small", false, null)).containsExactly(49);
            // And the member stopped reading its requests once about MAX_QUEUED_BYTES of answers waited for it.
            int perReply = 64 << 10;
            assertThat(queuedByConnection())
                    .allSatisfy(q -> assertThat(q).isLessThanOrEqualTo(ZkConnection.MAX_QUEUED_BYTES / perReply + 2));
            flood.interrupt();
        }
    }

    /** The queued packets of each client connection, from the {@code cons} four-letter word. */
    private List<Integer> queuedByConnection() throws Exception {
        try (Socket raw = new Socket("127.0.0.1", server.clientPort())) {
            raw.getOutputStream().write("cons".getBytes(StandardCharsets.US_ASCII));
            String cons = new String(raw.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            List<Integer> queued = new ArrayList<>();
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("queued=(\\d+)").matcher(cons);
            while (m.find()) queued.add(Integer.parseInt(m.group(1)));
            return queued;
        }
    }

    @Test
    void persistentRecursiveWatchAndCuratorCacheSeeDescendants() throws Exception {
        BlockingQueue<WatchedEvent> events = new LinkedBlockingQueue<>();
        ZooKeeper zk = connect(null);
        zk.create("/r", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.addWatch("/r", events::add, org.apache.zookeeper.AddWatchMode.PERSISTENT_RECURSIVE);
        zk.create("/r/a", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create("/r/a/b", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.setData("/r/a", new byte[1], -1);
        zk.delete("/r/a/b", -1);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            WatchedEvent e = events.poll(10, TimeUnit.SECONDS);
            assertThat(e).as("event %d", i).isNotNull();
            seen.add(e.getType() + " " + e.getPath());
        }
        assertThat(seen)
                .containsExactly(
                        "NodeCreated /r/a", "NodeCreated /r/a/b", "NodeDataChanged /r/a", "NodeDeleted /r/a/b");

        CuratorFramework c = CuratorFrameworkFactory.newClient(
                "127.0.0.1:" + server.clientPort(), 5000, 5000, new ExponentialBackoffRetry(100, 3));
        c.start();
        clients.add(c);
        java.util.Map<String, String> mirror = new java.util.concurrent.ConcurrentHashMap<>();
        org.apache.curator.framework.recipes.cache.CuratorCache cache =
                org.apache.curator.framework.recipes.cache.CuratorCache.build(c, "/r");
        cache.listenable().addListener((type, oldData, data) -> {
            switch (type) {
                case NODE_CREATED, NODE_CHANGED ->
                    mirror.put(data.getPath(), new String(data.getData(), StandardCharsets.UTF_8));
                case NODE_DELETED -> mirror.remove(oldData.getPath());
            }
        });
        cache.start();
        clients.add(cache);
        zk.create("/r/x", "1".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create("/r/x/y", "2".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () -> assertThat(mirror).containsEntry("/r/x", "1").containsEntry("/r/x/y", "2"));
    }

    @Test
    void multiReadAnswersEachReadOnItsOwn() throws Exception {
        ZooKeeper zk = connect(null);
        zk.create("/mr", "d".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create("/mr/c", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        List<org.apache.zookeeper.OpResult> results =
                zk.multi(List.of(Op.getData("/mr"), Op.getChildren("/mr"), Op.getData("/missing")));
        assertThat(((org.apache.zookeeper.OpResult.GetDataResult) results.get(0)).getData())
                .isEqualTo("d".getBytes(StandardCharsets.UTF_8));
        assertThat(((org.apache.zookeeper.OpResult.GetChildrenResult) results.get(1)).getChildren())
                .containsExactly("c");
        assertThat(((org.apache.zookeeper.OpResult.ErrorResult) results.get(2)).getErr())
                .isEqualTo(KeeperException.Code.NONODE.intValue());
    }

    @Test
    void reconfigAddsAJoinedMemberThroughRaft() throws Exception {
        ZooKeeper zk = connect(null);
        zk.create("/before", "x".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        int raftPort = FreePorts.pick("127.0.0.1");
        RaftPeerAddress m1 = server.raft().self();
        RaftPeerAddress m2 = new RaftPeerAddress("m2", "127.0.0.1", raftPort);
        CoordServer second = CoordServer.start(
                CoordServer.Settings.builder(new RaftMember.Settings(
                                m2,
                                List.of(m1, m2),
                                dir.resolve("raft2"),
                                1000,
                                Duration.ofMillis(300),
                                Duration.ofSeconds(10),
                                true))
                        .tick(Duration.ofMillis(200))
                        .build(),
                Clock.system());
        clients.add(second);
        CountDownLatch connected = new CountDownLatch(1);
        org.apache.zookeeper.admin.ZooKeeperAdmin admin =
                new org.apache.zookeeper.admin.ZooKeeperAdmin("127.0.0.1:" + server.clientPort(), 4000, e -> {
                    if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
                });
        clients.add(admin::close);
        assertThat(connected.await(20, TimeUnit.SECONDS)).isTrue();
        String config =
                new String(admin.reconfigure(m2.toString(), null, null, -1, new Stat()), StandardCharsets.UTF_8);
        assertThat(config).contains("server.m1=" + m1.address()).contains("server.m2=" + m2.address());
        // The new member has the state from before it joined, and later writes. (The group's change
        // may cost the client its connection for a moment: it writes again, as any client would.)
        await().atMost(Duration.ofSeconds(20))
                .ignoreException(KeeperException.ConnectionLossException.class)
                .until(() -> {
                    try {
                        zk.create("/after", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                    } catch (KeeperException.NodeExistsException written) {
                        // the lost answer's create went through
                    }
                    return true;
                });
        await().atMost(Duration.ofSeconds(20))
                .until(() -> second.state()
                        .read(t ->
                                t.get("/before").isPresent() && t.get("/after").isPresent()));
        assertThatThrownBy(() -> admin.reconfigure(null, "nobody", null, -1, new Stat()))
                .isInstanceOf(KeeperException.BadArgumentsException.class);
    }
}
