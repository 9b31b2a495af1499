package dev.cairn.store.internal.transfer;

import dev.cairn.store.internal.disk.BlockId;
import java.io.IOException;

/** A node was asked for a block it does not have (finalized): never written there, deleted, or still being written. */
public final class BlockNotFoundException extends IOException {
    private final BlockId block;
    private final DataAddress node;

    public BlockNotFoundException(BlockId block, DataAddress node) {
        super(block + " not found on node " + node);
        this.block = block;
        this.node = node;
    }

    public BlockId block() {
        return block;
    }

    public DataAddress node() {
        return node;
    }
}
