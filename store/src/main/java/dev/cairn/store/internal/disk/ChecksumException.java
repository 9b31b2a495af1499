package dev.cairn.store.internal.disk;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Bytes of a block do not match their checksums: on disk (a read, a verify) or on the wire (a chunk
 * received for replication with the wrong checksum, a chunk fetched from another node). Names the
 * block, where the bad copy is (a data directory, or the node it came from) and the offset of the
 * chunk at fault, so an operator can find it and a replicator can report it.
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

    /**
     * For a copy read from another node: {@code source} names it (e.g. {@code "node 10.0.0.7:7071"}),
     * and {@link #dir()} is null, since the bad bytes may lie on that node's disk or on the way.
     */
    public ChecksumException(BlockId block, String source, long chunkOffset, String detail) {
        super("corrupt " + block + " from " + source + " at chunk offset " + chunkOffset + ": " + detail);
        this.block = block;
        this.dir = null;
        this.chunkOffset = chunkOffset;
    }

    public BlockId block() {
        return block;
    }

    /** The data directory holding the bad copy; null if it was read from another node. */
    public Path dir() {
        return dir;
    }

    public long chunkOffset() {
        return chunkOffset;
    }
}
