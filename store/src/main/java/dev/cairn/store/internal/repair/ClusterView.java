package dev.cairn.store.internal.repair;

import dev.cairn.store.internal.disk.BlockId;
import dev.cairn.store.internal.namespace.Namespace;
import dev.cairn.store.internal.namespace.NodeRegistry.NodeInfo;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the replication monitor (or fsck) saw of the store in one scan: the namespace's files, the
 * live nodes, their block reports, the blocks of writes still open and the replicas reported corrupt.
 *
 * <p>The parts are read one after another, not atomically; {@link ClusterViewReader} reads them in
 * an order that makes every disagreement harmless (see there), and the planner never deletes on the
 * strength of a single scan.
 *
 * @param files    every file under the scanned path (directories left out)
 * @param live     the live store nodes by id
 * @param reports  block reports by node id: block → length; a live node missing here did not answer
 * @param pending  blocks of writes that have not closed (not garbage, whatever else holds)
 * @param corrupt  replicas reported corrupt, not yet dealt with
 */
public record ClusterView(
        List<Namespace.Entry> files,
        Map<String, NodeInfo> live,
        Map<String, Map<BlockId, Long>> reports,
        Set<BlockId> pending,
        Set<Replica> corrupt) {
    public ClusterView {
        files = List.copyOf(files);
        live = Map.copyOf(live);
        reports = Map.copyOf(reports);
        pending = Set.copyOf(pending);
        corrupt = Set.copyOf(corrupt);
    }

    /** One replica: a block on a node. */
    public record Replica(BlockId block, String node) {
        @Override
        public String toString() {
            return block + "@" + node;
        }
    }

    /** True when every live node answered its block report, so absence from the reports is meaningful everywhere. */
    public boolean complete() {
        return reports.keySet().containsAll(live.keySet());
    }
}
