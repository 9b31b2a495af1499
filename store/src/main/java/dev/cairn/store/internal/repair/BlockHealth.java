package dev.cairn.store.internal.repair;

import dev.cairn.store.internal.disk.BlockId;
import dev.cairn.store.internal.namespace.Inode;
import dev.cairn.store.internal.namespace.Namespace;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The state of one block's replicas in a {@link ClusterView}: which hold it intact, which hold a
 * corrupt copy, which cannot be asked, which are gone. The replication monitor and fsck judge a
 * block by the same rules, here.
 *
 * @param wanted     the replicas the block should have now: its file's replication, capped by the live store nodes
 * @param healthy    live nodes whose block report lists the block at its length, not reported corrupt
 * @param corrupt    live nodes holding a copy reported corrupt, or of the wrong length
 * @param unreported live nodes the file names that did not answer their block report (may well hold it)
 * @param absent     nodes the file names that are not live and not yet declared dead (may come back)
 * @param dead       nodes the file names that are declared dead
 * @param lost       live nodes the file names whose report lacks the block
 */
public record BlockHealth(
        String path,
        int index,
        Inode.BlockRef block,
        int replication,
        int wanted,
        List<String> healthy,
        List<String> corrupt,
        List<String> unreported,
        List<String> absent,
        List<String> dead,
        List<String> lost) {

    /** Replicas that exist or may: intact ones, those on unanswering nodes, those on nodes not yet declared dead. */
    public int effective() {
        return healthy.size() + unreported.size() + absent.size();
    }

    /** No intact replica is known (all lost, corrupt, or on dead nodes). */
    public boolean missing() {
        return healthy.isEmpty() && unreported.isEmpty() && absent.isEmpty();
    }

    /** Fewer replicas than the live nodes allow. */
    public boolean underReplicated() {
        return !missing() && effective() < wanted;
    }

    /** Fewer replicas than the file asks for, because too few store nodes are live. */
    public boolean belowReplicationForLackOfNodes() {
        return !missing() && effective() >= wanted && effective() < replication;
    }

    /** More intact replicas than the file asks for (a node came back after being replaced). */
    public boolean overReplicated() {
        return healthy.size() > replication;
    }

    /**
     * Judges every block of every file in {@code view}.
     *
     * @param declaredDead whether a node that is not live counts as dead (the monitor decides that over time; fsck says no)
     */
    public static List<BlockHealth> assess(ClusterView view, Predicate<String> declaredDead) {
        List<BlockHealth> out = new ArrayList<>();
        for (Namespace.Entry e : view.files()) {
            Inode.File file = (Inode.File) e.inode();
            int wanted = Math.min(file.replication(), view.live().size());
            for (int i = 0; i < file.blocks().size(); i++) {
                Inode.BlockRef b = file.blocks().get(i);
                List<String> healthy = new ArrayList<>();
                List<String> corrupt = new ArrayList<>();
                List<String> unreported = new ArrayList<>();
                List<String> absent = new ArrayList<>();
                List<String> dead = new ArrayList<>();
                List<String> lost = new ArrayList<>();
                for (Map.Entry<String, Map<BlockId, Long>> r : view.reports().entrySet()) {
                    if (!view.live().containsKey(r.getKey())) continue;
                    Long length = r.getValue().get(b.id());
                    if (length == null) continue;
                    boolean bad = length != b.length()
                            || view.corrupt().contains(new ClusterView.Replica(b.id(), r.getKey()));
                    (bad ? corrupt : healthy).add(r.getKey());
                }
                for (String n : b.nodes()) {
                    if (!view.live().containsKey(n)) {
                        (declaredDead.test(n) ? dead : absent).add(n);
                    } else if (!view.reports().containsKey(n)) {
                        unreported.add(n);
                    } else if (!view.reports().get(n).containsKey(b.id())) {
                        lost.add(n);
                    }
                }
                healthy.sort(null);
                corrupt.sort(null);
                out.add(new BlockHealth(
                        e.path(), i, b, file.replication(), wanted, healthy, corrupt, unreported, absent, dead, lost));
            }
        }
        return out;
    }

    /** Blocks of the view's files, for telling garbage apart. */
    static Set<BlockId> referenced(ClusterView view) {
        Set<BlockId> ids = new HashSet<>();
        for (Namespace.Entry e : view.files())
            for (Inode.BlockRef b : ((Inode.File) e.inode()).blocks()) ids.add(b.id());
        return ids;
    }
}
