package dev.cairn.store.internal.repair;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.store.internal.disk.BlockId;
import dev.cairn.store.internal.namespace.Inode;
import dev.cairn.store.internal.namespace.Namespace;
import dev.cairn.store.internal.namespace.NodeRegistry.NodeInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RepairPlannerTest {
    private static final long LEN = 1000;
    private static final BlockId B1 = new BlockId(1);
    private static final BlockId B2 = new BlockId(2);
    private static final Duration DEAD = Duration.ofSeconds(30);
    private static final Duration GRACE = Duration.ofSeconds(60);

    /** A store to describe: live nodes with free space, block reports, files, pending blocks, corrupt reports. */
    private static final class World {
        final Map<String, NodeInfo> live = new LinkedHashMap<>();
        final Map<String, Map<BlockId, Long>> reports = new HashMap<>();
        final List<Namespace.Entry> files = new ArrayList<>();
        final Set<BlockId> pending = new HashSet<>();
        final Set<ClusterView.Replica> corrupt = new HashSet<>();

        World node(String id, long free, BlockId... blocks) {
            live.put(id, new NodeInfo(id, "127.0.0.1:1", free, 0, blocks.length));
            Map<BlockId, Long> r = new HashMap<>();
            for (BlockId b : blocks) r.put(b, LEN);
            reports.put(id, r);
            return this;
        }

        World file(String path, int replication, BlockId id, String... nodes) {
            Inode.File f =
                    new Inode.File(LEN, LEN, replication, 0, List.of(new Inode.BlockRef(id, LEN, List.of(nodes))));
            files.add(new Namespace.Entry(path, f, 0));
            return this;
        }

        World kill(String id) {
            live.remove(id);
            reports.remove(id);
            return this;
        }

        ClusterView view() {
            return new ClusterView(files, live, reports, pending, corrupt);
        }
    }

    private static RepairPlanner planner() {
        return new RepairPlanner(new RepairPlanner.Settings(DEAD, GRACE, 100), new Random(7));
    }

    @Test
    void aHealthyStoreNeedsNothing() {
        World w = new World()
                .node("a", 10, B1)
                .node("b", 10, B1)
                .node("c", 10, B1)
                .file("/f", 3, B1, "a", "b", "c");
        RepairPlanner.Plan plan = planner().plan(w.view(), 0);
        assertThat(plan.actions()).isEmpty();
        assertThat(plan.health()).singleElement().satisfies(h -> {
            assertThat(h.underReplicated()).isFalse();
            assertThat(h.missing()).isFalse();
            assertThat(h.healthy()).containsExactly("a", "b", "c");
        });
    }

    @Test
    void anAbsentNodeIsReplacedOnlyOnceDeclaredDead() {
        World w = new World()
                .node("a", 10, B1)
                .node("b", 10, B1)
                .node("c", 10, B1)
                .node("d", 10)
                .file("/f", 3, B1, "a", "b", "c");
        w.kill("c");
        RepairPlanner p = planner();
        assertThat(p.plan(w.view(), 1_000).actions()).isEmpty();
        assertThat(p.plan(w.view(), 1_000 + DEAD.toMillis() - 1).actions()).isEmpty();
        List<RepairAction> actions = p.plan(w.view(), 1_000 + DEAD.toMillis()).actions();
        assertThat(actions)
                .containsExactly(
                        new RepairAction.Replicate(
                                "/f", B1, ((RepairAction.Replicate) actions.get(0)).source(), List.of("d")),
                        new RepairAction.FixLocations("/f", B1, List.of(), List.of("c")));
        assertThat(((RepairAction.Replicate) actions.get(0)).source()).isIn("a", "b");
    }

    @Test
    void aNodeThatComesBackBeforeItsDeadlineCostsNothing() {
        World w = new World()
                .node("a", 10, B1)
                .node("b", 10, B1)
                .node("c", 10, B1)
                .node("d", 10)
                .file("/f", 3, B1, "a", "b", "c");
        RepairPlanner p = planner();
        w.kill("c");
        assertThat(p.plan(w.view(), 0).actions()).isEmpty();
        w.node("c", 10, B1);
        assertThat(p.plan(w.view(), DEAD.toMillis() - 1).actions()).isEmpty();
        w.kill("c");
        // its absence clock started over when it came back
        assertThat(p.plan(w.view(), DEAD.toMillis()).actions()).isEmpty();
    }

    @Test
    void withTooFewLiveNodesTheSurvivorsAreEnough() {
        World w = new World()
                .node("a", 10, B1)
                .node("b", 10, B1)
                .node("c", 10, B1)
                .file("/f", 3, B1, "a", "b", "c");
        w.kill("c");
        RepairPlanner p = planner();
        p.plan(w.view(), 0);
        RepairPlanner.Plan plan = p.plan(w.view(), DEAD.toMillis());
        assertThat(plan.actions()).containsExactly(new RepairAction.FixLocations("/f", B1, List.of(), List.of("c")));
        BlockHealth h = plan.health().getFirst();
        assertThat(h.wanted()).isEqualTo(2);
        assertThat(h.underReplicated()).isFalse();
        assertThat(h.belowReplicationForLackOfNodes()).isTrue();
    }

    @Test
    void aCorruptReplicaIsDroppedAndReplacedOnTheSameNodeWhenNoOtherIsFree() {
        World w = new World()
                .node("a", 10, B1)
                .node("b", 10, B1)
                .node("c", 10, B1)
                .file("/f", 3, B1, "a", "b", "c");
        w.corrupt.add(new ClusterView.Replica(B1, "b"));
        List<RepairAction> actions = planner().plan(w.view(), 0).actions();
        assertThat(actions).hasSize(2);
        assertThat(actions.get(0)).isEqualTo(new RepairAction.DropReplica("/f", B1, "b", "corrupt"));
        assertThat(actions.get(1)).isInstanceOfSatisfying(RepairAction.Replicate.class, r -> {
            assertThat(r.source()).isIn("a", "c");
            assertThat(r.targets()).containsExactly("b");
        });
    }

    @Test
    void aReplicaOfTheWrongLengthCountsAsCorrupt() {
        World w = new World().node("a", 10, B1).node("b", 10, B1).file("/f", 2, B1, "a", "b");
        w.reports.get("a").put(B1, LEN - 1);
        List<RepairAction> actions = planner().plan(w.view(), 0).actions();
        assertThat(actions.getFirst()).isEqualTo(new RepairAction.DropReplica("/f", B1, "a", "corrupt"));
    }

    @Test
    void theLastCopiesAreKeptEvenWhenCorrupt() {
        World w = new World().node("a", 10, B1).node("b", 10).file("/f", 2, B1, "a");
        w.corrupt.add(new ClusterView.Replica(B1, "a"));
        RepairPlanner.Plan plan = planner().plan(w.view(), 0);
        assertThat(plan.actions()).isEmpty();
        assertThat(plan.health().getFirst().missing()).isTrue();
    }

    @Test
    void surplusReplicasGoFromTheFullestNodesButOnlyWhenEveryNodeAnswered() {
        World w = new World()
                .node("a", 50, B1)
                .node("b", 5, B1)
                .node("c", 40, B1)
                .node("d", 30, B1)
                .file("/f", 3, B1, "a", "c", "d");
        List<RepairAction> actions = planner().plan(w.view(), 0).actions();
        assertThat(actions).containsExactly(new RepairAction.DropReplica("/f", B1, "b", "excess"));

        w.reports.remove("a"); // a did not answer: its copy may be gone, do not trim
        assertThat(planner().plan(w.view(), 0).actions()).noneMatch(a -> a instanceof RepairAction.DropReplica);
    }

    @Test
    void anUnlistedCopyIsListedAndALostOneUnlisted() {
        World w = new World().node("a", 10, B1).node("b", 10, B1).node("c", 10).file("/f", 2, B1, "a", "c");
        List<RepairAction> actions = planner().plan(w.view(), 0).actions();
        assertThat(actions).containsExactly(new RepairAction.FixLocations("/f", B1, List.of("b"), List.of("c")));
    }

    @Test
    void garbageIsDeletedOnlyAfterLookingLikeGarbageThroughoutTheGracePeriod() {
        World w = new World().node("a", 10, B1, B2).node("b", 10, B1).file("/f", 2, B1, "a", "b");
        RepairPlanner p = planner();
        assertThat(p.plan(w.view(), 0).actions()).isEmpty();
        assertThat(p.plan(w.view(), GRACE.toMillis() - 1).actions()).isEmpty();
        assertThat(p.plan(w.view(), GRACE.toMillis()).actions())
                .containsExactly(new RepairAction.DeleteGarbage(B2, "a"));
    }

    @Test
    void aBlockThatBecomesPartOfAFileIsNotGarbageAnyMore() {
        World w = new World().node("a", 10, B2);
        RepairPlanner p = planner();
        assertThat(p.plan(w.view(), 0).actions()).isEmpty();
        w.file("/g", 1, B2, "a"); // its write closed
        assertThat(p.plan(w.view(), 1).actions()).isEmpty();
        w.files.clear(); // and the file was deleted: a new grace period starts
        assertThat(p.plan(w.view(), GRACE.toMillis() + 1).actions()).isEmpty();
        assertThat(p.plan(w.view(), 2 * GRACE.toMillis() + 1).actions())
                .containsExactly(new RepairAction.DeleteGarbage(B2, "a"));
    }

    @Test
    void blocksOfOpenWritesAreNeverGarbage() {
        World w = new World().node("a", 10, B2);
        w.pending.add(B2);
        RepairPlanner p = planner();
        p.plan(w.view(), 0);
        assertThat(p.plan(w.view(), 10 * GRACE.toMillis()).actions()).isEmpty();
    }

    @Test
    void corruptReportsOfDeletedFilesOrVanishedReplicasAreForgotten() {
        World w = new World().node("a", 10, B1).node("b", 10).file("/f", 1, B1, "a");
        w.corrupt.add(new ClusterView.Replica(B2, "a"));
        w.corrupt.add(new ClusterView.Replica(B1, "b"));
        assertThat(planner().plan(w.view(), 0).actions())
                .containsExactlyInAnyOrder(
                        new RepairAction.ForgetCorruptReport(B2, "a"), new RepairAction.ForgetCorruptReport(B1, "b"));
    }

    @Test
    void copiesPerScanAreBounded() {
        World w = new World().node("a", 10).node("b", 10);
        for (int i = 0; i < 10; i++) {
            BlockId id = new BlockId(100 + i);
            w.reports.get("a").put(id, LEN);
            w.file("/f" + i, 2, id, "a");
        }
        RepairPlanner p = new RepairPlanner(new RepairPlanner.Settings(DEAD, GRACE, 3), new Random(1));
        assertThat(p.plan(w.view(), 0).actions())
                .filteredOn(a -> a instanceof RepairAction.Replicate)
                .hasSize(3);
    }

    @Test
    void planningIsDeterministicForASeed() {
        World w = new World()
                .node("a", 10, B1)
                .node("b", 20)
                .node("c", 30)
                .node("d", 40)
                .file("/f", 3, B1, "a");
        List<RepairAction> first = new RepairPlanner(new RepairPlanner.Settings(DEAD, GRACE, 10), new Random(3))
                .plan(w.view(), 0)
                .actions();
        List<RepairAction> again = new RepairPlanner(new RepairPlanner.Settings(DEAD, GRACE, 10), new Random(3))
                .plan(w.view(), 0)
                .actions();
        assertThat(first).isEqualTo(again);
        assertThat(((RepairAction.Replicate) first.getFirst()).targets())
                .hasSize(2)
                .doesNotContain("a");
    }
}
