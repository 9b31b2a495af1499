package dev.cairn.store.internal.disk;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Bytes of a block do not match their checksums: on disk (a read, a verify) or on the wire (a chunk
 * received for replication with the wrong checksum). Names the block, the data directory and the
 * offset of the chunk at fault, so an operator can find it and a replicator can report it.
 */
public final class ChecksumException extends IOException {
    private final BlockId block;
    private final Path dir;
    private final long chunkOffset;

    /**
     * @param dir the data directory holding (or receiving) the block
     * @param chunkOffset offset in the block of the first byte of the bad chunk
     * @param detail what was wrong, e.g. the stored and computed checksums
     */
    public ChecksumException(BlockId block, Path dir, long chunkOffset, String detail) {
        super("corrupt " + block + " in " + dir + " at chunk offset " + chunkOffset + ": " + detail);
        this.block = block;
        this.dir = dir;
        this.chunkOffset = chunkOffset;
    }

    public BlockId block() {
        return block;
    }

    public Path dir() {
        return dir;
    }

    public long chunkOffset() {
        return chunkOffset;
    }
}
