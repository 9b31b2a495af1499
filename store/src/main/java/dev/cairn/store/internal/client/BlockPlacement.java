package dev.cairn.store.internal.client;

import dev.cairn.store.internal.namespace.NodeRegistry.NodeInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;

/**
 * Chooses the nodes of a block's replication pipeline: the writer's own node first when it is a
 * store node (as HDFS does: one replica costs no network), then nodes drawn at random weighted by
 * their free space divided by one plus the transfers they were serving at their last report (HDFS
 * weighs load by its transfer threads the same way), so fuller disks fill more slowly, busy nodes
 * get fewer new blocks, and concurrent writers spread out instead of all picking the emptiest node.
 * Distinct nodes only; fewer than asked when fewer are live.
 */
public final class BlockPlacement {
    private final Random random;

    public BlockPlacement(Random random) {
        this.random = random;
    }

    public List<NodeInfo> choose(List<NodeInfo> live, int replicas, String localNodeId, Collection<String> exclude) {
        List<NodeInfo> candidates = new ArrayList<>();
        for (NodeInfo n : live) if (!exclude.contains(n.id()) && n.freeBytes() > 0) candidates.add(n);
        List<NodeInfo> chosen = new ArrayList<>();
        if (localNodeId != null) {
            for (NodeInfo n : candidates) {
                if (n.id().equals(localNodeId)) {
                    chosen.add(n);
                    candidates.remove(n);
                    break;
                }
            }
        }
        while (chosen.size() < replicas && !candidates.isEmpty()) {
            double total = 0;
            for (NodeInfo n : candidates) total += weight(n);
            double r = random.nextDouble() * total;
            int pick = candidates.size() - 1;
            for (int i = 0; i < candidates.size(); i++) {
                r -= weight(candidates.get(i));
                if (r < 0) {
                    pick = i;
                    break;
                }
            }
            chosen.add(candidates.remove(pick));
        }
        return chosen;
    }

    /** Free space, discounted by the transfers the node is busy with (as of its last report). */
    private static double weight(NodeInfo n) {
        return Math.max(1, n.freeBytes()) / (1.0 + n.transfers());
    }
}
