/**
 * The store's local disk layer: blocks as checksummed files in a node's data directories.
 *
 * <p>{@link dev.cairn.store.internal.disk.LocalBlockStore} owns the directories (its Javadoc has
 * the layout and the crash-safety argument); {@link dev.cairn.store.internal.disk.BlockWriter} and
 * {@link dev.cairn.store.internal.disk.BlockReader} write and read one block;
 * {@link dev.cairn.store.internal.disk.BlockScrubber} re-verifies everything in the background.
 * Every chunk of a block (64 KiB by default) has a CRC32C, computed once where the data enters the
 * system and checked wherever it is read, locally or after crossing the network.
 */
package dev.cairn.store.internal.disk;
