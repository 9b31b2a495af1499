package dev.cairn.coord.internal.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The data tree on its own, transaction by transaction, against ZooKeeper 3.9's rules: Stat
 * bookkeeping, sequential names, ephemerals, containers and TTL nodes, validation order and error
 * codes, ACL schemes, multi's all-or-nothing, the watch events each change fires, snapshots and
 * the transaction codec. The same rules are checked end to end against a real ZooKeeper server
 * in {@code ZooKeeperDifferentialTest}; here each rule has a test of its own that names it.
 * Every expectation below was checked against ZooKeeper 3.9's request processor and data tree.
 */
class DataTreeTest {
    private static final long SESSION = 0x1234L;
    private static final long OTHER_SESSION = 0x5678L;
    private static final Id ALICE = new Id("digest", "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=");
    private static final Id BOB = new Id("digest", "bob:Ng0oKjK0mBYYhJNOzK2WMwZt0vU=");
    private static final Id LOCALHOST = new Id("ip", "127.0.0.1");
    /** A client that authenticated as alice; every client also has its ip identity. */
    private static final List<Id> AS_ALICE = List.of(LOCALHOST, ALICE);

    private static final List<Id> AS_BOB = List.of(LOCALHOST, BOB);
    private static final List<Id> ANONYMOUS = List.of(LOCALHOST);

    private final DataTree tree = new DataTree(1024);
    private long zxid;
    private long now = 1_000_000;

    DataTreeTest() {
        // Creates name a session, as every client request does; it must be open.
        apply(new Txn.CreateSession(SESSION, 30_000));
    }

    // ---- helpers ---------------------------------------------------------------------------

    private Applied apply(Txn txn) {
        now += 10;
        return tree.apply(++zxid, now, txn);
    }

    private Result create(String path, CreateMode mode) {
        return apply(createTxn(path, mode, "d".getBytes(), Acl.OPEN, ANONYMOUS)).result();
    }

    private static Txn.Create createTxn(String path, CreateMode mode, byte[] data, List<Acl> acl, List<Id> auth) {
        return new Txn.Create(path, data, acl, mode, mode.isTtl() ? 60_000 : -1, SESSION, auth);
    }

    private Result.Created created(String path, CreateMode mode) {
        Result r = create(path, mode);
        assertThat(r).as("create %s", path).isInstanceOf(Result.Created.class);
        return (Result.Created) r;
    }

    private Stat stat(String path) {
        return tree.get(path)
                .orElseThrow(() -> new AssertionError("no node " + path))
                .stat();
    }

    private static Code code(Result r) {
        return r instanceof Result.Error e ? e.code() : Code.OK;
    }

    // ---- Stat rules ------------------------------------------------------------------------

    @Test
    void createSetsEveryStatFieldAndBumpsTheParentsChildVersionAndPzxid() {
        created("/p", CreateMode.PERSISTENT);
        Stat parentBefore = stat("/p");
        Result.Created c = created("/p/c", CreateMode.PERSISTENT);

        Stat s = c.stat();
        assertThat(s).isEqualTo(stat("/p/c"));
        assertThat(s.czxid()).isEqualTo(zxid);
        assertThat(s.mzxid()).isEqualTo(zxid);
        assertThat(s.pzxid()).isEqualTo(zxid);
        assertThat(s.ctime()).isEqualTo(now);
        assertThat(s.mtime()).isEqualTo(now);
        assertThat(List.of(s.version(), s.cversion(), s.aversion(), s.numChildren()))
                .containsOnly(0);
        assertThat(s.dataLength()).isEqualTo(1);
        assertThat(s.ephemeralOwner()).isZero();

        Stat parent = stat("/p");
        assertThat(parent.cversion()).isEqualTo(parentBefore.cversion() + 1);
        assertThat(parent.pzxid()).isEqualTo(zxid);
        assertThat(parent.numChildren()).isEqualTo(1);
        assertThat(parent.mzxid())
                .as("a child is not a change of the parent's data")
                .isEqualTo(parentBefore.mzxid());
        assertThat(parent.version()).isZero();
    }

    @Test
    void setDataBumpsVersionMzxidAndMtimeOnly() {
        created("/n", CreateMode.PERSISTENT);
        Stat before = stat("/n");
        Result r =
                apply(new Txn.SetData("/n", "longer".getBytes(), 0, ANONYMOUS)).result();

        Stat after = stat("/n");
        assertThat(r).isEqualTo(new Result.StatResult(after));
        assertThat(after.version()).isEqualTo(1);
        assertThat(after.mzxid()).isEqualTo(zxid).isGreaterThan(before.czxid());
        assertThat(after.mtime()).isEqualTo(now);
        assertThat(after.dataLength()).isEqualTo(6);
        assertThat(after.czxid()).isEqualTo(before.czxid());
        assertThat(after.ctime()).isEqualTo(before.ctime());
        assertThat(after.pzxid()).isEqualTo(before.pzxid());
        assertThat(after.cversion()).isEqualTo(before.cversion());
        assertThat(after.aversion()).isEqualTo(before.aversion());
    }

    /** ZooKeeper stores how many children were created and shows cversion as creates plus deletes. */
    @Test
    void deletingAChildMovesTheParentsPzxidAndCountsInItsShownCversion() {
        created("/p", CreateMode.PERSISTENT);
        created("/p/a", CreateMode.PERSISTENT);
        created("/p/b", CreateMode.PERSISTENT);
        Stat before = stat("/p");
        assertThat(before.cversion()).isEqualTo(2);

        assertThat(apply(new Txn.Delete("/p/a", -1, ANONYMOUS)).result()).isEqualTo(new Result.Deleted());

        Stat after = stat("/p");
        assertThat(after.pzxid()).isEqualTo(zxid);
        assertThat(after.cversion()).isEqualTo(3);
        assertThat(after.numChildren()).isEqualTo(1);
        assertThat(after.mzxid()).isEqualTo(before.mzxid());
        assertThat(after.version()).isEqualTo(before.version());
    }

