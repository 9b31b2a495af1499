package dev.cairn.store;

import java.util.List;

/**
 * A store entry as {@link StoreClient#stat} and {@link StoreClient#list} report it.
 *
 * @param replication the replica count the file asks for (0 for directories)
 * @param blockSize   the size of every block of the file but the last (0 for directories)
 * @param blocks      the file's blocks in order, with the nodes holding them as last known
 * @param owner       the user who owns the entry
 * @param group       the group the entry belongs to
 * @param permission  the entry's mode bits
 */
public record FileStatus(
        String path,
        boolean directory,
        long length,
        int replication,
        long blockSize,
        long modificationTimeMs,
        List<BlockLocation> blocks,
        String owner,
        String group,
        FsPermission permission) {
    public FileStatus {
        blocks = List.copyOf(blocks);
    }
}
