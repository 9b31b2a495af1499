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
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The replication monitor's decisions run against a simulated store for many seeds: nodes die, come
 * back, lose their disks; replicas rot silently and are found by readers or the scrubber; files are
 * written and deleted; writers die. After every scan the monitor's actions are applied to the model
 * and checked:
 * <ul>
 *   <li>safety: no action ever deletes the last intact copy of a block of a live file, on any disk;
 *   <li>convergence: once the faults stop, every node is back and the scrubber has passed, each block
 *       has exactly {@code min(replication, nodes)} intact replicas, the namespace lists exactly
 *       them, no corrupt report remains, and no garbage is left on any disk.
 * </ul>
 * A failure names the seed; the same seed replays the same run.
 */
class RepairSimulationTest {
    private static final long LEN = 100;
    private static final long INTERVAL_MS = 1_000;
    private static final Duration DEAD = Duration.ofSeconds(5);
    private static final Duration GRACE = Duration.ofSeconds(4);

    enum Copy {
        GOOD,
        ROTTEN
    }

    /** The simulated store: disks survive a node's death; only the live ones answer. */
    static final class Model {
        final Random random;
        final Map<String, Boolean> live = new TreeMap<>();
        final Map<String, Map<BlockId, Copy>> disks = new TreeMap<>();
        final Map<String, Inode.File> files = new TreeMap<>();
        final Map<String, Set<BlockId>> pendingWrites = new HashMap<>();
        final Set<ClusterView.Replica> corruptReports = new HashSet<>();
        /** Blocks whose every copy rotted or vanished through faults: data loss the monitor could not prevent. */
        final Set<BlockId> lostToFaults = new HashSet<>();

        long nextBlock = 1;
        int nextFile;

        Model(long seed, int nodes) {
            random = new Random(seed);
            for (int i = 1; i <= nodes; i++) {
                live.put("n" + i, true);
                disks.put("n" + i, new HashMap<>());
            }
        }

        List<String> liveNodes() {
            return live.entrySet().stream()
                    .filter(Map.Entry::getValue)
                    .map(Map.Entry::getKey)
                    .toList();
        }

        ClusterView view() {
            List<Namespace.Entry> entries = new ArrayList<>();
            files.forEach((p, f) -> entries.add(new Namespace.Entry(p, f, 0)));
            Map<String, NodeInfo> liveInfo = new LinkedHashMap<>();
            Map<String, Map<BlockId, Long>> reports = new HashMap<>();
            for (String n : liveNodes()) {
                liveInfo.put(
                        n,
                        new NodeInfo(
                                n,
                                "127.0.0.1:1",
                                1_000_000 - 1_000L * disks.get(n).size(),
                                0,
                                disks.get(n).size()));
                Map<BlockId, Long> r = new HashMap<>();
                for (BlockId b : disks.get(n).keySet()) r.put(b, LEN); // rot is silent: the length is right
                reports.put(n, r);
            }
            Set<BlockId> pending = new HashSet<>();
            pendingWrites.values().forEach(pending::addAll);
            return new ClusterView(entries, liveInfo, reports, pending, corruptReports);
        }

        int goodCopies(BlockId b) {
            int n = 0;
            for (Map<BlockId, Copy> d : disks.values()) if (d.get(b) == Copy.GOOD) n++;
            return n;
        }

        Set<BlockId> referenced() {
            Set<BlockId> ids = new HashSet<>();
            for (Inode.File f : files.values()) for (Inode.BlockRef b : f.blocks()) ids.add(b.id());
            return ids;
        }

        // ---- faults and client actions ------------------------------------------------------