    @Test
    void setAclBumpsAversionOnlyAndFiresNoWatch() {
        created("/n", CreateMode.PERSISTENT);
        Stat before = stat("/n");
        List<Acl> readAdmin = List.of(new Acl(Acl.READ | Acl.ADMIN, Id.ANYONE));
        Applied a = apply(new Txn.SetAcl("/n", readAdmin, 0, ANONYMOUS));

        Stat after = stat("/n");
        assertThat(a.result()).isEqualTo(new Result.StatResult(after));
        assertThat(a.events()).isEmpty();
        assertThat(after.aversion()).isEqualTo(1);
        assertThat(after)
                .isEqualTo(new Stat(
                        before.czxid(),
                        before.mzxid(),
                        before.ctime(),
                        before.mtime(),
                        before.version(),
                        before.cversion(),
                        1,
                        before.ephemeralOwner(),
                        before.dataLength(),
                        before.numChildren(),
                        before.pzxid()));
        assertThat(tree.get("/n").orElseThrow().acl()).isEqualTo(readAdmin);
        assertThat(code(apply(new Txn.SetAcl("/n", Acl.OPEN, 0, ANONYMOUS)).result()))
                .isEqualTo(Code.BADVERSION);
        assertThat(code(apply(new Txn.SetData("/n", null, -1, ANONYMOUS)).result()))
                .as("no WRITE any more")
                .isEqualTo(Code.NOAUTH);
    }

    /** As a fresh ZooKeeper: children counted as "deleted" below the root and /zookeeper, and /zookeeper/config's aversion -1. */
    @Test
    void systemNodesLookLikeAFreshZooKeepers() {
        assertThat(tree.children("/")).containsExactly("zookeeper");
        assertThat(tree.children("/zookeeper")).containsExactly("config", "quota");
        assertThat(stat("/").cversion()).isEqualTo(-1);
        assertThat(stat("/zookeeper").cversion()).isEqualTo(-2);
        assertThat(stat("/zookeeper/config").aversion()).isEqualTo(-1);
        assertThat(tree.get("/zookeeper/config").orElseThrow().acl()).isEqualTo(Acl.READ_ONLY);
        assertThat(stat("/zookeeper/quota").czxid()).isZero();
        assertThat(tree.allChildrenCount("/")).isEqualTo(3);
        assertThat(new DataTree(1).lastZxid()).isZero();
    }

    @Test
    void nullDataStaysNullAndApartFromEmptyData() {
        apply(new Txn.Create("/null", null, Acl.OPEN, CreateMode.PERSISTENT, -1, 0, ANONYMOUS));
        apply(new Txn.Create("/empty", new byte[0], Acl.OPEN, CreateMode.PERSISTENT, -1, 0, ANONYMOUS));
        assertThat(tree.get("/null").orElseThrow().data()).isNull();
        assertThat(tree.get("/empty").orElseThrow().data()).isEmpty();
        assertThat(stat("/null").dataLength()).isZero();

        apply(new Txn.SetData("/empty", null, -1, ANONYMOUS));
        assertThat(tree.get("/empty").orElseThrow().data()).isNull();
        assertThat(tree.dataBytes()).isZero();
    }

    // ---- sequential nodes -------------------------------------------------------------------

    @Test
    void sequentialSuffixIsTheParentsCountOfCreatesTenDigitsWideAndKeepsCountingAfterDeletes() {
        created("/q", CreateMode.PERSISTENT);
        assertThat(created("/q/s-", CreateMode.PERSISTENT_SEQUENTIAL).actualPath())
                .isEqualTo("/q/s-0000000000");
        created("/q/plain", CreateMode.PERSISTENT);
        assertThat(created("/q/s-", CreateMode.EPHEMERAL_SEQUENTIAL).actualPath())
                .isEqualTo("/q/s-0000000002");
        apply(new Txn.Delete("/q/s-0000000000", -1, ANONYMOUS));
        apply(new Txn.Delete("/q/plain", -1, ANONYMOUS));
        // Deletes do not lower the count, so a name is never handed out twice.
        assertThat(created("/q/s-", CreateMode.PERSISTENT_SEQUENTIAL).actualPath())
                .isEqualTo("/q/s-0000000003");
        // A name ending in '/' is fine for a sequential node: the counter completes it.
        assertThat(created("/q/", CreateMode.PERSISTENT_SEQUENTIAL).actualPath())
                .isEqualTo("/q/0000000004");
    }

    @Test
    void sequentialCreateOfTheRootPathMakesAChildOfTheRootButAPlainOneExists() {
        assertThat(created("/", CreateMode.PERSISTENT_SEQUENTIAL).actualPath()).isEqualTo("/0000000000");
        assertThat(create("/", CreateMode.PERSISTENT)).isEqualTo(new Result.Error(Code.NODEEXISTS, "/"));
    }

    // ---- ephemerals ------------------------------------------------------------------------

    @Test
    void ephemeralsBelongToTheirSessionHaveNoChildrenAndGoWhenItCloses() {
        apply(new Txn.CreateSession(OTHER_SESSION, 30_000));
        created("/e", CreateMode.PERSISTENT);
        created("/e/one", CreateMode.EPHEMERAL);
        created("/e/two", CreateMode.EPHEMERAL);
        apply(new Txn.Create("/e/theirs", null, Acl.OPEN, CreateMode.EPHEMERAL, -1, OTHER_SESSION, ANONYMOUS));
        assertThat(stat("/e/one").ephemeralOwner()).isEqualTo(SESSION);
        assertThat(tree.ephemerals(SESSION)).containsExactly("/e/one", "/e/two");
        assertThat(tree.ephemeralCount()).isEqualTo(3);

        assertThat(create("/e/one/child", CreateMode.PERSISTENT))
                .isEqualTo(new Result.Error(Code.NOCHILDRENFOREPHEMERALS, "/e/one/child"));
        assertThat(code(create("/e/one/s-", CreateMode.PERSISTENT_SEQUENTIAL))).isEqualTo(Code.NOCHILDRENFOREPHEMERALS);

        Applied closed = apply(new Txn.CloseSession(SESSION));
        assertThat(closed.result()).isEqualTo(new Result.SessionClosed(List.of("/e/one", "/e/two")));
        assertThat(closed.events())
                .extracting(e -> e.type() + " " + e.path())
                .containsExactly(
                        "NodeDeleted /e/one", "NodeChildrenChanged /e", "NodeDeleted /e/two", "NodeChildrenChanged /e");
        assertThat(tree.children("/e")).containsExactly("theirs");
        assertThat(stat("/e").pzxid()).isEqualTo(zxid);
        assertThat(tree.ephemerals(SESSION)).isEmpty();
        assertThat(tree.sessions()).containsOnlyKeys(OTHER_SESSION);
    }

