package dev.cairn.store.internal.repair;

import dev.cairn.common.security.TransportSecurity;
import dev.cairn.store.internal.disk.BlockId;
import dev.cairn.store.internal.disk.BlockInfo;
import dev.cairn.store.internal.namespace.Inode;
import dev.cairn.store.internal.namespace.Namespace;
import dev.cairn.store.internal.namespace.NodeRegistry;
import dev.cairn.store.internal.namespace.NodeRegistry.NodeInfo;
import dev.cairn.store.internal.transfer.BlockFetcher;
import dev.cairn.store.internal.transfer.DataAddress;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a {@link ClusterView} from coord and the store nodes (block reports are asked for over
 * the data protocol, all nodes at once).
 *
 * <p>Order matters, because the parts are not read atomically. The namespace comes first and the
 * block reports after it: a file is committed only after its replicas are finalized, so every
 * replica a file names was on its node before the reports were taken, and a listed replica missing
 * from a report is really missing. Pending writes are read after the reports: a block on a node
 * was recorded in its write's pending znode before its first byte was written, so a block that is
 * in a report but in neither the namespace nor the pending writes was either committed in between
 * (the next scan sees it in the namespace) or is garbage — which is why garbage collection waits
 * for a block to look like garbage over a grace period of several scans.
 */
public final class ClusterViewReader {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterViewReader.class);

    private final Namespace namespace;
    private final NodeRegistry registry;
    private final Duration timeout;
    private final TransportSecurity security;

    public ClusterViewReader(Namespace namespace, NodeRegistry registry, Duration timeout, TransportSecurity security) {
        this.security = security;
        this.namespace = namespace;
        this.registry = registry;
        this.timeout = timeout;
    }

    /** Reads the files under {@code path} and everything else the planner needs. */
    public ClusterView read(String path) throws IOException {
        List<Namespace.Entry> files = new ArrayList<>();
        for (Namespace.Entry e : namespace.subtree(path)) {
            if (e.inode() instanceof Inode.File) files.add(e);
        }
        Set<ClusterView.Replica> corrupt = new HashSet<>();
        for (var r : namespace.corruptReports()) corrupt.add(new ClusterView.Replica(r.getKey(), r.getValue()));
        Map<String, NodeInfo> live = new LinkedHashMap<>();
        for (NodeInfo n : registry.live()) live.put(n.id(), n);
        Map<String, Map<BlockId, Long>> reports = reports(live.values());
        Set<BlockId> pending = new HashSet<>(namespace.pendingBlocks());
        return new ClusterView(files, live, reports, pending, corrupt);
    }

    private Map<String, Map<BlockId, Long>> reports(Iterable<NodeInfo> nodes) {
        Map<String, Future<List<BlockInfo>>> asked = new LinkedHashMap<>();
        Map<String, Map<BlockId, Long>> out = new HashMap<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (NodeInfo n : nodes) {
                asked.put(
                        n.id(),
                        pool.submit(
                                () -> BlockFetcher.listBlocks(DataAddress.parse(n.dataAddress()), timeout, security)));
            }
            asked.forEach((id, f) -> {
                try {
                    Map<BlockId, Long> blocks = new HashMap<>();
                    for (BlockInfo b : f.get()) blocks.put(b.id(), b.length());
                    out.put(id, blocks);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    LOG.warn(
                            "no block report from store node {}: {}",
                            id,
                            e.getCause() == null ? e : e.getCause().getMessage());
                }
            });
        }
        return out;
    }
}
