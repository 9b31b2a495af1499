package dev.cairn.store.internal.repair;

import dev.cairn.store.internal.client.BlockPlacement;
import dev.cairn.store.internal.disk.BlockId;
import dev.cairn.store.internal.namespace.Inode;
import dev.cairn.store.internal.namespace.NodeRegistry.NodeInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Decides what the replication monitor does after a scan: a pure function of the {@link ClusterView},
 * the time, and what earlier scans saw (when each node was last live, since when each garbage
 * block has looked like garbage). Nothing here talks to coord or to a node, so every decision can be
 * tested with an injected clock and seeded randomness.
 *
 * <p>Rules, per block of every file:
 * <ul>
 *   <li>A node that is not live is <em>absent</em>; its replicas still count (it may be restarting)
 *       until it has been absent for {@code deadNodeTimeout}, when it is declared dead and its
 *       replicas are dropped from the file.
 *   <li>A replica reported corrupt (or of the wrong length) is dropped and deleted as soon as an
 *       intact replica exists; when none does, it is kept, as the best there is.
 *   <li>A block with fewer replicas than {@code min(replication, live nodes)} is copied from an
 *       intact replica to nodes without one, chosen at random weighted by free space; at most
 *       {@code maxCopiesPerScan} blocks per scan, so one scan stays short.
 *   <li>A block with more intact replicas than its file asks for loses the surplus on the fullest
 *       nodes, but only when every live node answered and no replica's node is absent.
 *   <li>A copy of a block that no file and no open write refers to is garbage; it is deleted once it
 *       has looked like garbage in every scan over {@code gcGrace} (a write closing between the reads
 *       of one scan makes its blocks look like garbage once, never for long).
 * </ul>
 *
 * <p>Not thread-safe: owned by the monitor's thread.
 */
public final class RepairPlanner {
    /**
     * The planner's delays and limits.
     * @param deadNodeTimeout how long a node may be absent before its replicas are replaced
     * @param gcGrace         how long a block must look like garbage before it is deleted
     * @param maxCopiesPerScan blocks copied per scan at most
     */
    public record Settings(Duration deadNodeTimeout, Duration gcGrace, int maxCopiesPerScan) {
        public Settings {
            if (deadNodeTimeout.isNegative() || gcGrace.isNegative())
                throw new IllegalArgumentException("negative timeout");
            if (maxCopiesPerScan < 1) throw new IllegalArgumentException("maxCopiesPerScan must be >= 1");
        }
    }

    /** What one scan decided, and the health of every block it judged. */
    public record Plan(List<RepairAction> actions, List<BlockHealth> health) {}

    private final Settings settings;
    private final BlockPlacement placement;
    private final Map<String, Long> absentSince = new HashMap<>();
    private final Map<ClusterView.Replica, Long> garbageSince = new HashMap<>();

    public RepairPlanner(Settings settings, Random random) {
        this.settings = settings;
        this.placement = new BlockPlacement(random);
    }

    /** Whether {@code node}, not live, has been absent long enough to be declared dead. */
    boolean declaredDead(String node, long nowMs) {
        Long since = absentSince.get(node);
        return since != null && nowMs - since >= settings.deadNodeTimeout().toMillis();
    }

