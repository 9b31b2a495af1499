package dev.cairn.store.internal.transfer;

/**
 * A node's storage at one moment, as its {@link BlockServer} reports it.
 *
 * @param freeBytes usable bytes left for blocks ({@link dev.cairn.store.internal.disk.LocalBlockStore#freeBytes()})
 * @param usedBytes bytes of finalized block data
 * @param blockCount finalized blocks
 */
public record StoreStatus(long freeBytes, long usedBytes, int blockCount) {}