    @Test
    void createForAnUnknownOrClosedSessionIsSessionExpired() {
        Txn.Create unknown = new Txn.Create("/x", null, Acl.OPEN, CreateMode.EPHEMERAL, -1, OTHER_SESSION, ANONYMOUS);
        assertThat(code(apply(unknown).result())).isEqualTo(Code.SESSIONEXPIRED);
        apply(new Txn.CloseSession(SESSION));
        assertThat(code(create("/x", CreateMode.EPHEMERAL))).isEqualTo(Code.SESSIONEXPIRED);
        assertThat(code(create("/x", CreateMode.PERSISTENT))).isEqualTo(Code.SESSIONEXPIRED);
        assertThat(tree.get("/x")).isEmpty();
    }

    // ---- containers and TTL nodes ---------------------------------------------------------

    @Test
    void aContainerGoesOnlyAfterItHadAChildAndHasNoneLeft() {
        created("/box", CreateMode.CONTAINER);
        assertThat(stat("/box").ephemeralOwner())
                .as("the container marker is not shown, as in ZooKeeper")
                .isZero();
        assertThat(tree.expiredCandidates(now + 1_000_000))
                .as("never had a child")
                .isEmpty();
        assertThat(code(apply(new Txn.DeleteContainer("/box")).result()))
                .as("re-checked when applied")
                .isEqualTo(Code.BADVERSION);

        created("/box/item", CreateMode.PERSISTENT);
        assertThat(tree.expiredCandidates(now)).isEmpty();
        apply(new Txn.Delete("/box/item", -1, ANONYMOUS));
        assertThat(tree.expiredCandidates(now)).containsExactly("/box");

        // The leader saw it empty, but a child came back before its removal was applied.
        created("/box/again", CreateMode.PERSISTENT);
        assertThat(apply(new Txn.DeleteContainer("/box")).result()).isEqualTo(new Result.Error(Code.NOTEMPTY, "/box"));
        apply(new Txn.Delete("/box/again", -1, ANONYMOUS));

        Applied removed = apply(new Txn.DeleteContainer("/box"));
        assertThat(removed.result()).isEqualTo(new Result.Deleted());
        assertThat(removed.events())
                .extracting(WatchEvent::type)
                .containsExactly(WatchEvent.Type.NodeDeleted, WatchEvent.Type.NodeChildrenChanged);
        assertThat(tree.get("/box")).isEmpty();
        assertThat(tree.expiredCandidates(now)).isEmpty();
        assertThat(code(apply(new Txn.DeleteContainer("/box")).result())).isEqualTo(Code.NONODE);
    }

    @Test
    void ordinaryNodesAreNeverRemovedAsContainers() {
        created("/plain", CreateMode.PERSISTENT);
        assertThat(code(apply(new Txn.DeleteContainer("/plain")).result())).isEqualTo(Code.BADVERSION);
        assertThat(tree.get("/plain")).isPresent();
    }

    @Test
    void ttlMustBePositiveAndFitAndOnlyTtlModesTakeOne() {
        for (long bad : new long[] {0, -1, DataTree.MAX_TTL_MS + 1}) {
            assertThat(code(apply(new Txn.Create(
                                    "/t", null, Acl.OPEN, CreateMode.PERSISTENT_WITH_TTL, bad, 0, ANONYMOUS))
                            .result()))
                    .as("ttl %d", bad)
                    .isEqualTo(Code.BADARGUMENTS);
        }
        assertThat(code(apply(new Txn.Create("/t", null, Acl.OPEN, CreateMode.PERSISTENT, 5, 0, ANONYMOUS))
                        .result()))
                .isEqualTo(Code.BADARGUMENTS);
        assertThat(code(apply(new Txn.Create(
                                "/t",
                                null,
                                Acl.OPEN,
                                CreateMode.PERSISTENT_WITH_TTL,
                                DataTree.MAX_TTL_MS,
                                0,
                                ANONYMOUS))
                        .result()))
                .isEqualTo(Code.OK);
    }

    @Test
    void aTtlNodeExpiresWhenUnmodifiedForLongerThanItsTtlAndWithoutChildren() {
        apply(new Txn.Create("/t", null, Acl.OPEN, CreateMode.PERSISTENT_WITH_TTL, 100, 0, ANONYMOUS));
        long mtime = stat("/t").mtime();
        assertThat(stat("/t").ephemeralOwner())
                .as("the TTL marker is not shown, as in ZooKeeper")
                .isZero();
        assertThat(tree.expiredCandidates(mtime + 100))
                .as("not more than its TTL yet")
                .isEmpty();
        assertThat(tree.expiredCandidates(mtime + 101)).containsExactly("/t");

        // A write restarts the clock, and removal is re-checked against the entry's own time.
        apply(new Txn.SetData("/t", null, -1, ANONYMOUS));
        long touched = stat("/t").mtime();
        assertThat(tree.expiredCandidates(mtime + 101)).isEmpty();
        assertThat(code(tree.apply(++zxid, touched + 50, new Txn.DeleteContainer("/t"))
                        .result()))
                .isEqualTo(Code.BADVERSION);

        apply(new Txn.Create("/t/child", null, Acl.OPEN, CreateMode.PERSISTENT, -1, 0, ANONYMOUS));
        assertThat(tree.expiredCandidates(touched + 10_000)).as("has a child").isEmpty();
        apply(new Txn.Delete("/t/child", -1, ANONYMOUS));
        assertThat(tree.apply(++zxid, touched + 10_000, new Txn.DeleteContainer("/t"))
                        .result())
                .isEqualTo(new Result.Deleted());
    }