    public Plan plan(ClusterView view, long nowMs) {
        trackAbsentNodes(view, nowMs);
        List<BlockHealth> health = BlockHealth.assess(view, n -> declaredDead(n, nowMs));
        List<RepairAction> actions = new ArrayList<>();
        int copies = 0;
        for (BlockHealth h : health) {
            BlockId id = h.block().id();
            Set<String> holders = new HashSet<>(h.healthy());
            Set<String> dropped = new HashSet<>();
            if (!h.healthy().isEmpty()) {
                for (String node : h.corrupt()) {
                    actions.add(new RepairAction.DropReplica(h.path(), id, node, "corrupt"));
                    dropped.add(node);
                }
            } else {
                holders.addAll(h.corrupt());
            }
            holders.addAll(h.unreported());
            int need = h.wanted() - h.effective();
            if (need > 0 && !h.healthy().isEmpty() && copies < settings.maxCopiesPerScan()) {
                List<NodeInfo> candidates = view.live().values().stream()
                        .filter(n -> !holders.contains(n.id()))
                        .toList();
                List<String> targets = placement.choose(candidates, need, null, List.of()).stream()
                        .map(NodeInfo::id)
                        .toList();
                if (!targets.isEmpty()) {
                    String source = h.healthy()
                            .get(Math.floorMod(
                                    id.hashCode() + copies, h.healthy().size()));
                    actions.add(new RepairAction.Replicate(h.path(), id, source, targets));
                    copies++;
                }
            }
            if (h.overReplicated() && view.complete() && h.absent().isEmpty()) {
                view.live().values().stream()
                        .filter(n -> h.healthy().contains(n.id()))
                        .sorted(Comparator.comparingLong(NodeInfo::freeBytes).thenComparing(NodeInfo::id))
                        .limit(h.healthy().size() - h.replication())
                        .forEach(n -> {
                            actions.add(new RepairAction.DropReplica(h.path(), id, n.id(), "excess"));
                            dropped.add(n.id());
                        });
            }
            fixLocations(h, dropped, actions);
        }
        collectGarbage(view, nowMs, actions);
        return new Plan(actions, health);
    }

    /** Lists intact replicas the file does not name; unlists dead nodes and live ones that lost the block. */
    private static void fixLocations(BlockHealth h, Set<String> dropped, List<RepairAction> actions) {
        Set<String> listed = new LinkedHashSet<>(h.block().nodes());
        List<String> add = h.healthy().stream()
                .filter(n -> !listed.contains(n) && !dropped.contains(n))
                .toList();
        List<String> remove = new ArrayList<>(h.dead());
        remove.addAll(h.lost());
        if (!add.isEmpty() || !remove.isEmpty())
            actions.add(new RepairAction.FixLocations(h.path(), h.block().id(), add, remove));
    }

    private void trackAbsentNodes(ClusterView view, long nowMs) {
        Set<String> named = new HashSet<>();
        for (var e : view.files()) {
            for (var b : ((Inode.File) e.inode()).blocks()) named.addAll(b.nodes());
        }
        for (ClusterView.Replica r : view.corrupt()) named.add(r.node());
        absentSince.keySet().removeIf(n -> view.live().containsKey(n) || !named.contains(n));
        for (String n : named) if (!view.live().containsKey(n)) absentSince.putIfAbsent(n, nowMs);
    }

    private void collectGarbage(ClusterView view, long nowMs, List<RepairAction> actions) {
        Set<BlockId> referenced = BlockHealth.referenced(view);
        Set<ClusterView.Replica> garbageNow = new HashSet<>();
        for (var report : view.reports().entrySet()) {
            for (BlockId id : report.getValue().keySet()) {
                if (referenced.contains(id) || view.pending().contains(id)) continue;
                ClusterView.Replica r = new ClusterView.Replica(id, report.getKey());
                garbageNow.add(r);
                long since = garbageSince.computeIfAbsent(r, k -> nowMs);
                if (nowMs - since >= settings.gcGrace().toMillis())
                    actions.add(new RepairAction.DeleteGarbage(id, r.node()));
            }
        }
        // A node that did not answer this scan keeps its garbage clocks running; everything else
        // that is no longer garbage (or no longer there) starts over if it ever looks like garbage again.
        garbageSince
                .keySet()
                .removeIf(r -> !garbageNow.contains(r) && view.reports().containsKey(r.node()));
        garbageSince.keySet().removeIf(r -> !view.live().containsKey(r.node()));
        for (ClusterView.Replica r : view.corrupt()) {
            boolean fileGone = !referenced.contains(r.block());
            boolean replicaGone = view.reports().containsKey(r.node())
                    && !view.reports().get(r.node()).containsKey(r.block());
            if (fileGone || replicaGone || declaredDead(r.node(), nowMs))
                actions.add(new RepairAction.ForgetCorruptReport(r.block(), r.node()));
        }
    }
}
