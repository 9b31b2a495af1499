package dev.cairn.store.internal.disk;

/** The outcome of checking every chunk of a block against its stored checksums. */
public sealed interface VerifyResult {
    BlockId id();

    default boolean ok() {
        return this instanceof Ok;
    }

    /** Every chunk matched. */
    record Ok(BlockId id, long length) implements VerifyResult {}

    /**
     * The first chunk that did not match, or could not be read in full (a truncated data file or
     * sidecar).
     *
     * @param chunkIndex index of the bad chunk; its first byte is at {@code chunkOffset}
     * @param detail what was wrong, for logs
     */
    record Corrupt(BlockId id, int chunkIndex, long chunkOffset, String detail) implements VerifyResult {}
}
