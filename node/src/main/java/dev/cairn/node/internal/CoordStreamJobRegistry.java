package dev.cairn.node.internal;

import dev.cairn.dataflow.StreamJobRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * The stream master's job records in coord: one persistent znode per job under {@value #JOBS},
 * its data the record. Written by the active master only; read by the next one when it takes over.
 */
public final class CoordStreamJobRegistry implements StreamJobRegistry {
    public static final String JOBS = "/cairn/stream/jobs";

    private final CuratorFramework client;

    public CoordStreamJobRegistry(CuratorFramework client) {
        this.client = client;
    }

    @Override
    public void put(String jobId, String record) throws IOException {
        byte[] data = record.getBytes(StandardCharsets.UTF_8);
        String path = JOBS + "/" + jobId;
        try {
            try {
                client.setData().forPath(path, data);
            } catch (KeeperException.NoNodeException e) {
                client.create().creatingParentsIfNeeded().forPath(path, data);
            }
        } catch (Exception e) {
            throw new IOException("cannot record stream job " + jobId + " in coord: " + e, e);
        }
    }

    @Override
    public Map<String, String> all() throws IOException {
        Map<String, String> records = new TreeMap<>();
        try {
            if (client.checkExists().forPath(JOBS) == null) return records;
            for (String child : client.getChildren().forPath(JOBS)) {
                try {
                    records.put(
                            child, new String(client.getData().forPath(JOBS + "/" + child), StandardCharsets.UTF_8));
                } catch (KeeperException.NoNodeException e) {
                    // Removed meanwhile.
                }
            }
        } catch (Exception e) {
            throw new IOException("cannot read the stream jobs in coord: " + e, e);
        }
        return records;
    }
}
