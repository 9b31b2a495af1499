package dev.cairn.store;

import java.util.List;

/**
 * The health of the files under a path, as {@link StoreClient#fsck} found it: every block judged
 * against the block reports of the live store nodes (not against the namespace's list of replicas,
 * which may lag).
 *
 * @param liveNodes            store nodes live at the time
 * @param underReplicated      blocks with fewer intact replicas than {@code min(replication, live nodes)}:
 *                             the replication monitor is (or will be) copying them
 * @param belowForLackOfNodes  blocks with as many replicas as live nodes allow, but fewer than their file asks for
 * @param corruptReplicas      replicas reported corrupt or of the wrong length, not yet replaced
 * @param missing              blocks without any intact replica on a live node: their files cannot be read whole
 * @param problems             one line per block that is not fine, at most {@link #MAX_PROBLEMS}
 */
public record FsckReport(
        String path,
        int files,
        long blocks,
        long bytes,
        int liveNodes,
        long underReplicated,
        long belowForLackOfNodes,
        long corruptReplicas,
        long missing,
        List<Problem> problems) {
    public static final int MAX_PROBLEMS = 1000;

    public FsckReport {
        problems = List.copyOf(problems);
    }

    /** What is wrong with one block. */
    public enum Kind {
        MISSING,
        CORRUPT_REPLICA,
        UNDER_REPLICATED,
        BELOW_REPLICATION_FOR_LACK_OF_NODES
    }

    /** One block that is not fine: which file, which block, what, and which nodes hold what. */
    public record Problem(String path, String blockId, Kind kind, String detail) {}

    /** No block is missing, corrupt or under-replicated (blocks short only for lack of live nodes are fine). */
    public boolean healthy() {
        return missing == 0 && corruptReplicas == 0 && underReplicated == 0;
    }
}