    // ---- errors ----------------------------------------------------------------------------

    @Test
    void missingExistingNotEmptyAndWrongVersionHaveZooKeepersCodes() {
        created("/a", CreateMode.PERSISTENT);
        created("/a/b", CreateMode.PERSISTENT);
        assertThat(create("/none/x", CreateMode.PERSISTENT)).isEqualTo(new Result.Error(Code.NONODE, "/none/x"));
        assertThat(create("/a", CreateMode.PERSISTENT)).isEqualTo(new Result.Error(Code.NODEEXISTS, "/a"));
        assertThat(code(apply(new Txn.Delete("/a", -1, ANONYMOUS)).result())).isEqualTo(Code.NOTEMPTY);
        assertThat(code(apply(new Txn.Delete("/a/b", 3, ANONYMOUS)).result())).isEqualTo(Code.BADVERSION);
        assertThat(code(apply(new Txn.Delete("/a/zz", -1, ANONYMOUS)).result())).isEqualTo(Code.NONODE);
        assertThat(code(apply(new Txn.Delete("/zz/zz", -1, ANONYMOUS)).result()))
                .isEqualTo(Code.NONODE);
        assertThat(code(apply(new Txn.SetData("/a/zz", null, -1, ANONYMOUS)).result()))
                .isEqualTo(Code.NONODE);
        assertThat(code(apply(new Txn.SetData("/a", null, 1, ANONYMOUS)).result()))
                .isEqualTo(Code.BADVERSION);
        assertThat(code(apply(new Txn.SetAcl("/a/zz", Acl.OPEN, -1, ANONYMOUS)).result()))
                .isEqualTo(Code.NONODE);
        assertThat(code(apply(new Txn.Check("/a", 1, ANONYMOUS)).result())).isEqualTo(Code.BADVERSION);
        assertThat(apply(new Txn.Check("/a", 0, ANONYMOUS)).result()).isEqualTo(new Result.Checked());
        // Deleting with the right version works; NOTEMPTY is checked after the version.
        assertThat(code(apply(new Txn.Delete("/a", 5, ANONYMOUS)).result())).isEqualTo(Code.BADVERSION);
        assertThat(apply(new Txn.Delete("/a/b", 0, ANONYMOUS)).result()).isEqualTo(new Result.Deleted());
    }

    @Test
    void invalidPathsAreBadArguments() {
        created("/a", CreateMode.PERSISTENT);
        for (String bad : List.of("a", "/a/", "/a//b", "/a/.", "/a/..", "/a/\u0000x", "/a/\u0001", "/a/\ud800")) {
            // For a create, ZooKeeper looks up the parent (the text before the last '/') first.
            Code expected = bad.equals("/a//b") ? Code.NONODE : Code.BADARGUMENTS;
            assertThat(code(create(bad, CreateMode.PERSISTENT)))
                    .as("create %s", bad)
                    .isEqualTo(expected);
            assertThat(code(apply(new Txn.SetData(bad, null, -1, ANONYMOUS)).result()))
                    .as("setData %s", bad)
                    .isEqualTo(Code.BADARGUMENTS);
            assertThat(code(apply(new Txn.SetAcl(bad, Acl.OPEN, -1, ANONYMOUS)).result()))
                    .as("setACL %s", bad)
                    .isEqualTo(Code.BADARGUMENTS);
            assertThat(code(apply(new Txn.Check(bad, -1, ANONYMOUS)).result()))
                    .as("check %s", bad)
                    .isEqualTo(Code.BADARGUMENTS);
        }
        // ZooKeeper checks a new node's path only once its parent is found and may be written.
        assertThat(code(create("/none/", CreateMode.PERSISTENT))).isEqualTo(Code.NONODE);
        assertThat(created("/a/.x", CreateMode.PERSISTENT).actualPath()).isEqualTo("/a/.x");
    }

    @Test
    void theRootAndZooKeepersSystemNodesCannotBeDeleted() {
        for (String special : List.of("/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config")) {
            assertThat(apply(new Txn.Delete(special, -1, ANONYMOUS)).result())
                    .as(special)
                    .isEqualTo(new Result.Error(Code.BADARGUMENTS, special));
        }
        // Like ZooKeeper, a delete only needs a '/' and no NUL; anything else is simply not there.
        assertThat(code(apply(new Txn.Delete("nothing", -1, ANONYMOUS)).result()))
                .isEqualTo(Code.BADARGUMENTS);
        assertThat(code(apply(new Txn.Delete("/x\u0000", -1, ANONYMOUS)).result()))
                .isEqualTo(Code.BADARGUMENTS);
        assertThat(code(apply(new Txn.Delete("/zookeeper/", -1, ANONYMOUS)).result()))
                .isEqualTo(Code.NONODE);
    }

    @Test
    void dataLargerThanTheLimitIsRefused() {
        byte[] big = new byte[tree.maxDataBytes() + 1];
        assertThat(code(apply(createTxn("/big", CreateMode.PERSISTENT, big, Acl.OPEN, ANONYMOUS))
                        .result()))
                .isEqualTo(Code.BADARGUMENTS);
        created("/n", CreateMode.PERSISTENT);
        assertThat(code(apply(new Txn.SetData("/n", big, -1, ANONYMOUS)).result()))
                .isEqualTo(Code.BADARGUMENTS);
    }