        void randomEvent() {
            int e = random.nextInt(100);
            List<String> up = liveNodes();
            if (e < 20) {
                writeFile(1 + random.nextInt(3));
            } else if (e < 27 && !files.isEmpty()) {
                deleteFile(pick(new ArrayList<>(files.keySet())));
            } else if (e < 35 && up.size() > 1) {
                live.put(pick(up), false); // dies; its disk stays
            } else if (e < 45) {
                List<String> down = live.entrySet().stream()
                        .filter(x -> !x.getValue())
                        .map(Map.Entry::getKey)
                        .toList();
                if (!down.isEmpty()) live.put(pick(down), true);
            } else if (e < 55) {
                rotSomething();
            } else if (e < 60) {
                readEverything();
            } else if (e < 63 && up.size() > 1) {
                String n = pick(up);
                disks.get(n).clear(); // the disk is replaced
                live.put(n, false);
            } else if (e < 68) {
                startWriteThatDies();
            } else if (e < 72 && !pendingWrites.isEmpty()) {
                pendingWrites.remove(pick(new ArrayList<>(pendingWrites.keySet()))); // its session expires
            }
            noteLosses();
        }

        void writeFile(int replication) {
            List<String> up = new ArrayList<>(liveNodes());
            List<Inode.BlockRef> blocks = new ArrayList<>();
            int n = 1 + random.nextInt(3);
            for (int i = 0; i < n; i++) {
                BlockId id = new BlockId(nextBlock++);
                java.util.Collections.shuffle(up, random);
                List<String> holders = up.subList(0, Math.min(replication, up.size()));
                for (String h : holders) disks.get(h).put(id, Copy.GOOD);
                blocks.add(new Inode.BlockRef(id, LEN, holders));
            }
            files.put("/f" + nextFile++, new Inode.File(LEN * n, LEN, replication, 0, blocks));
        }

        void deleteFile(String path) {
            Inode.File f = files.remove(path);
            for (Inode.BlockRef b : f.blocks()) {
                for (String n : b.nodes())
                    if (live.getOrDefault(n, false)) disks.get(n).remove(b.id()); // dead nodes miss it
            }
        }

        void startWriteThatDies() {
            BlockId id = new BlockId(nextBlock++);
            List<String> up = liveNodes();
            disks.get(pick(up)).put(id, Copy.GOOD);
            pendingWrites.put("w" + id, Set.of(id));
        }

        void rotSomething() {
            List<String> withBlocks = disks.entrySet().stream()
                    .filter(x -> !x.getValue().isEmpty())
                    .map(Map.Entry::getKey)
                    .toList();
            if (withBlocks.isEmpty()) return;
            String n = pick(withBlocks);
            BlockId b = pick(new ArrayList<>(disks.get(n).keySet()));
            disks.get(n).put(b, Copy.ROTTEN);
        }

        /** Readers (or the scrubber) meet every rotten copy on a live node and report it. */
        void readEverything() {
            for (String n : liveNodes()) {
                disks.get(n).forEach((b, c) -> {
                    if (c == Copy.ROTTEN) corruptReports.add(new ClusterView.Replica(b, n));
                });
            }
        }

        private void noteLosses() {
            for (BlockId b : referenced()) if (goodCopies(b) == 0) lostToFaults.add(b);
        }

        private <T> T pick(List<T> list) {
            return list.get(random.nextInt(list.size()));
        }

        // ---- the monitor's actions, applied -------------------------------------------------

        void apply(List<RepairAction> actions) {
            for (RepairAction a : actions) {
                switch (a) {
                    case RepairAction.Replicate r -> {
                        if (!live.get(r.source())) continue;
                        Copy source = disks.get(r.source()).get(r.block());
                        if (source != Copy.GOOD) continue; // targets check every chunk: a rotten source copies nothing
                        List<String> stored = new ArrayList<>();
                        for (String t : r.targets()) {
                            assertThat(disks.get(t))
                                    .as("replicating %s onto %s, which has a copy", r.block(), t)
                                    .doesNotContainKey(r.block());
                            disks.get(t).put(r.block(), Copy.GOOD);
                            stored.add(t);
                        }
                        editNodes(r.path(), r.block(), nodes -> nodes.addAll(stored));
                    }
                    case RepairAction.DropReplica d -> {
                        editNodes(d.path(), d.block(), nodes -> nodes.remove(d.node()));
                        delete(d.node(), d.block(), a);
                        if (d.reason().equals("corrupt"))
                            corruptReports.remove(new ClusterView.Replica(d.block(), d.node()));
                    }
                    case RepairAction.FixLocations f ->
                        editNodes(f.path(), f.block(), nodes -> {
                            nodes.removeAll(f.remove());
                            nodes.addAll(f.add());
                        });
                    case RepairAction.DeleteGarbage g -> delete(g.node(), g.block(), a);
                    case RepairAction.ForgetCorruptReport c ->
                        corruptReports.remove(new ClusterView.Replica(c.block(), c.node()));
                }
            }
        }

