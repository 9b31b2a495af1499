package dev.cairn.store.internal.repair;

import dev.cairn.store.internal.disk.BlockId;
import java.util.List;

/**
 * One thing the replication monitor decided to do. Actions on the same block run in the order
 * planned; actions on different blocks may run in parallel.
 */
public sealed interface RepairAction {
    BlockId block();

    /** Copy the block from {@code source} (an intact replica) to {@code targets}, then list them in the file. */
    record Replicate(String path, BlockId block, String source, List<String> targets) implements RepairAction {
        public Replicate {
            targets = List.copyOf(targets);
        }
    }

    /** Drop {@code node} from the file's replicas of the block, then delete its copy (and the corrupt report, if any). */
    record DropReplica(String path, BlockId block, String node, String reason) implements RepairAction {}

    /** Make the file's list of the block's replicas agree with what the nodes report. */
    record FixLocations(String path, BlockId block, List<String> add, List<String> remove) implements RepairAction {
        public FixLocations {
            add = List.copyOf(add);
            remove = List.copyOf(remove);
        }
    }

    /** Delete a copy of a block that no file and no open write refers to. */
    record DeleteGarbage(BlockId block, String node) implements RepairAction {}

    /** Forget a corrupt report that no longer applies (the replica is gone, or its file is). */
    record ForgetCorruptReport(BlockId block, String node) implements RepairAction {}
}
