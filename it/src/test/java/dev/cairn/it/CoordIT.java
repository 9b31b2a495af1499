package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.common.io.FileTrees;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.atomic.AtomicValue;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.barriers.DistributedDoubleBarrier;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderSelector;
import org.apache.curator.framework.recipes.leader.LeaderSelectorListenerAdapter;
import org.apache.curator.framework.recipes.locks.InterProcessLock;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2;
import org.apache.curator.framework.recipes.locks.Lease;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.recipes.nodes.PersistentTtlNode;
import org.apache.curator.framework.recipes.queue.DistributedQueue;
import org.apache.curator.framework.recipes.queue.QueueBuilder;
import org.apache.curator.framework.recipes.queue.QueueConsumer;
import org.apache.curator.framework.recipes.queue.QueueSerializer;
import org.apache.curator.framework.recipes.shared.SharedCount;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.yaml.snakeyaml.Yaml;

/**
 * Apache Curator's recipes and the stock ZooKeeper client, unchanged, against a three-member coord
 * of separate processes started by {@code cairn cluster up} (the master and both workers are the
 * members). Clients are spread over the members, so most recipes are exercised across members.
 * Counts are checked exactly: a lock that ever lets two holders in, or a counter that loses an
 * increment, fails. The last test kills a member with SIGKILL.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CoordIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static Path dir;
    private static String connect;
    private static List<String> members;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void up() throws Exception {
        dir = Files.createTempDirectory("cairn-coord-it");
        // A short tick allows short sessions (timeouts are negotiated into [2, 20] ticks), so expiry tests are quick.
        Cli.ok(
                Duration.ofMinutes(2),
                "cluster",
                "up",
                "--nodes",
                "2",
                "--slots",
                "1",
                "--dir",
                dir.toString(),
                "--jvm-opts",
                "-Xmx256m",
                "-Dcoord.tick=500ms");
        Map<String, Object> cluster = new Yaml().load(Files.readString(dir.resolve("cluster.json")));
        connect = (String) cluster.get("coordConnect");
        members = Arrays.asList(connect.split(","));
        assertThat(members).hasSize(3);
    }

    @AfterAll
    static void down() throws Exception {
        if (dir == null) return;
        Cli.run(Duration.ofMinutes(1), "cluster", "down", "--dir", dir.toString());
        FileTrees.deleteRecursively(dir);
    }

    @AfterEach
    void closeClients() {
        Collections.reverse(closeables);
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort: the next test gets fresh clients anyway
            }
        }
        closeables.clear();
    }

    /** A started Curator client connected to member {@code i % 3} only (so clients are spread deterministically). */
    private CuratorFramework curator(int i) throws InterruptedException {
        return curator(members.get(i % members.size()), 5_000);
    }

    private CuratorFramework curator(String connectString, int sessionMs) throws InterruptedException {
        CuratorFramework c = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(sessionMs)
                .connectionTimeoutMs(10_000)
                .retryPolicy(new ExponentialBackoffRetry(100, 10, 2_000))
                .build();
        c.start();
        closeables.add(c);
        assertThat(c.blockUntilConnected(30, TimeUnit.SECONDS))
                .as("connected to %s", connectString)
                .isTrue();
        return c;
    }

    private ExecutorService pool(int n) {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        closeables.add(pool::shutdownNow);
        return pool;
    }

    private static void all(List<Future<?>> futures) throws Exception {
        for (Future<?> f : futures) f.get(2, TimeUnit.MINUTES);
    }

    @Test
    @Order(1)
    void interProcessMutexExcludesUnderContention() throws Exception {
        int clients = 6;
        int rounds = 15;
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        // A read-modify-write of a znode without versions: only mutual exclusion keeps the count exact.
        CuratorFramework setup = curator(0);
        setup.create().creatingParentsIfNeeded().forPath("/it/mutex-count", "0".getBytes(StandardCharsets.UTF_8));
        ExecutorService pool = pool(clients);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            CuratorFramework c = curator(i);
            futures.add(pool.submit(() -> {
                InterProcessMutex mutex = new InterProcessMutex(c, "/it/mutex");
                for (int r = 0; r < rounds; r++) {
                    assertThat(mutex.acquire(60, TimeUnit.SECONDS)).isTrue();
                    try {
                        maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        int n = Integer.parseInt(
                                new String(c.getData().forPath("/it/mutex-count"), StandardCharsets.UTF_8));
                        c.setData()
                                .forPath(
                                        "/it/mutex-count",
                                        Integer.toString(n + 1).getBytes(StandardCharsets.UTF_8));
                        inside.decrementAndGet();
                    } finally {
                        mutex.release();
                    }
                }
                return null;
            }));
        }
        all(futures);
        assertThat(maxInside.get()).as("holders at once").isEqualTo(1);
        c0Sync(setup, "/it/mutex-count");
        assertThat(new String(setup.getData().forPath("/it/mutex-count"), StandardCharsets.UTF_8))
                .isEqualTo(Integer.toString(clients * rounds));
    }

    /** Reads are answered by the member a client is on; sync first so this one sees every committed write. */
    private static void c0Sync(CuratorFramework c, String path) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        c.sync().inBackground((client, event) -> done.countDown()).forPath(path);
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    @Order(2)
    void readWriteLockLetsReadersShareAndWritersExclude() throws Exception {
        AtomicInteger readers = new AtomicInteger();
        AtomicInteger writers = new AtomicInteger();
        AtomicInteger maxReaders = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        ExecutorService pool = pool(6);
        List<Future<?>> futures = new ArrayList<>();
        CountDownLatch readersIn = new CountDownLatch(3);
        for (int i = 0; i < 6; i++) {
            boolean writer = i >= 3;
            CuratorFramework c = curator(i);
            futures.add(pool.submit(() -> {
                InterProcessReadWriteLock lock = new InterProcessReadWriteLock(c, "/it/rw");
                if (!writer) {
                    // All three readers hold the read lock at the same time at least once.
                    lock.readLock().acquire();
                    try {
                        maxReaders.accumulateAndGet(readers.incrementAndGet(), Math::max);
                        if (writers.get() > 0) violations.incrementAndGet();
                        readersIn.countDown();
                        readersIn.await(60, TimeUnit.SECONDS);
                        readers.decrementAndGet();
                    } finally {
                        lock.readLock().release();
                    }
                }
                for (int r = 0; r < 8; r++) {
                    InterProcessLock m = writer ? lock.writeLock() : lock.readLock();
                    assertThat(m.acquire(60, TimeUnit.SECONDS)).isTrue();
                    try {
                        if (writer) {
                            if (writers.incrementAndGet() > 1 || readers.get() > 0) violations.incrementAndGet();
                            writers.decrementAndGet();
                        } else {
                            readers.incrementAndGet();
                            if (writers.get() > 0) violations.incrementAndGet();
                            readers.decrementAndGet();
                        }
                    } finally {
                        m.release();
                    }
                }
                return null;
            }));
        }
        all(futures);
        assertThat(violations.get()).isZero();
        assertThat(maxReaders.get()).as("readers shared the lock").isEqualTo(3);
    }

    @Test
    @Order(3)
    void semaphoreGrantsAtMostItsLeases() throws Exception {
        int leases = 2;
        AtomicInteger held = new AtomicInteger();
        AtomicInteger maxHeld = new AtomicInteger();
        AtomicInteger acquired = new AtomicInteger();
        ExecutorService pool = pool(5);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            CuratorFramework c = curator(i);
            futures.add(pool.submit(() -> {
                InterProcessSemaphoreV2 sem = new InterProcessSemaphoreV2(c, "/it/semaphore", leases);
                for (int r = 0; r < 6; r++) {
                    Lease lease = sem.acquire(60, TimeUnit.SECONDS);
                    assertThat(lease).isNotNull();
                    try {
                        maxHeld.accumulateAndGet(held.incrementAndGet(), Math::max);
                        acquired.incrementAndGet();
                        Thread.sleep(5); // hold it a moment so that leases overlap
                        held.decrementAndGet();
                    } finally {
                        sem.returnLease(lease);
                    }
                }
                return null;
            }));
        }
        all(futures);
        assertThat(acquired.get()).isEqualTo(30);
        assertThat(maxHeld.get()).isBetween(1, leases);
    }

    @Test
    @Order(4)
    void leaderLatchHasOneLeaderAndFailsOverWhenItsSessionDies() throws Exception {
        List<CuratorFramework> clients = new ArrayList<>();
        List<LeaderLatch> latches = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            CuratorFramework c = curator(i);
            clients.add(c);
            LeaderLatch latch = new LeaderLatch(c, "/it/latch", "p" + i);
            latch.start();
            closeables.add(() -> latch.close(LeaderLatch.CloseMode.SILENT));
            latches.add(latch);
        }
        await().atMost(WAIT)
                .until(() -> latches.stream().filter(LeaderLatch::hasLeadership).count() == 1);
        int leader = indexOfLeader(latches);
        for (LeaderLatch l : latches) assertThat(l.getLeader().getId()).isEqualTo("p" + leader);

        // Kill the leader's session from outside (ZooKeeper's classic trick: same id and password, then close).
        expireSession(clients.get(leader));
        await().atMost(WAIT).until(() -> {
            long leaders = latches.stream().filter(LeaderLatch::hasLeadership).count();
            return leaders == 1 && !latches.get(leader).hasLeadership();
        });
        assertThat(indexOfLeader(latches)).isNotEqualTo(leader);
    }

    private static int indexOfLeader(List<LeaderLatch> latches) {
        for (int i = 0; i < latches.size(); i++) if (latches.get(i).hasLeadership()) return i;
        return -1;
    }

    /** Closes a client's session on the server without the client's help: it sees the expiry like after a partition. */
    private static void expireSession(CuratorFramework c) throws Exception {
        ZooKeeper zk = c.getZookeeperClient().getZooKeeper();
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper twin = new ZooKeeper(
                c.getZookeeperClient().getCurrentConnectionString(),
                5_000,
                e -> {
                    if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
                },
                zk.getSessionId(),
                zk.getSessionPasswd());
        assertThat(connected.await(30, TimeUnit.SECONDS)).isTrue();
        twin.close();
    }

    @Test
    @Order(5)
    void leaderSelectorLeadsOneAtATimeInTurn() throws Exception {
        AtomicInteger leading = new AtomicInteger();
        AtomicInteger maxLeading = new AtomicInteger();
        Map<Integer, AtomicInteger> turns = new ConcurrentHashMap<>();
        CountDownLatch enoughTurns = new CountDownLatch(9);
        for (int i = 0; i < 3; i++) {
            int id = i;
            LeaderSelector selector =
                    new LeaderSelector(curator(i), "/it/selector", new LeaderSelectorListenerAdapter() {
                        @Override
                        public void takeLeadership(CuratorFramework client) throws Exception {
                            maxLeading.accumulateAndGet(leading.incrementAndGet(), Math::max);
                            turns.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                            Thread.sleep(20);
                            leading.decrementAndGet();
                            enoughTurns.countDown();
                        }
                    });
            selector.autoRequeue();
            selector.start();
            closeables.add(selector);
        }
        assertThat(enoughTurns.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(maxLeading.get()).isEqualTo(1);
        assertThat(turns).as("every participant led").hasSize(3);
    }

    @Test
    @Order(6)
    void distributedAtomicLongAndSharedCountCountExactly() throws Exception {
        int threads = 4;
        int increments = 25;
        ExecutorService pool = pool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            CuratorFramework c = curator(i);
            futures.add(pool.submit(() -> {
                DistributedAtomicLong counter = new DistributedAtomicLong(c, "/it/atomic", new RetryNTimes(1000, 1));
                for (int r = 0; r < increments; r++) {
                    AtomicValue<Long> v = counter.increment();
                    assertThat(v.succeeded()).isTrue();
                }
                return null;
            }));
        }
        all(futures);
        CuratorFramework reader = curator(0);
        c0Sync(reader, "/it/atomic");
        assertThat(new DistributedAtomicLong(reader, "/it/atomic", new RetryNTimes(3, 10))
                        .get()
                        .postValue())
                .isEqualTo(threads * increments);

        // SharedCount: versioned compare-and-set; the final count is the number of successful sets.
        AtomicInteger successes = new AtomicInteger();
        futures.clear();
        for (int i = 0; i < threads; i++) {
            CuratorFramework c = curator(i);
            futures.add(pool.submit(() -> {
                try (SharedCount count = new SharedCount(c, "/it/shared", 0)) {
                    count.start();
                    for (int r = 0; r < increments; r++) {
                        var v = count.getVersionedValue();
                        if (count.trySetCount(v, v.getValue() + 1)) successes.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        all(futures);
        c0Sync(reader, "/it/shared");
        try (SharedCount count = new SharedCount(reader, "/it/shared", 0)) {
            count.start();
            assertThat(count.getCount()).isEqualTo(successes.get()).isPositive();
        }
    }

    @Test
    @Order(7)
    void doubleBarrierReleasesTogether() throws Exception {
        int parties = 3;
        AtomicInteger entered = new AtomicInteger();
        AtomicInteger sawAllEntered = new AtomicInteger();
        ExecutorService pool = pool(parties);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < parties; i++) {
            CuratorFramework c = curator(i);
            futures.add(pool.submit(() -> {
                DistributedDoubleBarrier barrier = new DistributedDoubleBarrier(c, "/it/barrier", parties);
                entered.incrementAndGet();
                assertThat(barrier.enter(60, TimeUnit.SECONDS)).isTrue();
                if (entered.get() == parties) sawAllEntered.incrementAndGet();
                assertThat(barrier.leave(60, TimeUnit.SECONDS)).isTrue();
                return null;
            }));
        }
        all(futures);
        assertThat(sawAllEntered.get())
                .as("nobody passed enter() before all had arrived")
                .isEqualTo(parties);
    }

    @Test
    @Order(8)
    void curatorCacheMirrorsTheTree() throws Exception {
        CuratorFramework writer = curator(0);
        CuratorFramework watcher = curator(1);
        writer.create().creatingParentsIfNeeded().forPath("/it/cache", new byte[0]);
        Map<String, String> mirror = new ConcurrentHashMap<>();
        CuratorCache cache = CuratorCache.build(watcher, "/it/cache");
        cache.listenable().addListener((type, oldData, data) -> {
            switch (type) {
                case NODE_CREATED, NODE_CHANGED ->
                    mirror.put(data.getPath(), new String(data.getData(), StandardCharsets.UTF_8));
                case NODE_DELETED -> mirror.remove(oldData.getPath());
            }
        });
        cache.start();
        closeables.add(cache);
        // A seeded random walk of creates, updates and deletes, kept in a model.
        Random random = new Random(42);
        Map<String, String> model = new TreeMap<>();
        model.put("/it/cache", "");
        for (int i = 0; i < 150; i++) {
            String path = "/it/cache/k" + random.nextInt(8) + (random.nextBoolean() ? "" : "/c" + random.nextInt(3));
            String parent = path.substring(0, path.lastIndexOf('/'));
            String value = "v" + i;
            if (!model.containsKey(path)) {
                if (!model.containsKey(parent)) {
                    writer.create().forPath(parent, new byte[0]);
                    model.put(parent, "");
                }
                writer.create().forPath(path, value.getBytes(StandardCharsets.UTF_8));
                model.put(path, value);
            } else if (random.nextInt(3) == 0 && model.keySet().stream().noneMatch(p -> p.startsWith(path + "/"))) {
                writer.delete().forPath(path);
                model.remove(path);
            } else {
                writer.setData().forPath(path, value.getBytes(StandardCharsets.UTF_8));
                model.put(path, value);
            }
        }
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(new TreeMap<>(mirror)).isEqualTo(model));
        Map<String, String> cached = new TreeMap<>();
        for (ChildData d : cache.stream().toList())
            cached.put(d.getPath(), new String(d.getData(), StandardCharsets.UTF_8));
        assertThat(cached).isEqualTo(model);
    }

    @Test
    @Order(9)
    void persistentNodeComesBackAndTtlNodeExpires() throws Exception {
        CuratorFramework owner = curator(1);
        CuratorFramework observer = curator(2);
        PersistentNode node = new PersistentNode(
                owner, CreateMode.EPHEMERAL, false, "/it/persistent/me", "x".getBytes(StandardCharsets.UTF_8));
        node.start();
        closeables.add(node);
        assertThat(node.waitForInitialCreate(30, TimeUnit.SECONDS)).isTrue();
        // Someone deletes it: the recipe puts it back.
        observer.delete().forPath("/it/persistent/me");
        await().atMost(WAIT).until(() -> observer.checkExists().forPath("/it/persistent/me") != null);

        PersistentTtlNode ttl = new PersistentTtlNode(owner, "/it/ttl/me", 1_000, "t".getBytes(StandardCharsets.UTF_8));
        ttl.start();
        assertThat(ttl.waitForInitialCreate(30, TimeUnit.SECONDS)).isTrue();
        c0Sync(observer, "/it/ttl/me"); // the observer is connected to another member: sequential consistency
        assertThat(observer.checkExists().forPath("/it/ttl/me")).isNotNull();
        // While its owner lives the recipe keeps touching it (setData on its TTL child); once closed,
        // coord removes it after its TTL. Kept alive: by the coord's own clock (the leader stamps
        // every change), the same child (not one created again) is touched more than twice its TTL
        // after it was created — no sleep; a recipe that stopped touching it never gets there.
        String child = "/it/ttl/me/" + PersistentTtlNode.DEFAULT_CHILD_NODE_NAME; // made at the recipe's first touch
        Stat created =
                await().atMost(WAIT).until(() -> observer.checkExists().forPath(child), java.util.Objects::nonNull);
        await().atMost(WAIT).until(() -> {
            Stat now = observer.checkExists().forPath(child);
            return now != null
                    && now.getCtime() == created.getCtime()
                    && now.getMtime() - created.getCtime() > 2 * 1_000;
        });
        c0Sync(observer, "/it/ttl/me");
        assertThat(observer.checkExists().forPath("/it/ttl/me"))
                .as("kept alive past its TTL")
                .isNotNull();
        ttl.close();
        await().atMost(WAIT).until(() -> observer.checkExists().forPath("/it/ttl/me") == null);
    }

    @Test
    @Order(10)
    void distributedQueueDeliversEveryItem() throws Exception {
        int items = 60;
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        QueueSerializer<String> serializer = new QueueSerializer<>() {
            @Override
            public byte[] serialize(String item) {
                return item.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public String deserialize(byte[] bytes) {
                return new String(bytes, StandardCharsets.UTF_8);
            }
        };
        QueueConsumer<String> consumer = new QueueConsumer<>() {
            @Override
            public void consumeMessage(String message) {
                received.add(message);
            }

            @Override
            public void stateChanged(CuratorFramework client, ConnectionState newState) {
                // nothing to do: the queue recipe resumes on reconnect
            }
        };
        DistributedQueue<String> consumerQueue = QueueBuilder.builder(curator(1), consumer, serializer, "/it/queue")
                .buildQueue();
        consumerQueue.start();
        closeables.add(consumerQueue);
        DistributedQueue<String> producer =
                QueueBuilder.builder(curator(2), null, serializer, "/it/queue").buildQueue();
        producer.start();
        closeables.add(producer);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < items; i++) {
            producer.put("item-" + i);
            sent.add("item-" + i);
        }
        await().atMost(WAIT).until(() -> received.size() >= items);
        assertThat(new ArrayList<>(received)).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    @Order(11)
    void ephemeralsGoWhenTheSessionExpires() throws Exception {
        CuratorFramework owner = curator(members.get(0), 2_000);
        CuratorFramework observer = curator(2);
        owner.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath("/it/eph/a");
        owner.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath("/it/eph/s-");
        c0Sync(observer, "/it/eph");
        assertThat(observer.getChildren().forPath("/it/eph")).hasSize(2);
        expireSession(owner);
        await().atMost(WAIT)
                .until(() -> observer.getChildren().forPath("/it/eph").isEmpty());
    }

    @Test
    @Order(12)
    void coordCommandsWorkAndReportErrorsInOneLine() throws Exception {
        String d = dir.toString();
        Duration t = Duration.ofSeconds(60);
        assertThat(Cli.ok(t, "coord", "create", "/cli", "hello", "--dir", d)
                        .stdout()
                        .trim())
                .isEqualTo("/cli");
        assertThat(Cli.ok(t, "coord", "create", "/cli/s-", "-s", "--dir", d)
                        .stdout()
                        .trim())
                .matches("/cli/s-\\d{10}");
        assertThat(Cli.ok(t, "coord", "get", "/cli", "--dir", d).stdout().trim())
                .isEqualTo("hello");
        assertThat(Cli.ok(t, "coord", "set", "/cli", "v2", "-v", "0", "--dir", d)
                        .stdout()
                        .trim())
                .isEqualTo("version 1");
        assertThat(Cli.ok(t, "coord", "ls", "-R", "/cli", "--dir", d)
                        .stdout()
                        .lines()
                        .toList())
                .hasSize(2);
        assertThat(Cli.ok(t, "coord", "stat", "/cli", "--dir", d).stdout())
                .contains("dataVersion = 1")
                .contains("numChildren = 1");
        Cli.Result badVersion = Cli.run(t, "coord", "set", "/cli", "v3", "-v", "7", "--dir", d);
        assertThat(badVersion.exit()).isEqualTo(1);
        assertThat(badVersion.stderr().trim()).isEqualTo("error: version mismatch on /cli");
        assertThat(Cli.run(t, "coord", "delete", "/cli", "--dir", d).stderr().trim())
                .isEqualTo("error: /cli has children; use -r");
        Cli.ok(t, "coord", "delete", "-r", "/cli", "--dir", d);
        assertThat(Cli.run(t, "coord", "get", "/cli", "--dir", d).stderr().trim())
                .isEqualTo("error: no such node: /cli");
        assertThat(Cli.ok(t, "coord", "members", "list", "--dir", d).stdout())
                .contains("server.master=")
                .contains("server.worker-1=")
                .contains("server.worker-2=");
        assertThat(Cli.run(t, "coord", "ls", "/", "--connect", "127.0.0.1:1", "--connect-timeout", "2")
                        .stderr())
                .contains("cannot connect to coord at 127.0.0.1:1 within 2 s");
    }

    /** The last test: it kills a member. */
    @Test
    @Order(13)
    void watchesMoveWithAClientToAnotherMemberWhenItsMemberIsKilled() throws Exception {
        BlockingQueue<WatchedEvent> events = new LinkedBlockingQueue<>();
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connect, 10_000, e -> {
            if (e.getType() == Watcher.Event.EventType.None) {
                if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
            } else {
                events.add(e);
            }
        });
        closeables.add(zk::close);
        assertThat(connected.await(30, TimeUnit.SECONDS)).isTrue();
        zk.create("/it-move", "0".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.getData("/it-move", true, null);
        zk.getChildren("/it-move", true);
        zk.exists("/it-move/child", true);

        // Find the member this client is on (the 'cons' four-letter word lists sessions) and kill that process.
        String sid = "sid=0x" + Long.toHexString(zk.getSessionId());
        String on = null;
        for (String m : members) if (fourLetterWord(m, "cons").contains(sid)) on = m;
        assertThat(on).as("member holding %s", sid).isNotNull();
        int port = Integer.parseInt(on.substring(on.indexOf(':') + 1));
        Map<String, Object> cluster = new Yaml().load(Files.readString(dir.resolve("cluster.json")));
        long victim = -1;
        for (Map<String, Object> n : nodesOf(cluster)) {
            String log = Files.readString(Path.of((String) n.get("log")));
            if (log.contains("coord clients at 127.0.0.1:" + port)) victim = ((Number) n.get("pid")).longValue();
        }
        assertThat(victim).as("process of member %s", on).isPositive();
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();

        // Another client changes everything the first one watches; the first must hear of each change after it moved.
        CuratorFramework other = curator(
                String.join(
                        ",",
                        members.stream().filter(m -> !m.endsWith(":" + port)).toList()),
                10_000);
        other.setData().forPath("/it-move", "1".getBytes(StandardCharsets.UTF_8));
        other.create().forPath("/it-move/child");
        List<String> seen = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            for (WatchedEvent e; (e = events.poll()) != null; ) seen.add(e.getType() + " " + e.getPath());
            return seen.size() >= 3;
        });
        assertThat(seen)
                .containsExactlyInAnyOrder(
                        "NodeDataChanged /it-move", "NodeChildrenChanged /it-move", "NodeCreated /it-move/child");
        assertThat(zk.getState().isConnected()).isTrue();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> nodesOf(Map<String, Object> cluster) {
        return (List<Map<String, Object>>) cluster.get("nodes");
    }

    static String fourLetterWord(String hostPort, String word) throws IOException {
        int colon = hostPort.indexOf(':');
        try (Socket s = new Socket(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)))) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(word.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