    @Test
    void zxidsMustGrow() {
        created("/n", CreateMode.PERSISTENT);
        long digest = tree.digest();
        assertThatThrownBy(() -> tree.apply(zxid, now, new Txn.Delete("/n", -1, ANONYMOUS)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> tree.apply(zxid - 1, now, new Txn.Delete("/n", -1, ANONYMOUS)))
                .isInstanceOf(IllegalStateException.class);
        assertThat(tree.digest()).isEqualTo(digest);
        assertThat(tree.lastZxid()).isEqualTo(zxid);
    }

    // ---- ACLs ------------------------------------------------------------------------------

    @Test
    void invalidAclsAreRefusedBeforeTheParentIsLookedUp() {
        List<List<Acl>> invalid = List.of(
                List.of(),
                List.of(new Acl(Acl.ALL, new Id("world", "someone"))),
                List.of(new Acl(Acl.ALL, new Id("digest", "nocolon"))),
                List.of(new Acl(Acl.ALL, new Id("ip", "300.1.1.1"))),
                List.of(new Acl(Acl.ALL, new Id("ip", "10.0.0.0/33"))),
                List.of(new Acl(Acl.ALL, new Id("ip", "fe80::1::2"))),
                List.of(new Acl(Acl.ALL, new Id("foo", "bar"))),
                List.of(new Acl(Acl.ALL, new Id("auth", ""))));
        for (List<Acl> acl : invalid) {
            assertThat(code(apply(createTxn("/none/x", CreateMode.PERSISTENT, null, acl, ANONYMOUS))
                            .result()))
                    .as("%s", acl)
                    .isEqualTo(Code.INVALIDACL);
        }
        created("/n", CreateMode.PERSISTENT);
        assertThat(code(apply(new Txn.SetAcl("/n", List.of(), -1, ANONYMOUS)).result()))
                .isEqualTo(Code.INVALIDACL);
        assertThat(code(apply(new Txn.SetAcl("/missing", List.of(), -1, ANONYMOUS))
                        .result()))
                .isEqualTo(Code.INVALIDACL);
    }

    @Test
    void validIpPatternsIncludeIpv6AndPrefixes() {
        for (String ok :
                List.of("10.0.0.0/8", "127.0.0.1", "001.2.3.4", "::1", "fe80::/16", "1:2:3:4:5:6:7:8", "::/0")) {
            assertThat(code(apply(createTxn(
                                    "/ip",
                                    CreateMode.PERSISTENT,
                                    null,
                                    List.of(new Acl(Acl.ALL, new Id("ip", ok))),
                                    ANONYMOUS))
                            .result()))
                    .as(ok)
                    .isEqualTo(Code.OK);
            apply(new Txn.Delete("/ip", -1, ANONYMOUS));
        }
    }

    @Test
    void authSchemeExpandsToTheClientsDigestIdentitiesAndKeepsExpandedDuplicates() {
        List<Acl> requested =
                List.of(new Acl(Acl.ALL, new Id("auth", "")), new Acl(Acl.ALL, ALICE), new Acl(Acl.ALL, ALICE));
        apply(createTxn("/mine", CreateMode.PERSISTENT, null, requested, AS_ALICE));
        // Listed duplicates are dropped; an expansion equal to a listed id is kept (ZooKeeper stores both).
        assertThat(tree.get("/mine").orElseThrow().acl())
                .containsExactly(new Acl(Acl.ALL, ALICE), new Acl(Acl.ALL, ALICE));
    }

    @Test
    void digestAclsAdmitOnlyTheirIdentity() {
        List<Acl> aliceOnly = List.of(new Acl(Acl.ALL, ALICE), new Acl(Acl.READ, Id.ANYONE));
        apply(createTxn("/priv", CreateMode.PERSISTENT, null, aliceOnly, AS_ALICE));
        apply(createTxn("/priv/c", CreateMode.PERSISTENT, null, Acl.OPEN, AS_ALICE));

        assertThat(code(apply(createTxn("/priv/x", CreateMode.PERSISTENT, null, Acl.OPEN, AS_BOB))
                        .result()))
                .isEqualTo(Code.NOAUTH);
        assertThat(code(apply(new Txn.SetData("/priv", null, -1, AS_BOB)).result()))
                .isEqualTo(Code.NOAUTH);
        assertThat(code(apply(new Txn.SetAcl("/priv", Acl.OPEN, -1, ANONYMOUS)).result()))
                .isEqualTo(Code.NOAUTH);
        assertThat(code(apply(new Txn.Delete("/priv/c", -1, AS_BOB)).result())).isEqualTo(Code.NOAUTH);
        // The parent's DELETE permission is checked before the node is looked up.
        assertThat(code(apply(new Txn.Delete("/priv/missing", -1, AS_BOB)).result()))
                .isEqualTo(Code.NOAUTH);
        assertThat(apply(new Txn.Check("/priv", -1, AS_BOB)).result())
                .as("world may read")
                .isEqualTo(new Result.Checked());
        assertThat(tree.checkAcl("/priv", Acl.WRITE, AS_BOB)).isEqualTo(Code.NOAUTH);
        assertThat(tree.checkAcl("/priv", Acl.WRITE, AS_ALICE)).isEqualTo(Code.OK);
        assertThat(tree.checkAcl("/nothing", Acl.READ, AS_ALICE)).isEqualTo(Code.NONODE);

        assertThat(apply(new Txn.Delete("/priv/c", -1, AS_ALICE)).result()).isEqualTo(new Result.Deleted());
        assertThat(apply(new Txn.SetData("/priv", null, -1, AS_ALICE)).result()).isInstanceOf(Result.StatResult.class);
    }

    @Test
    void ipAclsMatchByPrefix() {
        apply(createTxn(
                "/net", CreateMode.PERSISTENT, null, List.of(new Acl(Acl.ALL, new Id("ip", "10.0.0.0/8"))), ANONYMOUS));
        assertThat(tree.checkAcl("/net", Acl.READ, List.of(new Id("ip", "10.200.3.4"))))
                .isEqualTo(Code.OK);
        assertThat(tree.checkAcl("/net", Acl.READ, List.of(new Id("ip", "11.0.0.1"))))
                .isEqualTo(Code.NOAUTH);
        assertThat(tree.checkAcl("/net", Acl.READ, List.of(new Id("ip", "::1"))))
                .isEqualTo(Code.NOAUTH);
        assertThat(tree.checkAcl("/net", Acl.READ, List.of(new Id("digest", "10.0.0.1"))))
                .as("only the ip scheme")
                .isEqualTo(Code.NOAUTH);
        apply(createTxn(
                "/v6", CreateMode.PERSISTENT, null, List.of(new Acl(Acl.READ, new Id("ip", "fe80::/16"))), ANONYMOUS));
        assertThat(tree.checkAcl("/v6", Acl.READ, List.of(new Id("ip", "fe80:0:0:0:0:0:0:7"))))
                .isEqualTo(Code.OK);
        assertThat(tree.checkAcl("/v6", Acl.READ, List.of(new Id("ip", "fe81::7"))))
                .isEqualTo(Code.NOAUTH);
    }

    @Test
    void worldAnyoneAndAnEmptyStoredAclAdmitEveryone() {
        created("/open", CreateMode.PERSISTENT);
        assertThat(tree.checkAcl("/open", Acl.ADMIN, List.of())).isEqualTo(Code.OK);
        assertThat(Acls.permits(List.of(), Acl.ALL, List.of())).isTrue();
    }

    // ---- multi -----------------------------------------------------------------------------

    @Test
    void aSuccessfulMultiAppliesEveryOpAtOneZxidAndFiresTheirEventsInOrder() {
        created("/m", CreateMode.PERSISTENT);
        Applied a = apply(new Txn.Multi(List.of(
                createTxn("/m/s-", CreateMode.PERSISTENT_SEQUENTIAL, null, Acl.OPEN, ANONYMOUS),
                createTxn("/m/s-", CreateMode.PERSISTENT_SEQUENTIAL, null, Acl.OPEN, ANONYMOUS),
                new Txn.SetData("/m", "v".getBytes(), 0, ANONYMOUS),
                new Txn.Check("/m", 1, ANONYMOUS),
                new Txn.Delete("/m/s-0000000000", 0, ANONYMOUS))));

        Result.MultiResult m = (Result.MultiResult) a.result();
        assertThat(m.failed()).isFalse();
        assertThat(m.results()).hasSize(5);
        assertThat(((Result.Created) m.results().get(0)).actualPath()).isEqualTo("/m/s-0000000000");
        assertThat(((Result.Created) m.results().get(1)).actualPath()).isEqualTo("/m/s-0000000001");
        assertThat(m.results().subList(3, 5)).containsExactly(new Result.Checked(), new Result.Deleted());
        assertThat(tree.children("/m")).containsExactly("s-0000000001");
        assertThat(stat("/m/s-0000000001").czxid()).isEqualTo(zxid);
        assertThat(stat("/m").mzxid()).isEqualTo(zxid);
        assertThat(a.events())
                .extracting(e -> e.type() + " " + e.path())
                .containsExactly(
                        "NodeCreated /m/s-0000000000",
                        "NodeChildrenChanged /m",
                        "NodeCreated /m/s-0000000001",
                        "NodeChildrenChanged /m",
                        "NodeDataChanged /m",
                        "NodeDeleted /m/s-0000000000",
                        "NodeChildrenChanged /m");
    }

    @Test
    void aFailedMultiChangesNothingAndReportsOkFailureAndRuntimeInconsistency() throws IOException {
        created("/m", CreateMode.PERSISTENT);
        created("/m/old", CreateMode.PERSISTENT);
        // A twin that, at the multi's zxid, applies a change that fails on its own: only lastZxid moves.
        DataTree twin = roundTrip(tree);
        twin.apply(zxid + 1, now + 10, new Txn.Delete("/m/missing", -1, ANONYMOUS));
        Stat before = stat("/m");

        Applied a = apply(new Txn.Multi(List.of(
                createTxn("/m/s-", CreateMode.PERSISTENT_SEQUENTIAL, null, Acl.OPEN, ANONYMOUS),
                createTxn("/m/e", CreateMode.EPHEMERAL, "x".getBytes(), Acl.OPEN, ANONYMOUS),
                new Txn.Delete("/m/old", -1, ANONYMOUS),
                new Txn.SetData("/m", null, 7, ANONYMOUS),
                new Txn.Delete("/m", -1, ANONYMOUS))));

        assertThat(a.result())
                .isEqualTo(new Result.MultiResult(List.of(
                        new Result.Error(Code.OK, "/m/s-"),
                        new Result.Error(Code.OK, "/m/e"),
                        new Result.Error(Code.OK, "/m/old"),
                        new Result.Error(Code.BADVERSION, "/m"),
                        new Result.Error(Code.RUNTIMEINCONSISTENCY, "/m"))));
        assertThat(((Result.MultiResult) a.result()).failed()).isTrue();
        assertThat(a.events()).isEmpty();
        assertThat(tree.digest()).as("everything rolled back, to the byte").isEqualTo(twin.digest());
        assertThat(stat("/m")).isEqualTo(before);
        assertThat(tree.ephemerals(SESSION)).isEmpty();
        assertThat(tree.dataBytes()).isEqualTo(2);
        // The sequence counter was rolled back too.
        assertThat(created("/m/s-", CreateMode.PERSISTENT_SEQUENTIAL).actualPath())
                .isEqualTo("/m/s-0000000001");
    }

    @Test
    void onlyCreateDeleteSetDataAndCheckMayBeInAMulti() {
        created("/m", CreateMode.PERSISTENT);
        Applied a = apply(new Txn.Multi(
                List.of(new Txn.Check("/m", 0, ANONYMOUS), new Txn.SetAcl("/m", Acl.OPEN, -1, ANONYMOUS))));
        assertThat(a.result())
                .isEqualTo(new Result.MultiResult(
                        List.of(new Result.Error(Code.OK, "/m"), new Result.Error(Code.BADARGUMENTS, "/m"))));
    }

    // ---- watch events ----------------------------------------------------------------------

    @Test
    void eachChangeFiresZooKeepersEventsWithTheAclOfTheNodeTheyAreAbout() {
        List<Acl> aliceOnly = List.of(new Acl(Acl.ALL, ALICE));
        Applied c = apply(createTxn("/w", CreateMode.PERSISTENT, null, aliceOnly, AS_ALICE));
        assertThat(c.events())
                .containsExactly(
                        new WatchEvent(WatchEvent.Type.NodeCreated, "/w", aliceOnly),
                        new WatchEvent(WatchEvent.Type.NodeChildrenChanged, "/", Acl.OPEN));
        assertThat(c.events().get(0).visibleTo(AS_ALICE)).isTrue();
        assertThat(c.events().get(0).visibleTo(AS_BOB)).isFalse();
        assertThat(c.events().get(1).visibleTo(AS_BOB)).isTrue();

        assertThat(apply(new Txn.SetData("/w", null, -1, AS_ALICE)).events())
                .containsExactly(new WatchEvent(WatchEvent.Type.NodeDataChanged, "/w", aliceOnly));
        assertThat(apply(new Txn.Delete("/w", -1, AS_ALICE)).events())
                .containsExactly(
                        new WatchEvent(WatchEvent.Type.NodeDeleted, "/w", aliceOnly),
                        new WatchEvent(WatchEvent.Type.NodeChildrenChanged, "/", Acl.OPEN));
        assertThat(apply(new Txn.Delete("/w", -1, AS_ALICE)).events())
                .as("a failed change fires nothing")
                .isEmpty();
    }

    // ---- snapshots -------------------------------------------------------------------------

    @Test
    void aSnapshotRestoresAnEqualTreeThatEvolvesIdentically() throws IOException {
        Random random = new Random(42);
        DataTree original = tree;
        for (int i = 0; i < 400; i++) original.apply(++zxid, now += 7, randomTxn(random));
        assertThat(original.nodeCount()).as("the random load built something").isGreaterThan(10);

        DataTree copy = roundTrip(original);
        assertThat(copy.digest()).isEqualTo(original.digest());
        assertThat(copy.lastZxid()).isEqualTo(original.lastZxid());
        assertThat(copy.nodeCount()).isEqualTo(original.nodeCount());
        assertThat(copy.dataBytes()).isEqualTo(original.dataBytes());
        assertThat(copy.sessions()).isEqualTo(original.sessions());
        assertThat(copy.expiredCandidates(now + 1_000_000)).isEqualTo(original.expiredCandidates(now + 1_000_000));
        for (long s : List.of(1L, 2L, 3L)) assertThat(copy.ephemerals(s)).isEqualTo(original.ephemerals(s));
        for (String p : allPaths(original)) {
            NodeView a = original.get(p).orElseThrow();
            NodeView b = copy.get(p).orElseThrow();
            assertThat(b.stat()).as(p).isEqualTo(a.stat());
            assertThat(b.data()).as(p).isEqualTo(a.data());
            assertThat(b.acl()).as(p).isEqualTo(a.acl());
            assertThat(copy.children(p)).as(p).isEqualTo(original.children(p));
            assertThat(copy.allChildrenCount(p)).as(p).isEqualTo(original.allChildrenCount(p));
        }

        for (int i = 0; i < 200; i++) {
            Txn txn = randomTxn(random);
            long z = ++zxid;
            now += 7;
            Applied x = original.apply(z, now, txn);
            Applied y = copy.apply(z, now, txn);
            assertThat(y.result()).as("txn %d", i).isEqualTo(x.result());
            assertThat(y.events()).isEqualTo(x.events());
            assertThat(copy.digest()).as("txn %d", i).isEqualTo(original.digest());
        }
    }

    /**
     * A session's own password survives the log (its entry) and snapshots; a session created
     * before sessions had their own (an old entry, or a version-1 snapshot) has none, and its
     * password is derived from the id as before.
     */
    @Test
    void sessionPasswordsTravelInEntriesAndSnapshotsAndOlderSessionsHaveNone() throws IOException {
        byte[] password = new byte[Txn.CreateSession.PASSWORD_BYTES];
        new Random(7).nextBytes(password);
        Txn created = Txn.decode(new Txn.CreateSession(0x51L, 4000, password).encode());
        assertThat(created).isEqualTo(new Txn.CreateSession(0x51L, 4000, password));
        assertThat(created.toString()).doesNotContain(java.util.HexFormat.of().formatHex(password));
        tree.apply(++zxid, now, created);
        tree.apply(++zxid, now, Txn.decode(new Txn.CreateSession(0x52L, 4000).encode()));
        DataTree copy = roundTrip(tree);
        assertThat(copy.sessionPassword(0x51L)).isEqualTo(password);
        assertThat(copy.sessionPassword(0x52L)).isNull();
        assertThat(copy.sessionTimeoutMs(0x51L)).isEqualTo(4000);
        copy.apply(++zxid, now, new Txn.CloseSession(0x51L));
        assertThat(copy.sessionPassword(0x51L)).isNull();

        // A version-1 snapshot (sessions without passwords) still loads: this version's, of one
        // session without a password, less the password's length byte and with version 1.
        DataTree legacy = new DataTree(1024);
        legacy.apply(1, now, new Txn.CreateSession(0x53L, 6000));
        ByteArrayOutputStream v2 = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(v2)) {
            legacy.writeSnapshot(out);
        }
        byte[] b = v2.toByteArray();
        int lengthByte = 4 + 4 + 8 + 4 + 8 + 4; // magic, version, zxid, session count, id, timeout
        assertThat(b[lengthByte]).as("no password").isZero();
        byte[] v1 = new byte[b.length - 1];
        System.arraycopy(b, 0, v1, 0, lengthByte);
        System.arraycopy(b, lengthByte + 1, v1, lengthByte, b.length - lengthByte - 1);
        v1[7] = 1; // the version's last byte
        DataTree old = DataTree.readSnapshot(new DataInputStream(new ByteArrayInputStream(v1)), 1024);
        assertThat(old.sessionTimeoutMs(0x53L)).isEqualTo(6000);
        assertThat(old.sessionPassword(0x53L)).isNull();
    }

