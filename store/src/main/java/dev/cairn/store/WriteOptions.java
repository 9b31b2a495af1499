package dev.cairn.store;

/**
 * How {@link StoreClient#create} writes a file.
 *
 * @param replication replicas per block, 1 to 32 (capped by the live store nodes when written)
 * @param blockSize   bytes per block, a multiple of the 64 KiB checksum chunk, at least 64 KiB
 * @param overwrite   replace an existing file (its blocks are garbage collected) instead of failing
 */
public record WriteOptions(int replication, long blockSize, boolean overwrite) {
    public static final int DEFAULT_REPLICATION = 3;
    public static final long DEFAULT_BLOCK_SIZE = 64L << 20;
    public static final int CHUNK_SIZE = 64 << 10;

    public WriteOptions {
        if (replication < 1 || replication > 32)
            throw new IllegalArgumentException("replication must be 1..32, not " + replication);
        if (blockSize < CHUNK_SIZE || blockSize % CHUNK_SIZE != 0) {
            throw new IllegalArgumentException(
                    "block size must be a positive multiple of " + CHUNK_SIZE + " bytes, not " + blockSize);
        }
    }

    public static WriteOptions defaults() {
        return new WriteOptions(DEFAULT_REPLICATION, DEFAULT_BLOCK_SIZE, false);
    }

    public WriteOptions withReplication(int r) {
        return new WriteOptions(r, blockSize, overwrite);
    }

    public WriteOptions withBlockSize(long size) {
        return new WriteOptions(replication, size, overwrite);
    }

    public WriteOptions withOverwrite(boolean o) {
        return new WriteOptions(replication, blockSize, o);
    }
}
