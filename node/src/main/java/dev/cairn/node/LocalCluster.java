package dev.cairn.node;

import dev.cairn.batch.BatchConfig;
import dev.cairn.common.config.Config;
import dev.cairn.common.time.Clock;
import dev.cairn.coord.CoordConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A master (which is also a coord group of one) and some workers inside this JVM, each its own
 * node with its own RPC server, talking real gRPC and the ZooKeeper protocol over loopback: what {@code bin/cairn quickstart} runs, and a quick cluster for tests.
 * The workers are store nodes too, so jobs can read and write {@code cairn://} paths.
 */
public final class LocalCluster implements AutoCloseable {
    private static final Duration ELECTION_TIMEOUT = Duration.ofSeconds(30);
    private final CairnNode master;
    private final List<CairnNode> workers;

    private LocalCluster(CairnNode master, List<CairnNode> workers) {
        this.master = master;
        this.workers = workers;
    }

    /**
     * Starts a master and {@code workerCount} workers in this process, under {@code dir}.
     * @param base configuration shared by all nodes; roles, ports, ids and directories are set here
     */
    public static LocalCluster start(Path dir, int workerCount, int slotsPerWorker, Config base) throws IOException {
        CairnNode master = CairnNode.start(
                base.with(NodeConfig.NODE_ID, "master")
                        .with(NodeConfig.NODE_ROLES, List.of("coord", "master"))
                        .with(NodeConfig.NODE_PORT, 0)
                        .with(NodeConfig.MASTER_HTTP_PORT, 0)
                        .with(CoordConfig.MEMBERS, List.of())
                        .with(CoordConfig.RAFT_PORT, 0)
                        .with(CoordConfig.CLIENT_PORT, 0)
                        .with(NodeConfig.NODE_DIR, dir.resolve("master").toString()),
                Clock.system());
        List<CairnNode> workers = new ArrayList<>();
        try {
            for (int i = 1; i <= workerCount; i++) {
                workers.add(CairnNode.start(
                        base.with(NodeConfig.NODE_ID, "worker-" + i)
                                .with(NodeConfig.NODE_ROLES, List.of("worker", "store"))
                                .with(NodeConfig.NODE_PORT, 0)
                                .with(BatchConfig.WORKER_SLOTS, slotsPerWorker)
                                .with(
                                        NodeConfig.COORD_CONNECT,
                                        master.coordEndpoint().orElseThrow())
                                .with(
                                        NodeConfig.NODE_DIR,
                                        dir.resolve("worker-" + i).toString()),
                        Clock.system()));
            }
            awaitElection(master);
        } catch (IOException | RuntimeException e) {
            workers.forEach(CairnNode::close);
            master.close();
            throw e;
        }
        return new LocalCluster(master, workers);
    }

    /** The master wins its (uncontested) election through coord within moments; bounded anyway. */
    private static void awaitElection(CairnNode master) throws IOException {
        long deadline = System.nanoTime() + ELECTION_TIMEOUT.toNanos();
        while (!master.isActiveMaster()) {
            if (System.nanoTime() > deadline) {
                throw new IOException(
                        "the master was not elected through coord within " + ELECTION_TIMEOUT.toSeconds() + " s");
            }
            LockSupport.parkNanos(20_000_000L);
        }
    }

    public String masterEndpoint() {
        return master.endpoint();
    }

    /** {@code http://host:port/} of the master's dashboard and REST API. */
    public String dashboardUrl() {
        return master.dashboardUrl().orElseThrow();
    }

    /** {@code host:port} of each node's HTTP server (master first), each serving {@code /metrics}. */
    public List<String> httpEndpoints() {
        List<String> out = new ArrayList<>();
        master.httpEndpoint().ifPresent(out::add);
        workers.forEach(w -> w.httpEndpoint().ifPresent(out::add));
        return out;
    }

    /** The ZooKeeper connect string of the cluster's single-member coord. */
    public String coordConnect() {
        return master.coordEndpoint().orElseThrow();
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
