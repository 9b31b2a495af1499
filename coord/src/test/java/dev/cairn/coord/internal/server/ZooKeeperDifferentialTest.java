package dev.cairn.coord.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.common.net.FreePorts;
import dev.cairn.common.time.Clock;
import dev.cairn.coord.internal.raft.RaftMember;
import dev.cairn.coord.internal.raft.RaftPeerAddress;
import dev.cairn.coord.internal.tree.NodeView;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.ContainerManager;
import org.apache.zookeeper.server.DataTree;
import org.apache.zookeeper.server.RequestProcessor;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZKDatabase;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential test against Apache ZooKeeper itself: a real ZooKeeper 3.9 server runs in-process
 * next to a one-member Cairn coord, and the stock ZooKeeper client drives both with the same
 * seeded random sequence of operations over a small set of paths. Every outcome must be equal:
 * the error code or the result, children (sorted), ACLs, data, and the Stat fields that do not
 * depend on how a system numbers its transactions (versions, lengths, child counts, the kind of
 * ephemeral owner). Zxids are compared by pattern only — within a Stat ({@code czxid == mzxid},
 * {@code pzxid > czxid}, ...) and, every few steps, across the whole tree by rank, read straight
 * from both servers' in-memory trees — because Cairn derives its zxids from Raft log indexes. Times are not
 * compared.
 *
 * <p>Three sessions per system: S1 (authenticated as alice), S2 (sometimes bob, sometimes alice,
 * sometimes nobody; closed and reopened now and then, so its ephemerals go) and W, which only sets
 * watches. After every change W issues an asynchronous sync; its callback runs on the client's
 * event thread after every notification that arrived before the reply, so the notifications a
 * change caused can be compared change by change, without sleeping.
 *
 * <p>ZooKeeper removes emptied containers from a background timer that the bare
 * {@link ZooKeeperServer} does not start; after every change the test runs ZooKeeper's own
 * {@link ContainerManager} once and waits until both systems have removed their candidates (Cairn's
 * leader removes them by itself), so the next step starts from the same tree. TTL nodes get a TTL
 * far beyond the run, and their expiry is checked on its own in
 * {@link #ttlNodesExpireAndUnusedContainersStayLikeInZooKeeper}.
 *
 * <p>Deliberate differences from ZooKeeper, not exercised here:
 * <ul>
 *   <li>zxids and times differ in value (see above);
 *   <li>data larger than the coord's limit is refused with BADARGUMENTS, where ZooKeeper closes
 *       the connection at {@code jute.maxbuffer};
 *   <li>a version counter that reaches {@code Integer.MAX_VALUE} skips -1 when it wraps (-1 means
 *       "any version" in requests), where ZooKeeper stores -1;
 *   <li>the leader re-checks a container or TTL node when its removal is applied (ZooKeeper only
 *       checks that the node is not an ordinary ephemeral);
 *   <li>when a client has authenticated as several digest identities, an {@code auth} ACL entry
 *       expands to them in the order they were added; ZooKeeper keeps them in a hash set, in no
 *       particular order. ACLs are therefore compared as sorted lists.
 * </ul>
 *
 * <p>Failures name the seed and the step; run with {@code -Dcairn.diff.seed=N} to replay another
 * sequence, {@code -Dcairn.diff.steps=N} to make it longer and {@code -Dcairn.diff.trace=true} to
 * print every step with ZooKeeper's outcome.
 */
class ZooKeeperDifferentialTest {
    private static final long SEED = Long.getLong("cairn.diff.seed", 0x5EED_C0DEL);
    private static final int STEPS = Integer.getInteger("cairn.diff.steps", 1200);
    private static final boolean TRACE = Boolean.getBoolean("cairn.diff.trace");
    private static final long LONG_TTL_MS = 3_600_000;
    private static final String ALICE = "alice:secret";
    private static final String BOB = "bob:secret";
    private static final String EXTENDED_TYPES = "zookeeper.extendedTypesEnabled";

    private static final List<String> BASE_PATHS =
            List.of("/a", "/a/b", "/a/b/c", "/a/e", "/c", "/c/x", "/c/x/y", "/k", "/k/m", "/t", "/t/u", "/none/z");
    private static final List<String> SEQUENTIAL_PREFIXES = List.of("/a/s-", "/c/q-", "/k/", "/t/n-", "/a/b/");
    private static final List<String> SPECIAL_PATHS =
            List.of("/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config");

    @TempDir
    Path dir;

    private String savedExtendedTypes;
    private ExposedZooKeeperServer zooKeeper;
    private ServerCnxnFactory zooKeeperFactory;
    private Reaper reaper;
    private CoordServer coord;
    private Side zk;
    private Side cairn;

    @BeforeEach
    void start() throws Exception {
        // TTL nodes are an "extended type" that ZooKeeper only accepts with this switch on.
        savedExtendedTypes = System.setProperty(EXTENDED_TYPES, "true");
        File zkData = dir.resolve("zookeeper").toFile();
        zooKeeper = new ExposedZooKeeperServer(zkData, 2000);
        zooKeeperFactory = ServerCnxnFactory.createFactory(new InetSocketAddress("127.0.0.1", 0), 100);
        zooKeeperFactory.startup(zooKeeper);
        // No rate limit: candidates are posted back to back.
        reaper = new Reaper(zooKeeper.getZKDatabase(), zooKeeper.firstProcessor(), 60_000, 6_000_000);

        int raftPort = FreePorts.pick("127.0.0.1");
        RaftPeerAddress self = new RaftPeerAddress("m1", "127.0.0.1", raftPort);
        coord = CoordServer.start(
                CoordServer.Settings.builder(new RaftMember.Settings(
                                self,
                                List.of(self),
                                dir.resolve("raft"),
                                1000,
                                Duration.ofMillis(300),
                                Duration.ofSeconds(10)))
                        .tick(Duration.ofMillis(200))
                        .build(),
                Clock.system());
        await().atMost(Duration.ofSeconds(20)).until(() -> coord.raft().isLeader());

        zk = new Side("zookeeper", "127.0.0.1:" + zooKeeperFactory.getLocalPort());
        cairn = new Side("cairn", "127.0.0.1:" + coord.clientPort());
        for (Side s : List.of(zk, cairn)) s.open();
    }

    @AfterEach
    void stop() throws Exception {
        for (Side s : new Side[] {zk, cairn}) {
            if (s != null) s.close();
        }
        if (reaper != null) reaper.stop();
        if (zooKeeperFactory != null) zooKeeperFactory.shutdown();
        if (zooKeeper != null) zooKeeper.shutdown();
        if (coord != null) coord.close();
        if (savedExtendedTypes == null) System.clearProperty(EXTENDED_TYPES);
        else System.setProperty(EXTENDED_TYPES, savedExtendedTypes);
    }

    @Test
    void seededRandomOperationsHaveTheSameOutcomesAsZooKeeper() throws Exception {
        Random random = new Random(SEED);
        Deque<String> recent = new ArrayDeque<>();
        for (int i = 0; i < STEPS; i++) {
            Step step = nextStep(random);
            recent.addLast(i + ": " + step.description);
            if (recent.size() > 12) recent.removeFirst();
            String where = "seed=" + SEED + " step=" + i + " (" + step.description + ")\nrecent steps:\n  "
                    + String.join("\n  ", recent);

            long t0 = System.nanoTime();
            String expected = step.run(zk);
            long t1 = System.nanoTime();
            String actual = step.run(cairn);
            if (TRACE)
                System.out.printf("timing zk %d us, cairn %d us%n", (t1 - t0) / 1000, (System.nanoTime() - t1) / 1000);
            if (TRACE) System.out.println("step " + i + ": " + step.description + " -> " + expected);
            assertThat(actual).as("outcome at %s", where).isEqualTo(expected);

            if (step.changes) {
                long r0 = System.nanoTime();
                reapContainersOnBoth();
                long r1 = System.nanoTime();
                List<String> zkEvents = zk.eventsSinceLastSync();
                long r2 = System.nanoTime();
                List<String> cairnEvents = cairn.eventsSinceLastSync();
                if (TRACE)
                    System.out.printf(
                            "timing reap %d us, zk sync %d us, cairn sync %d us%n",
                            (r1 - r0) / 1000, (r2 - r1) / 1000, (System.nanoTime() - r2) / 1000);
                if (step.eventsUnordered) {
                    Collections.sort(zkEvents);
                    Collections.sort(cairnEvents);
                }
                if (TRACE && !zkEvents.isEmpty()) System.out.println("  events " + zkEvents);
                assertThat(cairnEvents).as("watch events at %s", where).isEqualTo(zkEvents);
            }
            if (i % 20 == 19 || i == STEPS - 1) {
                assertThat(treeDifferences(dumpZooKeeper(), dumpCairn()))
                        .as("whole tree after %s", where)
                        .isEmpty();
            }
        }
    }

    @Test
    void ttlNodesExpireAndUnusedContainersStayLikeInZooKeeper() throws Exception {
        for (Side s : List.of(zk, cairn)) {
            s.s1.create("/fresh", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.CONTAINER);
            s.s1.create("/ttl", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, new Stat(), 300);
            s.s1.create(
                    "/ttl-parent", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, new Stat(), 300);
            s.s1.create("/ttl-parent/child", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertThat(s.w.exists("/ttl", true)).isNotNull();
        }
        // ZooKeeper's container manager runs on a timer; here it is run by hand until the node goes.
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    reaper.checkContainers();
                    return zk.s1.exists("/ttl", false) == null && cairn.s1.exists("/ttl", false) == null;
                });
        for (Side s : List.of(zk, cairn)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> s.events.contains("NodeDeleted /ttl"));
            assertThat(s.s1.exists("/fresh", false))
                    .as("%s: a container that never had a child stays", s.name)
                    .isNotNull();
            assertThat(s.s1.exists("/ttl-parent", false))
                    .as("%s: a TTL node with children stays", s.name)
                    .isNotNull();
        }
        assertThat(treeDifferences(dumpZooKeeper(), dumpCairn())).isEmpty();
    }

    // ---- the random steps -----------------------------------------------------------------

    /** One operation, run the same way on each side; its outcome is a normalized string. */
    private record Step(String description, boolean changes, boolean eventsUnordered, Action action) {
        String run(Side side) throws Exception {
            try {
                return action.run(side);
            } catch (KeeperException e) {
                return "error " + e.code() + (e.getResults() == null ? "" : " " + results(e.getResults(), side));
            } catch (IllegalArgumentException e) {
                return "refused by the client: " + e.getClass().getSimpleName();
            }
        }
    }

    @FunctionalInterface
    private interface Action {
        String run(Side side) throws Exception;
    }

    private Step nextStep(Random r) {
        int dice = r.nextInt(100);
        if (dice < 26) return createStep(r);
        if (dice < 36) return deleteStep(r);
        if (dice < 46) return setDataStep(r);
        if (dice < 51) return setAclStep(r);
        if (dice < 60) return multiStep(r);
        if (dice < 66) return watchStep(r);
        if (dice < 68) return sessionStep(r);
        return readStep(r);
    }

    private Step createStep(Random r) {
        boolean bySecond = r.nextInt(3) == 0;
        CreateMode mode = pick(
                r,
                List.of(
                        CreateMode.PERSISTENT,
                        CreateMode.PERSISTENT,
                        CreateMode.PERSISTENT,
                        CreateMode.EPHEMERAL,
                        CreateMode.EPHEMERAL,
                        CreateMode.PERSISTENT_SEQUENTIAL,
                        CreateMode.EPHEMERAL_SEQUENTIAL,
                        CreateMode.CONTAINER,
                        CreateMode.CONTAINER,
                        CreateMode.PERSISTENT_WITH_TTL,
                        CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL));
        int roll = r.nextInt(40);
        String path =
                roll == 0 ? "/" : mode.isSequential() && roll < 30 ? pick(r, SEQUENTIAL_PREFIXES) : pickCreatePath(r);
        byte[] data = data(r);
        int aclChoice = aclChoice(r);
        // 0: create (path only), 1: create2 (with Stat), 2: with a TTL argument (createTTL for TTL modes).
        int api = mode.isTTL() && r.nextInt(8) != 0 ? 2 : r.nextInt(3);
        long ttl = mode.isTTL() ? (r.nextInt(25) == 0 ? 0 : LONG_TTL_MS) : -1;
        String desc = (bySecond ? "S2 " : "S1 ") + "create " + path + " " + mode + " acl#" + aclChoice + " api" + api
                + (mode.isTTL() ? " ttl=" + ttl : "");
        return new Step(desc, true, false, s -> {
            ZooKeeper c = bySecond ? s.s2 : s.s1;
            List<ACL> acl = acl(aclChoice);
            if (api == 0) return "created " + c.create(path, data, acl, mode);
            Stat stat = new Stat();
            String actual =
                    api == 1 ? c.create(path, data, acl, mode, stat) : c.create(path, data, acl, mode, stat, ttl);
            return "created " + actual + " " + stat(stat, s);
        });
    }

    private Step deleteStep(Random r) {
        boolean bySecond = r.nextInt(3) == 0;
        String path = r.nextInt(30) == 0 ? pick(r, SPECIAL_PATHS) : pickPath(r);
        int version = version(r, path);
        return new Step((bySecond ? "S2 " : "S1 ") + "delete " + path + " v" + version, true, false, s -> {
            (bySecond ? s.s2 : s.s1).delete(path, version);
            return "deleted";
        });
    }

    private Step setDataStep(Random r) {
        boolean bySecond = r.nextInt(3) == 0;
        String path = r.nextInt(30) == 0 ? pick(r, SPECIAL_PATHS) : pickPath(r);
        int version = version(r, path);
        byte[] data = data(r);
        return new Step(
                (bySecond ? "S2 " : "S1 ") + "setData " + path + " v" + version,
                true,
                false,
                s -> "set " + stat((bySecond ? s.s2 : s.s1).setData(path, data, version), s));
    }

    private Step setAclStep(Random r) {
        boolean bySecond = r.nextInt(3) == 0;
        String path = r.nextInt(30) == 0 ? pick(r, SPECIAL_PATHS) : pickPath(r);
        int aclChoice = aclChoice(r);
        int version = switch (r.nextInt(3)) {
            case 0 -> -1;
            case 1 -> zkStat(path).map(st -> st.getAversion()).orElse(0);
            default -> r.nextInt(3);
        };
        return new Step(
                (bySecond ? "S2 " : "S1 ") + "setACL " + path + " acl#" + aclChoice + " v" + version,
                true,
                false,
                s -> "acl set " + stat((bySecond ? s.s2 : s.s1).setACL(path, acl(aclChoice), version), s));
    }

    private Step multiStep(Random r) {
        boolean bySecond = r.nextInt(3) == 0;
        int n = 1 + r.nextInt(4);
        List<Function<Side, Op>> ops = new ArrayList<>();
        List<String> desc = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(10);
            if (kind < 4) {
                CreateMode mode = pick(
                        r,
                        List.of(
                                CreateMode.PERSISTENT,
                                CreateMode.PERSISTENT,
                                CreateMode.EPHEMERAL,
                                CreateMode.PERSISTENT_SEQUENTIAL,
                                CreateMode.CONTAINER,
                                CreateMode.PERSISTENT_WITH_TTL));
                String path = mode.isSequential() ? pick(r, SEQUENTIAL_PREFIXES) : pickCreatePath(r);
                byte[] data = data(r);
                int aclChoice = r.nextInt(5) == 0 ? aclChoice(r) : 0;
                desc.add("create " + path + " " + mode + " acl#" + aclChoice);
                ops.add(s -> mode.isTTL()
                        ? Op.create(path, data, acl(aclChoice), mode, LONG_TTL_MS)
                        : Op.create(path, data, acl(aclChoice), mode));
            } else if (kind < 6) {
                String path = pickPath(r);
                int version = version(r, path);
                desc.add("delete " + path + " v" + version);
                ops.add(s -> Op.delete(path, version));
            } else if (kind < 8) {
                String path = pickPath(r);
                int version = version(r, path);
                byte[] data = data(r);
                desc.add("setData " + path + " v" + version);
                ops.add(s -> Op.setData(path, data, version));
            } else {
                String path = pickPath(r);
                int version = version(r, path);
                desc.add("check " + path + " v" + version);
                ops.add(s -> Op.check(path, version));
            }
        }
        return new Step((bySecond ? "S2 " : "S1 ") + "multi " + desc, true, false, s -> {
            List<Op> built = ops.stream().map(f -> f.apply(s)).toList();
            return "multi " + results((bySecond ? s.s2 : s.s1).multi(built), s);
        });
    }

    /** W sets a one-shot watch; the notifications it causes are compared after each change. */
    private Step watchStep(Random r) {
        String path = pickPath(r);
        return switch (r.nextInt(3)) {
            case 0 ->
                new Step("W exists+watch " + path, false, false, s -> "exists " + stat(s.w.exists(path, true), s));
            case 1 ->
                new Step("W getData+watch " + path, false, false, s -> {
                    Stat stat = new Stat();
                    return "data " + hex(s.w.getData(path, true, stat)) + " " + stat(stat, s);
                });
            default ->
                new Step(
                        "W getChildren+watch " + path,
                        false,
                        false,
                        s -> "children " + sorted(s.w.getChildren(path, true)));
        };
    }

    private Step sessionStep(Random r) {
        int auth = r.nextInt(4); // 0: none, 1: bob, 2: alice, 3: add alice to the open session
        if (auth == 3) {
            return new Step("S2 addAuth alice", false, false, s -> {
                s.s2.addAuthInfo("digest", ALICE.getBytes(StandardCharsets.UTF_8));
                return "whoami "
                        + s.s2.whoAmI().stream()
                                .map(ci -> ci.getAuthScheme() + ":" + ci.getUser())
                                .sorted()
                                .toList();
            });
        }
        // Closing S2 deletes its ephemerals in one transaction; ZooKeeper deletes them in hash order.
        return new Step("S2 close and reopen (auth " + auth + ")", true, true, s -> {
            s.reopenSecond(auth == 1 ? BOB : auth == 2 ? ALICE : null);
            return "reopened";
        });
    }

    private Step readStep(Random r) {
        boolean bySecond = r.nextInt(3) == 0;
        String path = r.nextInt(20) == 0 ? pick(r, SPECIAL_PATHS) : pickPath(r);
        String who = bySecond ? "S2 " : "S1 ";
        return switch (r.nextInt(6)) {
            case 0 ->
                new Step(
                        who + "exists " + path,
                        false,
                        false,
                        s -> "exists " + stat(client(s, bySecond).exists(path, false), s));
            case 1 ->
                new Step(who + "getData " + path, false, false, s -> {
                    Stat stat = new Stat();
                    return "data " + hex(client(s, bySecond).getData(path, false, stat)) + " " + stat(stat, s);
                });
            case 2 ->
                new Step(who + "getChildren2 " + path, false, false, s -> {
                    Stat stat = new Stat();
                    return "children " + sorted(client(s, bySecond).getChildren(path, false, stat)) + " "
                            + stat(stat, s);
                });
            case 3 ->
                new Step(
                        who + "getAllChildrenNumber " + path,
                        false,
                        false,
                        s -> "descendants " + client(s, bySecond).getAllChildrenNumber(path));
            case 4 -> {
                // "/c/" is refused by the client (a path must not end in '/'), the same on both sides.
                String prefix = pick(r, List.of("/", "/a", "/c", "/k", "/t/n", "/", "/c/"));
                yield new Step(
                        who + "getEphemerals " + prefix,
                        false,
                        false,
                        s -> "ephemerals " + sorted(client(s, bySecond).getEphemerals(prefix)));
            }
            default ->
                new Step(who + "getACL " + path, false, false, s -> {
                    Stat stat = new Stat();
                    return "acl " + acls(client(s, bySecond).getACL(path, stat)) + " " + stat(stat, s);
                });
        };
    }

    private static ZooKeeper client(Side s, boolean second) {
        return second ? s.s2 : s.s1;
    }

    /** A path from the fixed set or one that exists now (sequential nodes included), as ZooKeeper sees it. */
    private String pickPath(Random r) {
        List<String> live = new ArrayList<>();
        DataTree t = zooKeeper.getZKDatabase().getDataTree();
        collect(t, "/", live);
        live.removeIf(p -> p.equals("/") || p.startsWith("/zookeeper"));
        if (live.isEmpty() || r.nextInt(3) == 0) return pick(r, BASE_PATHS);
        return pick(r, live);
    }

    /** Mostly a new child of a node that exists, so that creates often succeed; else any path. */
    private String pickCreatePath(Random r) {
        if (r.nextInt(3) == 0) return pickPath(r);
        List<String> live = new ArrayList<>();
        collect(zooKeeper.getZKDatabase().getDataTree(), "/", live);
        live.removeIf(p -> p.startsWith("/zookeeper") || p.length() > 12);
        String parent = pick(r, live);
        return (parent.equals("/") ? "" : parent) + "/" + pick(r, List.of("a", "b", "c", "e", "k", "t", "x", "y"));
    }

    /** -1, the current version (as ZooKeeper has it) or a small number that may or may not be right. */
    private int version(Random r, String path) {
        return switch (r.nextInt(5)) {
            case 0, 1 -> -1;
            case 2, 3 -> zkStat(path).map(Stat::getVersion).orElse(0);
            default -> r.nextInt(3);
        };
    }

    private Optional<Stat> zkStat(String path) {
        try {
            return Optional.of(zooKeeper.getZKDatabase().getDataTree().statNode(path, null));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    private static byte[] data(Random r) {
        byte[] b = new byte[r.nextInt(5)];
        r.nextBytes(b);
        return b;
    }

    private static int aclChoice(Random r) {
        return r.nextInt(10) < 6 ? 0 : 1 + r.nextInt(13);
    }

    /** ACLs valid and invalid, for a client that may or may not have authenticated. */
    private static List<ACL> acl(int choice) {
        Id alice = digestId(ALICE);
        Id bob = digestId(BOB);
        int rw = ZooDefs.Perms.READ | ZooDefs.Perms.WRITE;
        // A mutable copy: the client's check for null entries throws on immutable lists.
        return new ArrayList<>(
                switch (choice) {
                    case 0 -> ZooDefs.Ids.OPEN_ACL_UNSAFE;
                    case 1 -> ZooDefs.Ids.CREATOR_ALL_ACL;
                    case 2 ->
                        List.of(
                                new ACL(ZooDefs.Perms.ALL, alice),
                                new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE));
                    case 3 ->
                        List.of(
                                new ACL(ZooDefs.Perms.ALL, alice),
                                new ACL(rw | ZooDefs.Perms.CREATE, new Id("ip", "127.0.0.1")));
                    case 4 ->
                        List.of(
                                new ACL(ZooDefs.Perms.ADMIN | ZooDefs.Perms.READ, alice),
                                new ACL(ZooDefs.Perms.ALL, new Id("ip", "10.0.0.0/8")));
                    case 5 ->
                        List.of(
                                new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE),
                                new ACL(ZooDefs.Perms.ADMIN, alice));
                    case 6 ->
                        List.of(new ACL(ZooDefs.Perms.ALL, ZooDefs.Ids.AUTH_IDS), new ACL(ZooDefs.Perms.ALL, alice));
                    case 7 ->
                        List.of(
                                new ACL(ZooDefs.Perms.ALL, bob),
                                new ACL(ZooDefs.Perms.READ | ZooDefs.Perms.ADMIN, alice));
                    case 8 -> List.of(new ACL(ZooDefs.Perms.ALL, new Id("world", "someone")));
                    case 9 -> List.of(new ACL(ZooDefs.Perms.ALL, new Id("ip", "300.1.1.1")));
                    case 10 -> List.of(new ACL(ZooDefs.Perms.ALL, new Id("digest", "nocolon")));
                    case 11 -> List.of(new ACL(ZooDefs.Perms.ALL, new Id("foo", "bar")));
                    case 12 ->
                        List.of(
                                new ACL(ZooDefs.Perms.ALL, new Id("ip", "127.0.0.0/24")),
                                new ACL(ZooDefs.Perms.ALL, new Id("ip", "127.0.0.0/24")));
                    default ->
                        List.of(
                                new ACL(
                                        ZooDefs.Perms.CREATE | ZooDefs.Perms.READ | ZooDefs.Perms.ADMIN,
                                        ZooDefs.Ids.ANYONE_ID_UNSAFE),
                                new ACL(ZooDefs.Perms.DELETE, bob));
                });
    }

    private static Id digestId(String userPassword) {
        try {
            return new Id("digest", DigestAuthenticationProvider.generateDigest(userPassword));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T pick(Random r, List<T> list) {
        return list.get(r.nextInt(list.size()));
    }

    // ---- normalization -------------------------------------------------------------------

    private static String results(List<OpResult> results, Side s) {
        List<String> out = new ArrayList<>();
        for (OpResult r : results) {
            out.add(
                    switch (r) {
                        case OpResult.CreateResult c ->
                            "created " + c.getPath() + (c.getStat() == null ? "" : " " + stat(c.getStat(), s));
                        case OpResult.DeleteResult d -> "deleted";
                        case OpResult.SetDataResult d -> "set " + stat(d.getStat(), s);
                        case OpResult.CheckResult c -> "checked";
                        case OpResult.ErrorResult e -> "error " + KeeperException.Code.get(e.getErr());
                        default -> r.getClass().getSimpleName();
                    });
        }
        return out.toString();
    }

    /** The Stat fields both systems must agree on, with zxids reduced to how they compare with each other. */
    private static String stat(Stat st, Side s) {
        if (st == null) return "none";
        return "v" + st.getVersion() + " cv" + st.getCversion() + " av" + st.getAversion() + " len" + st.getDataLength()
                + " kids" + st.getNumChildren() + " owner=" + s.owner(st.getEphemeralOwner())
                + " c" + rel(st.getCzxid(), st.getMzxid()) + "m c" + rel(st.getCzxid(), st.getPzxid()) + "p m"
                + rel(st.getMzxid(), st.getPzxid()) + "p";
    }

    private static String rel(long a, long b) {
        return a < b ? "<" : a == b ? "=" : ">";
    }

    /**
     * ACL entries, sorted: a client's identities are a hash set in ZooKeeper, so the order in which
     * an "auth" entry expands to several of them is arbitrary there (Cairn keeps the order they were added).
     */
    private static String acls(List<ACL> acl) {
        return acl.stream()
                .map(a -> a.getPerms() + ":" + a.getId().getScheme() + ":"
                        + a.getId().getId())
                .sorted()
                .toList()
                .toString();
    }

    private static String hex(byte[] b) {
        return b == null ? "null" : HexFormat.of().formatHex(b);
    }

    private static List<String> sorted(List<String> names) {
        return names.stream().sorted().toList();
    }

    // ---- whole-tree comparison -----------------------------------------------------------

    /** A node as read from a server's memory; zxids still raw. */
    private record RawNode(String path, byte[] data, String acl, Stat stat, List<String> children) {}

    private Map<String, String> dumpZooKeeper() throws KeeperException.NoNodeException {
        DataTree t = zooKeeper.getZKDatabase().getDataTree();
        List<String> paths = new ArrayList<>();
        collect(t, "/", paths);
        List<RawNode> nodes = new ArrayList<>();
        for (String p : paths) {
            Stat stat = new Stat();
            byte[] data = t.getData(p, stat, null);
            nodes.add(new RawNode(p, data, acls(t.getACL(p, new Stat())), stat, sorted(t.getChildren(p, null, null))));
        }
        return normalize(nodes, zk);
    }

    private Map<String, String> dumpCairn() {
        List<RawNode> nodes = coord.state().read(t -> {
            List<RawNode> out = new ArrayList<>();
            Deque<String> todo = new ArrayDeque<>(List.of("/"));
            while (!todo.isEmpty()) {
                String p = todo.pop();
                NodeView v = t.get(p).orElseThrow();
                List<String> kids = t.children(p);
                Stat stat = Jute.stat(v.stat());
                out.add(new RawNode(p, v.data(), acls(Jute.jute(v.acl())), stat, kids));
                for (String k : kids) todo.push(p.equals("/") ? "/" + k : p + "/" + k);
            }
            return out;
        });
        return normalize(nodes, cairn);
    }

    /** The nodes the two trees disagree on, each with both descriptions. */
    private static List<String> treeDifferences(Map<String, String> zooKeeperTree, Map<String, String> cairnTree) {
        TreeSet<String> paths = new TreeSet<>(zooKeeperTree.keySet());
        paths.addAll(cairnTree.keySet());
        List<String> out = new ArrayList<>();
        for (String p : paths) {
            String a = zooKeeperTree.get(p);
            String b = cairnTree.get(p);
            if (!java.util.Objects.equals(a, b)) out.add(p + "\n  zookeeper: " + a + "\n  cairn:     " + b);
        }
        return out;
    }

    private static void collect(DataTree t, String path, List<String> out) {
        out.add(path);
        org.apache.zookeeper.server.DataNode n = t.getNode(path);
        if (n == null) return;
        for (String k : new TreeSet<>(n.getChildren())) collect(t, path.equals("/") ? "/" + k : path + "/" + k, out);
    }

    /** Path to a description in which every zxid is replaced by its rank among all zxids in the tree. */
    private static Map<String, String> normalize(List<RawNode> nodes, Side s) {
        TreeSet<Long> zxids = new TreeSet<>();
        for (RawNode n : nodes) {
            zxids.add(n.stat.getCzxid());
            zxids.add(n.stat.getMzxid());
            zxids.add(n.stat.getPzxid());
        }
        List<Long> ranked = new ArrayList<>(zxids);
        Map<String, String> out = new TreeMap<>();
        for (RawNode n : nodes) {
            Stat st = n.stat;
            out.put(
                    n.path,
                    "data=" + hex(n.data) + " acl=" + n.acl + " children=" + n.children + " " + stat(st, s)
                            + " zxid ranks c" + Collections.binarySearch(ranked, st.getCzxid()) + " m"
                            + Collections.binarySearch(ranked, st.getMzxid())
                            + " p" + Collections.binarySearch(ranked, st.getPzxid()));
        }
        return out;
    }

    // ---- container removal in step on both sides ----------------------------------------

    /** Runs ZooKeeper's container manager once and waits until both systems removed what it found. */
    private void reapContainersOnBoth() throws InterruptedException {
        Collection<String> candidates = reaper.candidates();
        if (!candidates.isEmpty()) reaper.checkContainers();
        DataTree t = zooKeeper.getZKDatabase().getDataTree();
        java.util.concurrent.Callable<Boolean> bothDone = () -> candidates.stream()
                        .allMatch(p -> t.getNode(p) == null)
                && coord.state()
                        .read(ct -> candidates.stream().allMatch(p -> ct.get(p).isEmpty())
                                && ct.expiredCandidates(System.currentTimeMillis())
                                        .isEmpty());
        try {
            if (bothDone.call()) return;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        await().atMost(Duration.ofSeconds(10))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(5))
                .until(bothDone);
    }

    // ---- one system, three sessions ------------------------------------------------------

    private static final class Side implements AutoCloseable {
        final String name;
        final String connectString;
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        final Map<Long, String> sessionLabels = new ConcurrentHashMap<>();
        int eventsSeen;
        int generation;
        ZooKeeper s1;
        ZooKeeper s2;
        ZooKeeper w;

        Side(String name, String connectString) {
            this.name = name;
            this.connectString = connectString;
        }

        void open() throws Exception {
            s1 = connect(null, "S1");
            s1.addAuthInfo("digest", ALICE.getBytes(StandardCharsets.UTF_8));
            s2 = connect(null, "S2#0");
            w = connect(events::add, "W");
            // Persistent watches: every event on /a, and everything below /c except child-list changes.
            w.addWatch("/a", AddWatchMode.PERSISTENT);
            w.addWatch("/c", AddWatchMode.PERSISTENT_RECURSIVE);
        }

        private ZooKeeper connect(java.util.function.Consumer<String> sink, String label) throws Exception {
            CountDownLatch connected = new CountDownLatch(1);
            ZooKeeper c = new ZooKeeper(connectString, 10_000, e -> {
                if (e.getType() == Watcher.Event.EventType.None) {
                    if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
                } else if (sink != null) {
                    sink.accept(e.getType() + " " + e.getPath());
                }
            });
            assertThat(connected.await(20, TimeUnit.SECONDS))
                    .as("%s connected to %s", label, name)
                    .isTrue();
            sessionLabels.put(c.getSessionId(), label);
            return c;
        }

        void reopenSecond(String auth) throws Exception {
            s2.close();
            s2 = connect(null, "S2#" + ++generation);
            if (auth != null) s2.addAuthInfo("digest", auth.getBytes(StandardCharsets.UTF_8));
            // Make sure the authentication was processed before the next step uses the session.
            s2.exists("/", false);
        }

        /** The notifications W received since the previous call; waits for all sent before now. */
        List<String> eventsSinceLastSync() throws InterruptedException {
            CountDownLatch done = new CountDownLatch(1);
            // The callback runs on the event thread after every notification that arrived before the reply.
            w.sync("/", (rc, path, ctx) -> done.countDown(), null);
            assertThat(done.await(10, TimeUnit.SECONDS))
                    .as("%s answered sync", name)
                    .isTrue();
            synchronized (events) {
                List<String> out = new ArrayList<>(events.subList(eventsSeen, events.size()));
                eventsSeen = events.size();
                return out;
            }
        }

        String owner(long owner) {
            if (owner == 0) return "none";
            if (owner == Long.MIN_VALUE) return "container";
            if ((owner & 0xff00000000000000L) == 0xff00000000000000L) return "ttl" + (owner & 0x000000ffffffffffL);
            return sessionLabels.getOrDefault(owner, "unknown-session");
        }

        @Override
        public void close() throws InterruptedException {
            for (ZooKeeper c : new ZooKeeper[] {s1, s2, w}) {
                if (c != null) c.close();
            }
        }
    }

    /** Gives the test ZooKeeper's first request processor, where its container manager posts removals. */
    private static final class ExposedZooKeeperServer extends ZooKeeperServer {
        ExposedZooKeeperServer(File dataDir, int tickTime) throws java.io.IOException {
            super(dataDir, dataDir, tickTime);
        }

        RequestProcessor firstProcessor() {
            return firstProcessor;
        }
    }

    /** ZooKeeper's container manager, run by hand instead of from its timer. */
    private static final class Reaper extends ContainerManager {
        Reaper(ZKDatabase db, RequestProcessor processor, int intervalMs, int maxPerMinute) {
            super(db, processor, intervalMs, maxPerMinute);
        }

        Collection<String> candidates() {
            return getCandidates();
        }
    }
}
