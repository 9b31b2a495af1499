package dev.cairn.store.internal.client;

import dev.cairn.common.security.TransportSecurity;
import dev.cairn.store.internal.disk.BlockId;
import dev.cairn.store.internal.namespace.Inode;
import dev.cairn.store.internal.namespace.Namespace;
import dev.cairn.store.internal.namespace.NodeRegistry;
import dev.cairn.store.internal.namespace.NodeRegistry.NodeInfo;
import dev.cairn.store.internal.transfer.BlockFetcher;
import dev.cairn.store.internal.transfer.DataAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a store client's readers and writers share: the namespace, the node registry, block
 * placement, the client's identity (its node, if it runs on a store node), clock, randomness,
 * timeouts, and how block transfers to the store nodes are protected.
 */
public record StoreContext(
        CuratorFramework coord,
        Namespace namespace,
        NodeRegistry registry,
        BlockPlacement placement,
        Random random,
        String localNodeId,
        Duration timeout,
        LongSupplier clock,
        TransportSecurity security) {
    private static final Logger LOG = LoggerFactory.getLogger(StoreContext.class);

    long clockMillis() {
        return clock.getAsLong();
    }

    /** Deletes blocks from the nodes last known to hold them; what fails is left to garbage collection. */
    public void deleteBlocksQuietly(List<Inode.BlockRef> blocks) {
        if (blocks.isEmpty()) return;
        Map<String, NodeInfo> live;
        try {
            live = liveById();
        } catch (java.io.IOException e) {
            return;
        }
        Map<String, List<BlockId>> byNode = new HashMap<>();
        for (Inode.BlockRef b : blocks)
            for (String n : b.nodes())
                byNode.computeIfAbsent(n, k -> new ArrayList<>()).add(b.id());
        byNode.forEach((node, ids) -> {
            NodeInfo info = live.get(node);
            if (info == null) return;
            try {
                BlockFetcher.deleteBlocks(DataAddress.parse(info.dataAddress()), ids, timeout, security);
            } catch (java.io.IOException e) {
                LOG.debug("deleting {} blocks on {}: {}", ids.size(), node, e.getMessage());
            }
        });
    }

    Map<String, NodeInfo> liveById() throws java.io.IOException {
        Map<String, NodeInfo> out = new HashMap<>();
        for (NodeInfo n : registry.live()) out.put(n.id(), n);
        return out;
    }

    /** Reports a replica that failed its checksum; a failure to report is logged, not thrown (the read goes on). */
    void reportCorrupt(BlockId block, String node, String detail) {
        try {
            namespace.reportCorrupt(block, node, detail);
        } catch (java.io.IOException e) {
            LOG.warn("cannot report corrupt replica of {} on {}: {}", block, node, e.getMessage());
        }
    }
}
