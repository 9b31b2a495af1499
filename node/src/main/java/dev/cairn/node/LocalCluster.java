package dev.cairn.node;

import dev.cairn.common.config.Config;
import dev.cairn.common.time.Clock;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A master and some workers inside this JVM, each its own node with its own RPC server, talking
 * real gRPC over loopback: what {@code bin/cairn quickstart} runs, and a quick cluster for tests.
 */
public final class LocalCluster implements AutoCloseable {
    private final CairnNode master;
    private final List<CairnNode> workers;

    private LocalCluster(CairnNode master, List<CairnNode> workers) {
        this.master = master;
        this.workers = workers;
    }

    /**
     * @param base configuration shared by all nodes; roles, ports, ids and directories are set here
     */
    public static LocalCluster start(Path dir, int workerCount, int slotsPerWorker, Config base) throws IOException {
        CairnNode master = CairnNode.start(base
                .with(NodeConfig.NODE_ID, "master")
                .with(NodeConfig.NODE_ROLES, List.of("master"))
                .with(NodeConfig.NODE_PORT, 0)
                .with(NodeConfig.NODE_DIR, dir.resolve("master").toString()), Clock.system());
        List<CairnNode> workers = new ArrayList<>();
        try {
            for (int i = 1; i <= workerCount; i++) {
                workers.add(CairnNode.start(base
                        .with(NodeConfig.NODE_ID, "worker-" + i)
                        .with(NodeConfig.NODE_ROLES, List.of("worker"))
                        .with(NodeConfig.NODE_PORT, 0)
                        .with(NodeConfig.WORKER_SLOTS, slotsPerWorker)
                        .with(NodeConfig.MASTER_ADDRESS, master.endpoint())
                        .with(NodeConfig.NODE_DIR, dir.resolve("worker-" + i).toString()), Clock.system()));
            }
        } catch (IOException | RuntimeException e) {
            workers.forEach(CairnNode::close);
            master.close();
            throw e;
        }
        return new LocalCluster(master, workers);
    }

    public String masterEndpoint() {
        return master.endpoint();
    }

    public int workerCount() {
        return workers.size();
    }

    @Override
    public void close() {
        workers.forEach(CairnNode::close);
        master.close();
    }
}
