package dev.cairn.store.internal.disk;

import java.util.Objects;

/** A finalized block as a block report names it: its id and its length in bytes. */
public record BlockInfo(BlockId id, long length) {
    public BlockInfo {
        Objects.requireNonNull(id, "id");
        if (length < 0) throw new IllegalArgumentException("negative length " + length + " of " + id);
    }
}