    @Test
    void notASnapshotIsRefused() {
        assertThatThrownBy(() -> DataTree.readSnapshot(
                        new DataInputStream(new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})), 1024))
                .isInstanceOf(IOException.class);
    }

    private static DataTree roundTrip(DataTree t) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            t.writeSnapshot(out);
        }
        return DataTree.readSnapshot(
                new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), t.maxDataBytes());
    }

    private static List<String> allPaths(DataTree t) {
        List<String> out = new ArrayList<>();
        List<String> todo = new ArrayList<>(List.of("/"));
        while (!todo.isEmpty()) {
            String p = todo.removeLast();
            out.add(p);
            for (String c : t.children(p)) todo.add(Paths.child(p, c));
        }
        return out;
    }

    /** Sessions 1-3 come and go; nodes of every kind are created, changed and deleted under a few paths. */
    private static Txn randomTxn(Random r) {
        List<String> paths = List.of("/a", "/a/b", "/a/b/c", "/c", "/c/d", "/e", "/e/f");
        String path = paths.get(r.nextInt(paths.size()));
        long session = 1 + r.nextInt(3);
        List<Id> auth = r.nextBoolean() ? AS_ALICE : ANONYMOUS;
        List<Acl> acl = r.nextInt(5) == 0
                ? List.of(new Acl(Acl.ALL, new Id("auth", "")), new Acl(Acl.READ, Id.ANYONE))
                : Acl.OPEN;
        byte[] data = r.nextInt(4) == 0 ? null : new byte[r.nextInt(4)];
        return switch (r.nextInt(12)) {
            case 0 -> new Txn.CreateSession(session, 5000);
            case 1 -> new Txn.CloseSession(session);
            case 2, 3, 4 -> {
                CreateMode mode = CreateMode.values()[r.nextInt(CreateMode.values().length)];
                yield new Txn.Create(
                        path,
                        data,
                        acl,
                        mode,
                        mode.isTtl() ? 1 + r.nextInt(100) : -1,
                        mode.isEphemeral() || r.nextBoolean() ? session : 0,
                        auth);
            }
            case 5, 6 -> new Txn.Delete(path, r.nextInt(3) - 1, auth);
            case 7, 8 -> new Txn.SetData(path, data, r.nextInt(3) - 1, auth);
            case 9 -> new Txn.SetAcl(path, acl, r.nextInt(3) - 1, auth);
            case 10 -> new Txn.DeleteContainer(path);
            default -> new Txn.Multi(List.of(randomTxnInMulti(r, paths), randomTxnInMulti(r, paths)));
        };
    }

    private static Txn randomTxnInMulti(Random r, List<String> paths) {
        String path = paths.get(r.nextInt(paths.size()));
        return switch (r.nextInt(4)) {
            case 0 -> new Txn.Create(path, null, Acl.OPEN, CreateMode.PERSISTENT, -1, 0, ANONYMOUS);
            case 1 -> new Txn.Delete(path, -1, ANONYMOUS);
            case 2 -> new Txn.SetData(path, new byte[1], -1, ANONYMOUS);
            default -> new Txn.Check(path, r.nextInt(2), ANONYMOUS);
        };
    }

    // ---- transaction codec ----------------------------------------------------------------

    @Property(tries = 300)
    void everyTransactionSurvivesEncoding(@ForAll("transactions") Txn txn) {
        byte[] bytes = txn.encode();
        Txn decoded = Txn.decode(bytes);
        assertThat(decoded.getClass()).isEqualTo(txn.getClass());
        assertThat(decoded.encode()).isEqualTo(bytes);
        // Records compare byte arrays by identity; the rest must be equal field by field.
        assertThat(decoded).usingRecursiveComparison().isEqualTo(txn);
    }

    @Test
    void nullDataAndEmptyDataEncodeDifferently() {
        Txn withNull = new Txn.SetData("/a", null, -1, List.of());
        Txn withEmpty = new Txn.SetData("/a", new byte[0], -1, List.of());
        assertThat(((Txn.SetData) Txn.decode(withNull.encode())).data()).isNull();
        assertThat(((Txn.SetData) Txn.decode(withEmpty.encode())).data()).isEmpty();
    }

    @Test
    void corruptTransactionsAreRefused() {
        byte[] good = new Txn.Delete("/a", 3, List.of(ALICE)).encode();
        assertThatThrownBy(() -> Txn.decode(new byte[] {42})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Txn.decode(java.util.Arrays.copyOf(good, good.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Txn.decode(java.util.Arrays.copyOf(good, good.length + 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Provide
    Arbitrary<Txn> transactions() {
        Arbitrary<Txn> leaf = Arbitraries.oneOf(creates(), deletes(), setData(), checks());
        Arbitrary<Txn> multi = leaf.list().ofMaxSize(4).map(Txn.Multi::new);
        return Arbitraries.oneOf(
                Arbitraries.longs().map(id -> (Txn) new Txn.CloseSession(id)),
                Combinators.combine(Arbitraries.longs(), Arbitraries.integers()).as(Txn.CreateSession::new),
                paths().map(Txn.DeleteContainer::new),
                Combinators.combine(paths(), acls(), Arbitraries.integers(), ids())
                        .as(Txn.SetAcl::new),
                leaf,
                multi);
    }

    private Arbitrary<Txn> creates() {
        return Combinators.combine(
                        paths(),
                        data(),
                        acls(),
                        Arbitraries.of(CreateMode.class),
                        Arbitraries.longs(),
                        Arbitraries.longs(),
                        ids())
                .as(Txn.Create::new);
    }

    private Arbitrary<Txn> deletes() {
        return Combinators.combine(paths(), Arbitraries.integers(), ids()).as(Txn.Delete::new);
    }

    private Arbitrary<Txn> setData() {
        return Combinators.combine(paths(), data(), Arbitraries.integers(), ids())
                .as(Txn.SetData::new);
    }

    private Arbitrary<Txn> checks() {
        return Combinators.combine(paths(), Arbitraries.integers(), ids()).as(Txn.Check::new);
    }

    private static Arbitrary<String> paths() {
        return text(20).map(s -> "/" + s);
    }

    /** Text that UTF-8 can carry (no lone surrogates), with some non-ASCII. */
    private static Arbitrary<String> text(int maxLength) {
        return Arbitraries.strings().alpha().numeric().withChars("/-_.:=é€✓").ofMaxLength(maxLength);
    }

    private static Arbitrary<byte[]> data() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(16).injectNull(0.2);
    }

    private static Arbitrary<List<Id>> ids() {
        return Combinators.combine(Arbitraries.of("digest", "ip", "world", "auth"), text(12))
                .as(Id::new)
                .list()
                .ofMaxSize(3);
    }

    private static Arbitrary<List<Acl>> acls() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, 31),
                        ids().filter(l -> !l.isEmpty()).map(List::getFirst))
                .as(Acl::new)
                .list()
                .ofMaxSize(3);
    }
}
