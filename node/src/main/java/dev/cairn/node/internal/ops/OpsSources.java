package dev.cairn.node.internal.ops;

import dev.cairn.batch.BatchMaster;
import dev.cairn.batch.BatchWorker;
import dev.cairn.coord.CoordService;
import dev.cairn.dataflow.StreamJobStatus;
import dev.cairn.node.internal.NodeCoordination;
import dev.cairn.store.StoreClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a node's HTTP server reads, all of it snapshots: the batch master's come from its loop
 * (the HTTP thread waits for them, the loop never waits for HTTP), the stream master's through its
 * status call over loopback.
 *
 * @param roles the node's roles, as configured
 * @param endpoint the node's RPC endpoint, which names it in the master election
 * @param batch the node's batch master; null on a node without the master role
 * @param worker the node's batch worker, whose attempts' logs it serves; null without the worker role
 * @param streamJobs the stream master's jobs; called only on the active master
 * @param coordination the node's coord client; null when masters run without election
 * @param coord the node's coord member; null on a node without the coord role
 * @param store how to reach the store (a client shared with the node's file system); null without a store
 * @param nodeDir the node's working directory, whose disk {@code /node} reports
 * @param logFile the file the node's output goes to ({@code node.log-file}); null if unknown
 */
public record OpsSources(
        String nodeId,
        List<String> roles,
        String endpoint,
        BatchMaster batch,
        BatchWorker worker,
        Supplier<List<StreamJobStatus>> streamJobs,
        NodeCoordination coordination,
        CoordService coord,
        StoreAccess store,
        Path nodeDir,
        Path logFile) {
    public OpsSources {
        roles = List.copyOf(roles);
    }

    /** A store client, made on first use and owned by the node. */
    @FunctionalInterface
    public interface StoreAccess {
        StoreClient client() throws IOException;
    }

    /** The HTTP servers the nodes published (node id to host:port); only this node's without coord. */
    Map<String, String> httpEndpoints(String self) throws Exception {
        if (coordination != null) return coordination.httpEndpoints();
        return Map.of(nodeId, self);
    }

    boolean isMaster() {
        return batch != null;
    }

    boolean isActiveMaster() {
        return batch != null && batch.isActive();
    }

    /** The active master's RPC endpoint as the election shows it. */
    Optional<String> activeMaster() {
        if (coordination != null) return coordination.activeMaster();
        return isMaster() ? Optional.of(endpoint) : Optional.empty();
    }

    /** The masters standing for election (RPC endpoints), the active one first. */
    List<String> masters() {
        if (coordination != null) return coordination.masters();
        return isMaster() ? List.of(endpoint) : List.of();
    }

    /** The dashboard URL a master published, if any. */
    Optional<String> dashboardOf(String masterEndpoint) {
        if (coordination != null) return coordination.dashboardOf(masterEndpoint);
        return Optional.empty();
    }
}