        private void delete(String node, BlockId block, RepairAction why) {
            Copy copy = disks.get(node).get(block);
            if (copy == Copy.GOOD && referenced().contains(block)) {
                assertThat(goodCopies(block))
                        .as("%s deletes the last intact copy of %s", why, block)
                        .isGreaterThan(1);
            }
            disks.get(node).remove(block);
        }

        private void editNodes(String path, BlockId block, java.util.function.Consumer<List<String>> edit) {
            Inode.File f = files.get(path);
            if (f == null) return;
            List<Inode.BlockRef> blocks = new ArrayList<>();
            for (Inode.BlockRef b : f.blocks()) {
                if (b.id().equals(block)) {
                    List<String> nodes = new ArrayList<>(b.nodes());
                    edit.accept(nodes);
                    b = new Inode.BlockRef(b.id(), b.length(), List.copyOf(new java.util.LinkedHashSet<>(nodes)));
                }
                blocks.add(b);
            }
            files.put(path, f.withBlocks(blocks));
        }
    }

    @ParameterizedTest
    @ValueSource(
            longs = {
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
                29, 30
            })
    void theMonitorNeverLosesDataAndConverges(long seed) {
        int nodeCount = 3 + (int) (seed % 3);
        Model m = new Model(seed, nodeCount);
        RepairPlanner planner = new RepairPlanner(new RepairPlanner.Settings(DEAD, GRACE, 8), new Random(seed));
        long now = 0;
        for (int step = 0; step < 300; step++) {
            if (m.random.nextInt(3) == 0) m.randomEvent();
            now += INTERVAL_MS;
            m.apply(planner.plan(m.view(), now).actions());
        }
        // Faults stop: every node comes back, writers that were going to die have died, the scrubber passes.
        m.live.replaceAll((n, up) -> true);
        m.pendingWrites.clear();
        m.readEverything();
        for (int step = 0; step < 60; step++) {
            now += INTERVAL_MS;
            m.apply(planner.plan(m.view(), now).actions());
        }

        Set<BlockId> referenced = m.referenced();
        for (var e : m.files.entrySet()) {
            for (Inode.BlockRef b : e.getValue().blocks()) {
                if (m.lostToFaults.contains(b.id())) continue;
                Set<String> good = new HashSet<>();
                m.disks.forEach((n, d) -> {
                    if (d.get(b.id()) == Copy.GOOD) good.add(n);
                });
                int wanted = Math.min(e.getValue().replication(), nodeCount);
                assertThat(good)
                        .as("seed %d: intact replicas of %s in %s", seed, b.id(), e.getKey())
                        .hasSize(wanted);
                assertThat(b.nodes())
                        .as("seed %d: listed replicas of %s", seed, b.id())
                        .containsExactlyInAnyOrderElementsOf(good);
            }
        }
        m.disks.forEach((n, d) -> d.forEach((b, c) -> {
            assertThat(referenced)
                    .as("seed %d: garbage %s left on %s", seed, b, n)
                    .contains(b);
            if (!m.lostToFaults.contains(b))
                assertThat(c).as("seed %d: rotten %s left on %s", seed, b, n).isEqualTo(Copy.GOOD);
        }));
        assertThat(m.corruptReports.stream().filter(r -> !m.lostToFaults.contains(r.block())))
                .as("seed %d: corrupt reports left", seed)
                .isEmpty();
    }
}
