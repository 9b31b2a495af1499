package dev.cairn.node.internal.ops;

import dev.cairn.batch.BatchMaster;
import dev.cairn.dataflow.StreamJobStatus;
import dev.cairn.node.internal.NodeCoordination;
import java.util.List;
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
 * @param streamJobs the stream master's jobs; called only on the active master
 * @param coordination the node's coord client; null when masters run without election
 */
public record OpsSources(
        String nodeId,
        List<String> roles,
        String endpoint,
        BatchMaster batch,
        Supplier<List<StreamJobStatus>> streamJobs,
        NodeCoordination coordination) {
    public OpsSources {
        roles = List.copyOf(roles);
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
