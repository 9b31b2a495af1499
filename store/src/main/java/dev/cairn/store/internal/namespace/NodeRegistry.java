package dev.cairn.store.internal.namespace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;

/**
 * The live store nodes: each holds an ephemeral znode {@value Namespace#NODES}/id while its coord
 * session lives, with its data address and disk figures (refreshed periodically, which writers use
 * to place blocks). A node whose session ends is gone from here at once; it is declared dead for
 * repair only after a grace period (the replication monitor decides that).
 */
public final class NodeRegistry {
    /**
     * One live store node as it last described itself.
     *
     * @param transfers block transfers (connections) the node was serving: its load, which placement avoids
     */
    public record NodeInfo(String id, String dataAddress, long freeBytes, long usedBytes, int blocks, int transfers) {
        public NodeInfo(String id, String dataAddress, long freeBytes, long usedBytes, int blocks) {
            this(id, dataAddress, freeBytes, usedBytes, blocks, 0);
        }

        byte[] encode() {
            return (dataAddress + " " + freeBytes + " " + usedBytes + " " + blocks + " " + transfers)
                    .getBytes(StandardCharsets.UTF_8);
        }

        static NodeInfo decode(String id, byte[] data) {
            String[] f = new String(data, StandardCharsets.UTF_8).trim().split(" ", -1);
            if (f.length < 4)
                throw new IllegalArgumentException("malformed store node entry for " + id + ": '"
                        + new String(data, StandardCharsets.UTF_8) + "'");
            // Entries of nodes from before the load figure have four fields.
            int transfers = f.length > 4 ? Integer.parseInt(f[4]) : 0;
            return new NodeInfo(
                    id, f[0], Long.parseLong(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]), transfers);
        }
    }

    private final CuratorFramework client;
    private PersistentNode registration;

    public NodeRegistry(CuratorFramework client) {
        this.client = client;
    }

    /** Announces this node (kept present, re-created after a session loss, until {@link #close}). */
    public synchronized void register(NodeInfo info) {
        if (registration != null) throw new IllegalStateException("already registered");
        registration = new PersistentNode(
                client, CreateMode.EPHEMERAL, false, Namespace.NODES + "/" + info.id(), info.encode());
        registration.start();
    }

    /** Refreshes this node's figures. */
    public synchronized void update(NodeInfo info) throws IOException {
        if (registration == null) throw new IllegalStateException("not registered");
        try {
            registration.setData(info.encode());
        } catch (Exception e) {
            throw new IOException("cannot update store node entry: " + e, e);
        }
    }

    /** The live store nodes, sorted by id. */
    public List<NodeInfo> live() throws IOException {
        return Namespace.call(() -> {
            List<NodeInfo> out = new ArrayList<>();
            List<String> ids;
            try {
                ids = client.getChildren().forPath(Namespace.NODES);
            } catch (KeeperException.NoNodeException e) {
                return out;
            }
            for (String id : ids.stream().sorted().toList()) {
                try {
                    out.add(NodeInfo.decode(id, client.getData().forPath(Namespace.NODES + "/" + id)));
                } catch (KeeperException.NoNodeException gone) {
                    // left meanwhile
                }
            }
            return out;
        });
    }

    public synchronized void close() throws IOException {
        if (registration != null) registration.close();
        registration = null;
    }
}
