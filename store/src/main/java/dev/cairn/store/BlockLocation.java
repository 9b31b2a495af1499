package dev.cairn.store;

import java.util.List;

/**
 * One block of a file: where in the file it lies and which store nodes hold a replica.
 *
 * @param offset the file offset of the block's first byte
 * @param nodes  ids of the store nodes holding a replica, as last known (a node may have died since)
 */
public record BlockLocation(String blockId, long offset, long length, List<String> nodes) {
    public BlockLocation {
        nodes = List.copyOf(nodes);
    }
}
